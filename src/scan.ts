/**
 * The pipeline, top to bottom: acquire → inventory → rules → verdict. Nothing here prints, reads process.env
 * or exits; shells turn the ScanResult into output.
 */
import path from 'node:path';
import semver from 'semver';
import type { DependencyStats, Diagnostic, Finding, Inventory, Package, ScanResult, ScanTarget, Workspace } from './types.js';
import { ANALYSIS_CACHE_DEFAULTS, DEFAULT_DEPS_LIMITS, DEFAULT_SCAN_MANY_CONCURRENCY, REGISTRY_DEFAULTS, resolveOptions, type ResolvedOptions, type ScanOptions } from './options.js';
import pLimit from 'p-limit';
import type { Rule } from './rules/define-rule.js';
import type { RegistryFacts } from './registry/facts.js';
import { acquireLocal } from './acquire/local.js';
import { expandNestedArchives } from './acquire/nested.js';
import { keptHeadOf, textIfText } from './acquire/bytes.js';
import { decodeText, type BaseWorkspace } from './acquire/workspace.js';
import { buildInventory } from './engine/inventory.js';
import { compareFindings, runRules } from './engine/run.js';
import { verdictOf } from './engine/verdict.js';
import { isRolePath } from './engine/role-paths.js';
import { loadSignatures } from './signatures/load.js';
import { RULES } from './rules/index.js';
import { isGenuineBinary } from './analysis/filetype.js';
import { sourceIndex, useResultCache } from './analysis/source-index.js';
import { ResultCache } from './analysis/result-cache.js';
import { memoKey, remember, reuse, treeDigest } from './engine/scan-memo.js';
import { describeTarget, UsageError } from './target.js';
import type { Signatures } from './signatures/types.js';
import { VERSION } from './version.js';
import { redactUrl } from './secrets/shape.js';

export { VERSION };

// The archive reader, git, and the registry client are imported by the targets that need them: a folder scan does not
// load simple-git or npm-registry-fetch (start-up time, docs/BENCHMARKS.md "CLI start-up").
async function acquire(target: ScanTarget, options: ReturnType<typeof resolveOptions>, registry: ScanOptions['registry'], signatureCacheDir?: string): Promise<Workspace> {
  switch (target.kind) {
    case 'path': {
      const message = describeTarget(target);
      return acquireLocal(target.path, options.limits, (total, bytes) => options.onProgress({ phase: 'acquire', message, total, bytes }));
    }
    case 'archive':
      return (await import('./acquire/archive.js')).acquireArchive(target.path, options.limits);
    case 'git': {
      const { acquireGit } = await import('./acquire/git.js');
      return acquireGit({ url: target.url, ref: target.ref ?? options.ref, allowFile: !!target.allowFileProtocol, authorization: target.authorization }, options.limits, options.tempDir);
    }
    case 'npm': {
      const [{ acquireNpm }, { registryOptions }] = await Promise.all([import('./acquire/npm.js'), import('./registry/config.js')]);
      const signatures = loadSignatures(undefined, { cacheDir: signatureCacheDir });
      // Known means the record covers what was asked for: every version of the name, or this exact version. A range that
      // merely admits a bad version keeps the registry's error.
      const known = (name: string, requested: string) =>
        signatures.packages.match({ ecosystem: 'npm', name, ...(semver.valid(requested) ? { version: requested } : { spec: requested }) }).some((m) => m.allVersions || m.how === 'version');
      const { workspace, facts, requested } = await acquireNpm(target.spec, registryOptions({ ...registry, registry: target.registry ?? registry?.registry }), options.limits, known);
      npmFacts.set(workspace, facts);
      if (requested) npmRequested.set(workspace, requested);
      return workspace;
    }
  }
}

/** Workspaces scan() acquired and disposes of right after scanning: nobody reads them once the result is made. */
const disposedAfterScan = new WeakSet<Workspace>();

/** Facts read while acquiring an npm package, handed to the rules with its workspace. */
const npmFacts = new WeakMap<Workspace, RegistryFacts>();
/** An npm package the registry did not serve but the signatures know: judged by name (src/acquire/npm.ts). */
const npmRequested = new WeakMap<Workspace, Package>();

/** Rules that read the shared source index (`indexFor`); test/source-pool.test.ts checks the list against src/rules. */
export const INDEX_RULES: ReadonlySet<string> = new Set(['remote-code-execution', 'import-time-network', 'env-exfiltration', 'encoded-c2-config', 'obfuscated-source', 'config-injection', 'python-lure', 'typosquat-package', 'clickfix-page']);

/**
 * Run inventory, rules and verdict over a workspace that is already acquired (the Action and the org scanner use it).
 * Most callers want {@link scan}.
 */
