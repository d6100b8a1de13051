/**
 * The pipeline, top to bottom: acquire → inventory → rules → verdict. Nothing here prints, reads process.env
 * or exits; shells turn the ScanResult into output.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Diagnostic, ScanResult, ScanTarget, Workspace } from './types.js';
import { REGISTRY_DEFAULTS, resolveOptions, type ScanOptions } from './options.js';
import { acquireNpm } from './acquire/npm.js';
import { registryOptions } from './registry/config.js';
import { lookupPackages } from './registry/online.js';
import type { RegistryFacts } from './registry/facts.js';
import { acquireLocal } from './acquire/local.js';
import { acquireArchive } from './acquire/archive.js';
import { acquireGit, redactUrl } from './acquire/git.js';
import { buildInventory } from './engine/inventory.js';
import { runRules } from './engine/run.js';
import { verdictOf } from './engine/verdict.js';
import { loadSignatures } from './signatures/load.js';
import { RULES } from './rules/index.js';
import { isGenuineBinary } from './analysis/filetype.js';
import { describeTarget } from './target.js';
import type { Signatures } from './signatures/types.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
export const VERSION: string = pkg.version;

async function acquire(target: ScanTarget, options: ReturnType<typeof resolveOptions>, registry: ScanOptions['registry']): Promise<Workspace> {
  switch (target.kind) {
    case 'path':
      return acquireLocal(target.path, options.limits);
    case 'archive':
      return acquireArchive(target.path, options.limits);
    case 'git':
      return acquireGit({ url: target.url, ref: target.ref ?? options.ref, allowFile: !!target.allowFileProtocol }, options.limits, options.tempDir);
    case 'npm': {
      const { workspace, facts } = await acquireNpm(target.spec, registryOptions({ ...registry, registry: target.registry ?? registry?.registry }), options.limits);
      npmFacts.set(workspace, facts);
      return workspace;
    }
  }
}

/** Facts read while acquiring an npm package, handed to the rules with its workspace. */
const npmFacts = new WeakMap<Workspace, RegistryFacts>();

export async function scanWorkspace(ws: Workspace, options: ScanOptions = {}, signatures: Signatures = loadSignatures(undefined, { cacheDir: options.signatureCacheDir })): Promise<ScanResult> {
  const opts = resolveOptions(options);
  const started = Date.now();
  const diagnostics: Diagnostic[] = ws.diagnostics;
  if ('reportOversized' in ws && typeof ws.reportOversized === 'function') {
    await (ws as { reportOversized: (f: (p: string, h: Buffer) => boolean) => Promise<void> }).reportOversized((p, h) => isGenuineBinary(p, h, signatures));
  }
  reportLinks(ws, diagnostics);
  opts.onProgress({ phase: 'inventory', total: ws.files.length });
  const inventory = await buildInventory(ws, diagnostics);
  let registry = options.registryFacts ?? npmFacts.get(ws);
  if (!registry && options.online) {
    opts.onProgress({ phase: 'inventory', message: 'asking the registry about dependencies' });
    registry = await lookupPackages(
      inventory.packages,
      {
        registry: registryOptions(options.registry),
        deep: options.deep,
        concurrency: REGISTRY_DEFAULTS.concurrency,
        cacheDir: options.cacheDir,
        ttlMs: REGISTRY_DEFAULTS.cacheTtlMs,
      },
      diagnostics,
    );
  }
  const rules = RULES.filter((r) => (!opts.rules || opts.rules.has(r.meta.id)) && !opts.excludeRules.has(r.meta.id));
  const findings = await runRules(
    rules,
    ws,
    inventory,
    signatures,
    opts.limits,
    diagnostics,
    (done, total, id) => opts.onProgress({ phase: 'rules', done, total, message: id }),
    registry,
  );
  const bytes = ws.files.reduce((n, f) => n + (f.kind === 'file' ? f.size : 0), 0);
  const result: ScanResult = {
    target: ws.provenance.source,
    provenance: ws.provenance,
    verdict: verdictOf(findings),
    complete: !diagnostics.some((d) => d.incomplete),
    findings,
    diagnostics,
    stats: { files: ws.files.length, bytes, ms: Date.now() - started, rules: rules.length },
    signatures: { version: signatures.version },
    tool: { name: 'lurescan', version: VERSION },
  };
  opts.onProgress({ phase: 'done' });
  return result;
}

/**
 * Symlinks are never followed. One inside the tree loses nothing (its target is scanned under its own path); one
 * that points outside is reported so a reader knows the repository reaches for files it does not contain.
 */
function reportLinks(ws: Workspace, diagnostics: Diagnostic[]): void {
  for (const f of ws.files) {
    if (f.kind !== 'symlink') continue;
    const target = f.linkTarget ?? '';
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(f.path), target));
    const outside = target.startsWith('/') || /^[a-z]:/i.test(target) || resolved === '..' || resolved.startsWith('../') || target.startsWith('(hard link)');
    diagnostics.push({
      code: 'symlink-not-followed',
      message: `symlink to ${target || '(unreadable target)'}${outside ? ', outside the scanned tree' : ''}; reported, not followed`,
      file: f.path,
      incomplete: false,
    });
  }
}

/** Scan a folder, git URL or archive. Throws UsageError for a bad target and Error when it cannot be acquired. */
export async function scan(target: ScanTarget, options: ScanOptions = {}): Promise<ScanResult> {
  const opts = resolveOptions(options);
  const started = Date.now();
  opts.onProgress({ phase: 'acquire', message: target.kind === 'git' ? redactUrl(describeTarget(target)) : describeTarget(target) });
  const ws = await acquire(target, opts, options.registry);
  try {
    const result = await scanWorkspace(ws, options);
    result.stats.ms = Date.now() - started;
    return result;
  } finally {
    await ws.dispose();
  }
}
