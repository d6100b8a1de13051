/**
 * `deps`: scan what `npm install` would fetch. For each dependency the target would install (src/deps/select.ts), the
 * packument says which version and whether to skip it; the tarball is fetched with npm-registry-fetch, verified
 * against the published integrity, kept on disk by that integrity, read in memory and scanned with the same rules
 * as a package scan (the scan itself is handed in, so this module does not depend on the pipeline). Findings are
 * moved into the target's result (src/deps/relocate.ts).
 *
 * Skipped, measured: an established version of a popular package (on the popular list, published more than
 * `establishedDays` before the scan) is not downloaded; a new version of one is (that is what a hijacked maintainer
 * account publishes). Budgets: fetch and scan concurrency, total bytes, wall-clock time. A cap reached leaves the
 * rest unscanned with a diagnostic that makes the result incomplete, never silently partial.
 */
import pLimit from 'p-limit';
import ssri from 'ssri';
import semver from 'semver';
import type { Diagnostic, DependencyStats, Finding, Inventory, ScanResult, Workspace } from '../types.js';
import type { DepsLimits, ProgressEvent } from '../options.js';
import type { Signatures } from '../signatures/types.js';
import { fetchTarball, RegistryError, resolveVersion, type Packument } from '../registry/client.js';
import type { RegistryOptions } from '../registry/config.js';
import type { PackumentSource } from '../registry/online.js';
import { TarballCache } from '../registry/tarball-cache.js';
import { daysBetween } from '../registry/facts.js';
import { requireSites, startPathSites } from '../analysis/require-sites.js';
import { dependencyCandidates, type DependencyCandidate } from './select.js';
import { relocateDiagnostic, relocateFinding, type Origin } from './relocate.js';

export interface DependencyScanOptions {
  source: PackumentSource;
  registry: RegistryOptions;
  deep: boolean;
  limits: DepsLimits;
  /** Largest single tarball, bytes (the archive reader's cap). */
  maxTarballBytes: number;
  /** Tarball cache folder; no cache when unset. */
  cacheDir?: string;
  only?: (c: DependencyCandidate['via']) => boolean;
  now?: () => number;
  onProgress?: (e: ProgressEvent) => void;
  /** Scan one tarball with the package rules; the caller owns the pipeline. */
  scanTarball: (data: Buffer, label: string) => Promise<ScanResult>;
}

export interface DependencyScan {
  findings: Finding[];
  diagnostics: Diagnostic[];
  stats: DependencyStats;
}

type Decision = { kind: 'scan'; version: string; packument: Packument } | { kind: 'skip'; reason: string } | { kind: 'fail'; message: string };

function decide(c: DependencyCandidate, answer: Awaited<ReturnType<PackumentSource['get']>>, popular: ReadonlyMap<string, number>, limits: DepsLimits, now: number): Decision {
  if (answer instanceof RegistryError) return { kind: 'fail', message: answer.message };
  if (!answer.packument) return { kind: 'skip', reason: 'unserved' };
  const p = answer.packument;
  let version: string;
  if (c.locked) {
    if (!p.versions?.[c.locked]) return { kind: 'fail', message: `${c.name}@${c.locked}: the version the lockfile pins is no longer published` };
    version = c.locked;
  } else {
    try {
      version = resolveVersion(p, { name: c.name, requested: c.requested });
    } catch (err) {
      return { kind: 'fail', message: (err as Error).message };
    }
  }
  const published = p.time?.[version];
  if (popular.has(c.name) && published && semver.valid(version) && daysBetween(new Date(now).toISOString(), published) > limits.establishedDays) return { kind: 'skip', reason: 'established-popular' };
  return { kind: 'scan', version, packument: p };
}

/** Two SRI strings name the same bytes when they share an algorithm with the same digest (sha512 vs sha1: unknown, assume so). */
function sameContent(a: string, b: string): boolean {
  const pa = ssri.parse(a);
  const pb = ssri.parse(b);
  const common = Object.keys(pa).filter((alg) => alg in pb);
  if (!common.length) return true;
  return common.some((alg) => (pa as unknown as Record<string, { digest: string }[]>)[alg].some((h) => (pb as unknown as Record<string, { digest: string }[]>)[alg].some((k) => k.digest === h.digest)));
}