export async function scanWorkspace(ws: Workspace, options: ScanOptions = {}, signatures: Signatures = loadSignatures(undefined, { cacheDir: options.signatureCacheDir })): Promise<ScanResult> {
  const opts = resolveOptions(options);
  const started = Date.now();
  const diagnostics: Diagnostic[] = ws.diagnostics;
  const cache = options.analysisCacheDir ? new ResultCache(options.analysisCacheDir, options.analysisCacheMaxBytes ?? ANALYSIS_CACHE_DEFAULTS.maxBytes) : undefined;
  const rules = allRules(options.extraRules).filter((r) => (!opts.rules || opts.rules.has(r.meta.id)) && !opts.excludeRules.has(r.meta.id));
  // The same tree, judged by the same code, signatures and options, gets the same answer: reuse it (engine/scan-memo.ts).
  // Keyed on the tree as acquired: everything from here on (nested archives, links, inventory, rules) is a function of
  // it. Not when the registry takes part, nor with an embedder's rules (their code is not in the key).
  const memoable = cache && !options.registryFacts && !npmFacts.get(ws) && !npmRequested.get(ws) && !options.online && !options.deps && !options.extraRules?.length;
  const tree = memoable ? await treeDigest(ws, opts.limits, diagnostics) : undefined;
  const key = tree ? memoKey(tree, rules.map((r) => r.meta.id), opts.limits, signatures) : undefined;
  const reused = key ? reuse(cache!, key) : undefined;
  if (reused) {
    // The workspace is left as a scan leaves it — nested archives expanded, links and role paths presented — for a
    // caller that reads it afterwards (the Action follows commands from it); scan(), which disposes of it, does not.
    // The reused diagnostics already say what that found; a tree that had no archive in it is not searched again.
    if (expandable(ws) && !disposedAfterScan.has(ws)) {
      const before = diagnostics.length;
      if (reused.archives) await expandNestedArchives(ws);
      else ws.nestedExpanded = true;
      ws.presentRoles(isRolePath);
      diagnostics.length = before;
    }
    diagnostics.push(...reused.diagnostics);
    opts.onProgress({ phase: 'rules', done: rules.length, total: rules.length, message: 'reused' });
    opts.onProgress({ phase: 'done' });
    return resultOf(ws, reused.findings, diagnostics, signatures, started, rules.length, undefined, reused.files);
  }
  const judgedFrom = diagnostics.length;
  // Archives inside the tree (or inside the scanned archive) join it as `a.zip!/path` before anything reads it. Tested
  // by shape, not instanceof: the acquirers are imported on demand, and a loader that keeps separate copies of a
  // module for static and dynamic imports (tsx under mocha does) would make instanceof fail and skip this silently.
  if (expandable(ws)) await expandNestedArchives(ws);
  if ('reportOversized' in ws && typeof ws.reportOversized === 'function') {
    await (ws as { reportOversized: (f: (p: string, h: Buffer) => boolean) => Promise<void> }).reportOversized((p, h) => isGenuineBinary(p, h, signatures));
  }
  // Links inside the tree and names that extractors or platforms read differently: each file is presented at every
  // path it takes before any parser or rule looks a path up (acquire/links.ts, acquire/role-path.ts).
  if (expandable(ws)) ws.presentRoles(isRolePath);
  else reportLinks(ws, diagnostics);
  await reportLfsPointers(ws, diagnostics);
  const covered = filesOf(ws);
  opts.onProgress({ phase: 'inventory', total: covered.files, bytes: covered.bytes });
  const inventory = await buildInventory(ws, diagnostics);
  const requested = npmRequested.get(ws);
  if (requested) inventory.packages.push(requested);
  let registry = options.registryFacts ?? npmFacts.get(ws);
  // --deps implies --online: the packuments it needs are the ones the look-ups fetch, asked for once.
  let source: import('./registry/online.js').PackumentSource | undefined;
  if ((!registry && options.online) || options.deps) {
    const [{ lookupPackages, PackumentSource }, { registryOptions }] = await Promise.all([import('./registry/online.js'), import('./registry/config.js')]);
    const online = {
      registry: registryOptions(options.registry),
      deep: options.deep,
      concurrency: REGISTRY_DEFAULTS.concurrency,
      cacheDir: options.cacheDir,
      ttlMs: REGISTRY_DEFAULTS.cacheTtlMs,
      maxPackumentBytes: opts.limits.maxPackumentBytes,
    };
    source = new PackumentSource(online);
    if (!registry) {
      opts.onProgress({ phase: 'inventory', message: 'asking the registry about dependencies' });
      registry = await lookupPackages(inventory.packages, online, diagnostics, source);
    }
  }
  if (cache) useResultCache(ws, cache);
  // The source index is built before the rules when one of them reads it: its worker and reads then run on a heap
  // that the text rules have not yet filled with garbage, which is where a large tree's memory peak used to be.
  const judging = Date.now();
  if (rules.some((r) => INDEX_RULES.has(r.meta.id))) {
    opts.onProgress({ phase: 'rules', done: 0, total: rules.length, message: 'source analysis' });
    await sourceIndex(ws, signatures, opts.limits);
  }
  const findings = await runRules(
    rules,
    ws,
    inventory,
    signatures,
    opts.limits,
    diagnostics,
    (done, total, id) => opts.onProgress({ phase: 'rules', done, total, message: id }),
    registry,
    judging,
  );
  if (key) remember(cache!, key, { findings, diagnostics: diagnostics.slice(judgedFrom), files: filesOf(ws), archives: ws.files.some((f) => f.container !== undefined) });
  const dependencies = options.deps && source ? await scanDeps(ws, inventory, signatures, source, options, opts) : undefined;
  if (dependencies) {
    findings.push(...dependencies.findings);
    findings.sort(compareFindings);
    diagnostics.push(...dependencies.diagnostics);
  }
  // One bound check for everything this scan wrote (per-file analyses, the look-alike index, the scan's own entry).
  cache?.trim();
  const result = resultOf(ws, findings, diagnostics, signatures, started, rules.length, dependencies?.stats);
  opts.onProgress({ phase: 'done' });
  return result;
}

/** What the scan covered: entries (nested archives' and links' included) and the bytes of their files. */
function filesOf(ws: Workspace): { files: number; bytes: number } {
  return { files: ws.files.length, bytes: ws.files.reduce((n, f) => n + (f.kind === 'file' ? f.size : 0), 0) };
}

/** `reused`: what the reused scan covered (its tree was expanded then, not now). */
function resultOf(ws: Workspace, findings: Finding[], diagnostics: Diagnostic[], signatures: Signatures, started: number, rules: number, dependencies?: DependencyStats, reused?: { files: number; bytes: number }): ScanResult {
  const { files, bytes } = reused ?? filesOf(ws);
  return {
    target: ws.provenance.source,
    provenance: ws.provenance,
    verdict: verdictOf(findings),
    complete: !diagnostics.some((d) => d.incomplete),
    findings,
    diagnostics,
    stats: { files, bytes, ms: Date.now() - started, rules, ...(dependencies ? { dependencies } : {}), ...(reused ? { reused: true } : {}) },
    signatures: { version: signatures.version },
    tool: { name: 'lurescan', version: VERSION },
  };
}

/** `deps`: fetch and scan the target's npm dependencies with the package rules (src/deps/scan-dependencies.ts). */
async function scanDeps(ws: Workspace, inventory: Inventory, signatures: Signatures, source: import('./registry/online.js').PackumentSource, options: ScanOptions, opts: ResolvedOptions) {
  const [{ scanDependencies }, { acquireArchiveBuffer }] = await Promise.all([import('./deps/scan-dependencies.js'), import('./acquire/archive.js')]);
  // A dependency is scanned as `lurescan package` scans it: the same rules and limits, no registry look-ups of its own.
  const packageOptions: ScanOptions = { rules: options.rules, excludeRules: options.excludeRules, extraRules: options.extraRules, limits: options.limits, signatureCacheDir: options.signatureCacheDir, analysisCacheDir: options.analysisCacheDir, analysisCacheMaxBytes: options.analysisCacheMaxBytes };
  return scanDependencies(ws, inventory, signatures, {
    source,
    registry: source.opts.registry,
    deep: !!options.deep,
    limits: { ...DEFAULT_DEPS_LIMITS, ...options.depsLimits },
    maxTarballBytes: opts.limits.maxTarballBytes,
    cacheDir: options.cacheDir ? path.join(options.cacheDir, 'tarballs') : undefined,
    only: options.depsOnly,
    onProgress: opts.onProgress,
    scanTarball: async (data, label) => {
      const tarball = await acquireArchiveBuffer(data, label, opts.limits);
      try {
        return await scanWorkspace(tarball, packageOptions, signatures);
      } finally {
        await tarball.dispose();
      }
    },
  });
}

function expandable(ws: Workspace): ws is BaseWorkspace {
  const w = ws as Partial<BaseWorkspace>;
  return (
    typeof w.addEntries === 'function' &&
    typeof w.headOf === 'function' &&
    typeof w.ratioOf === 'function' &&
    typeof w.presentRoles === 'function' &&
    typeof w.archiveBudget === 'object'
  );
}

/**
 * For a workspace that cannot present links at their paths (not built by an acquirer of this library): every link is
 * reported; one that points outside, or whose target would be read in a role its own path does not have, is not
 * resolved, so the scan is incomplete.
 */