export async function scanDependencies(ws: Workspace, inventory: Inventory, signatures: Signatures, opts: DependencyScanOptions): Promise<DependencyScan> {
  const started = (opts.now ?? Date.now)();
  const deadline = Date.now() + opts.limits.maxMs;
  const localNames = new Set(inventory.manifests.map((m) => m.name).filter((n): n is string => !!n));
  const { candidates: all, notFromRegistry } = dependencyCandidates(inventory.packages, opts.deep, localNames);
  const stats: DependencyStats = { considered: all.length + notFromRegistry, scanned: 0, skipped: {}, failed: 0, bytesFetched: 0, bytesCached: 0, ms: 0 };
  const skip = (reason: string, n = 1) => (stats.skipped[reason] = (stats.skipped[reason] ?? 0) + n);
  if (notFromRegistry) skip('not-from-registry', notFromRegistry);
  const candidates = opts.only ? all.filter((c) => opts.only!(c.via)) : all;
  if (candidates.length < all.length) skip('not-changed', all.length - candidates.length);

  const names = new Set(candidates.map((c) => c.name));
  const fctx = { workspace: ws, inventory, signatures, text: async (p: string) => ws.get(p)?.text() };
  const [onStartPath, loadedAt] = await Promise.all([startPathSites(fctx, names), requireSites(ws, names)]);

  const cache = opts.cacheDir ? new TarballCache(opts.cacheDir) : undefined;
  const fetchLimit = pLimit(Math.max(1, opts.limits.concurrency));
  const scanLimit = pLimit(Math.max(1, opts.limits.scanConcurrency));
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  const failures: string[] = [];
  const mismatches: string[] = [];
  let bytes = 0;
  let done = 0;
  let capped: string | undefined;
  const progress = (label: string) => opts.onProgress?.({ phase: 'dependencies', done, total: candidates.length, message: label });

  await Promise.all(
    candidates.map(async (c) => {
      const decision = decide(c, await opts.source.get(c.name), signatures.popular.npm, opts.limits, (opts.now ?? Date.now)());
      if (decision.kind === 'skip') {
        skip(decision.reason);
        done++;
        return;
      }
      if (decision.kind === 'fail') {
        stats.failed++;
        failures.push(decision.message);
        done++;
        return;
      }
      const label = `${c.name}@${decision.version}`;
      const data = await fetchLimit(async () => {
        if (capped || Date.now() > deadline) {
          capped ??= `the ${opts.limits.maxMs} ms time budget for dependencies`;
          return undefined;
        }
        progress(label);
        const integrity = decision.packument.versions?.[decision.version]?.dist?.integrity;
        // npm installs what the lockfile's integrity names; a registry tarball with another digest is not that file.
        if (integrity && c.lockedIntegrity && !sameContent(integrity, c.lockedIntegrity)) {
          mismatches.push(`${label}: ${c.lockedAt?.file ?? c.via.where.file} records ${c.lockedIntegrity.slice(0, 24)}…, the registry publishes ${integrity.slice(0, 24)}…`);
        }
        const hit = integrity ? await cache?.get(integrity, opts.maxTarballBytes) : undefined;
        let got: Buffer;
        if (hit) {
          got = hit;
          stats.bytesCached += hit.length;
        } else {
          try {
            // No single tarball may take more than what is left of the budget (plus one byte, so going over is seen).
            const room = Math.max(1, Math.min(opts.maxTarballBytes, opts.limits.maxBytes - bytes + 1));
            const t = await fetchTarball(c.name, decision.version, decision.packument, opts.registry, room);
            got = t.data;
            stats.bytesFetched += got.length;
            await cache?.put(t.integrity, got);
          } catch (err) {
            if (err instanceof RegistryError && err.code === 'too-large' && opts.limits.maxBytes - bytes < opts.maxTarballBytes) {
              capped ??= `the ${opts.limits.maxBytes}-byte budget for dependency tarballs`;
              return undefined;
            }
            stats.failed++;
            failures.push((err as Error).message);
            return undefined;
          }
        }
        bytes += got.length;
        if (bytes > opts.limits.maxBytes) {
          capped ??= `the ${opts.limits.maxBytes}-byte budget for dependency tarballs`;
          return undefined;
        }
        return got;
      });
      if (!data) {
        if (capped && !failures.some((m) => m.startsWith(label))) skip('budget');
        done++;
        return;
      }
      await scanLimit(async () => {
        if (Date.now() > deadline) {
          capped ??= `the ${opts.limits.maxMs} ms time budget for dependencies`;
          skip('budget');
          return;
        }
        let result: ScanResult;
        try {
          result = await opts.scanTarball(data, label);
        } catch (err) {
          stats.failed++;
          failures.push(`${label}: ${(err as Error).message}`);
          return;
        }
        const origin: Origin = { candidate: c, version: decision.version, startPath: onStartPath.get(c.name), site: loadedAt.get(c.name) };
        findings.push(...result.findings.map((f) => relocateFinding(f, origin)));
        diagnostics.push(...result.diagnostics.filter((d) => d.incomplete).map((d) => relocateDiagnostic(d, origin)));
        stats.scanned++;
      });
      done++;
      progress(label);
    }),
  );
  if (failures.length) {
    diagnostics.push({
      code: 'dependency-scan-failed',
      message: `${failures.length} dependenc${failures.length === 1 ? 'y' : 'ies'} could not be fetched or read, so their code was not scanned: ${failures.slice(0, 5).join('; ')}${failures.length > 5 ? '; …' : ''}`,
      incomplete: true,
    });
  }
  if (mismatches.length) {
    diagnostics.push({
      code: 'dependency-integrity-mismatch',
      message: `the lockfile's integrity differs from the registry's for ${mismatches.length} dependenc${mismatches.length === 1 ? 'y' : 'ies'}, so the tarball scanned is not the one npm would install: ${mismatches.slice(0, 3).join('; ')}${mismatches.length > 3 ? '; …' : ''}`,
      incomplete: true,
    });
  }
  if (capped) {
    diagnostics.push({ code: 'dependency-budget', message: `stopped fetching dependencies at ${capped}; ${stats.skipped.budget ?? 0} were not scanned`, incomplete: true });
  }
  stats.ms = (opts.now ?? Date.now)() - started;
  return { findings, diagnostics, stats };
}