function reportLinks(ws: Workspace, diagnostics: Diagnostic[]): void {
  for (const f of ws.files) {
    if (f.kind !== 'symlink') continue;
    const target = f.linkTarget ?? '';
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(f.path), target));
    const outside = target.startsWith('/') || /^[a-z]:/i.test(target) || resolved === '..' || resolved.startsWith('../');
    diagnostics.push({
      code: 'symlink-not-followed',
      message: `symlink to ${target || '(unreadable target)'}${outside ? ', outside the scanned tree' : ''}; reported, not followed, so its target was not scanned at this path`,
      file: f.path,
      incomplete: true,
    });
  }
}

/** Git LFS pointer files are under 1024 bytes and start with this line (git-lfs spec v1). */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

/**
 * An LFS pointer stands in for content that lives on an LFS server; a clone with git-lfs installed checks that
 * content out (LFS smudging is never run here). A lure can keep its payload there, so the scan is incomplete.
 */
async function reportLfsPointers(ws: Workspace, diagnostics: Diagnostic[]): Promise<void> {
  for (const f of ws.files) {
    if (f.kind !== 'file' || f.size < LFS_POINTER.length + 70 || f.size >= 1024) continue;
    // A folder's tree digest keeps every file's first bytes (acquire/local.ts): a file whose head does not start like
    // a pointer is passed over without another read. Decoded as its text would be (a BOM says UTF-16), so the test is the same.
    const head = keptHeadOf(f);
    if (head && !decodeText(head).startsWith(LFS_POINTER)) continue;
    // A pointer is text (git-lfs reads it as key-value lines); textIfText shares the read with the rules' text checks.
    const text = await textIfText(f);
    if (!text?.startsWith(LFS_POINTER)) continue;
    const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
    diagnostics.push({
      code: 'lfs-pointer',
      message: `Git LFS pointer${oid ? ` (object sha256:${oid.slice(0, 12)}…)` : ''}: the real content is stored outside the repository and was not fetched or scanned`,
      file: f.path,
      incomplete: true,
    });
  }
}

/**
 * Scan a folder, a git URL, an archive or an npm package without running anything in it.
 *
 * Throws {@link UsageError} for a target that cannot be understood and `Error` when it cannot be acquired (an
 * unreachable URL, a file that is not an archive). Anything that could not be read *inside* a target is a
 * diagnostic, and the result then says `complete: false`.
 *
 * @example
 * ```ts
 * import { scan } from 'lurescan';
 * const result = await scan({ kind: 'git', url: 'https://github.com/someone/take-home-test' });
 * if (result.verdict === 'block') for (const f of result.findings) console.log(`${f.location.file}:${f.location.line} ${f.message}`);
 * ```
 */
export async function scan(target: ScanTarget, options: ScanOptions = {}): Promise<ScanResult> {
  const opts = resolveOptions(options);
  const started = Date.now();
  opts.onProgress({ phase: 'acquire', message: target.kind === 'git' ? redactUrl(describeTarget(target)) : describeTarget(target) });
  const ws = await acquire(target, opts, options.registry, options.signatureCacheDir);
  disposedAfterScan.add(ws);
  try {
    const result = await scanWorkspace(ws, options);
    result.stats.ms = Date.now() - started;
    return result;
  } finally {
    await ws.dispose();
  }
}

/** The built-in rules plus an organisation's own; a clash of ids is a usage error, not a silent override. */
function allRules(extra: readonly Rule[] | undefined): readonly Rule[] {
  if (!extra?.length) return RULES;
  const ids = new Set(RULES.map((r) => r.meta.id));
  for (const r of extra) {
    if (ids.has(r.meta.id)) throw new UsageError(`extra rule "${r.meta.id}" has the same id as another rule`);
    ids.add(r.meta.id);
  }
  return [...RULES, ...extra];
}

/** One target's outcome in {@link scanMany}: a result, or the error that stopped it. */
export interface ScanManyEntry {
  target: ScanTarget;
  result?: ScanResult;
  /** Why the target could not be scanned (unreachable, not an archive …). */
  error?: string;
}

/**
 * Scan several targets with bounded concurrency. One target's failure is recorded in its entry and never stops
 * the others; entries come back in the order of `targets`.
 *
 * @example
 * ```ts
 * import { scanMany } from 'lurescan';
 * const entries = await scanMany([{ kind: 'path', path: './a' }, { kind: 'archive', path: './b.zip' }], { concurrency: 2 });
 * for (const e of entries) console.log(e.result?.verdict ?? `error: ${e.error}`);
 * ```
 */
export async function scanMany(targets: readonly ScanTarget[], options: ScanOptions & { concurrency?: number } = {}): Promise<ScanManyEntry[]> {
  const limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_SCAN_MANY_CONCURRENCY));
  return Promise.all(
    targets.map((target) =>
      limit(async (): Promise<ScanManyEntry> => {
        try {
          return { target, result: await scan(target, options) };
        } catch (err) {
          return { target, error: (err as Error).message ?? String(err) };
        }
      }),
    ),
  );
}
