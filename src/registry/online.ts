/**
 * Registry facts for the dependencies of a scanned repository (`--online`). Off by default: looking names up tells
 * the registry which packages a private repository uses. Bounded concurrency, an on-disk cache with a TTL, and a
 * fall-back to stale cache entries when the registry cannot be reached.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import semver from 'semver';
import type { Diagnostic, Package } from '../types.js';
import { packageRoot } from '../signatures/load.js';
import { fetchPackument, RegistryError, resolveVersion, type Packument } from './client.js';
import type { RegistryOptions } from './config.js';
import { PackumentCache, reducePackument } from './cache.js';
import { redactCredentialShapes } from '../secrets/shape.js';
import { factsFromPackument, missingPackageFacts, type PackageFacts, type RegistryFacts } from './facts.js';

let holding: ReadonlySet<string> | undefined;

/** Names npm replaced with a security holding package (signatures/registry/npm-security-holding.json). */
export function securityHoldingNames(): ReadonlySet<string> {
  holding ??= new Set((JSON.parse(readFileSync(path.join(packageRoot(), 'signatures', 'registry', 'npm-security-holding.json'), 'utf8')) as { names: string[] }).names);
  return holding;
}

export interface OnlineOptions {
  registry: RegistryOptions;
  /** Transitive entries too, not only direct dependencies. */
  deep?: boolean;
  concurrency?: number;
  cacheDir?: string;
  ttlMs?: number;
  /** Largest packument read, bytes (default DEFAULT_LIMITS.maxPackumentBytes). */
  maxPackumentBytes?: number;
  now?: () => number;
}

/** Specs that do not come from a registry: nothing to look up. */
function isRegistrySpec(spec: string | undefined): boolean {
  if (spec === undefined) return true;
  return !/^(?:file:|link:|workspace:|portal:|patch:|git\+|git:|github:|gitlab:|bitbucket:|https?:|npm:)|^[^@/]+\/[^@/]+$/.test(spec);
}

export async function lookupPackages(packages: Package[], opts: OnlineOptions, diagnostics: Diagnostic[]): Promise<RegistryFacts> {
  const registry = opts.registry.registry;
  // What reports and facts show: the registry without credentials in its URL.
  const shown = redactCredentialShapes(registry);
  const wanted = new Map<string, Package>();
  for (const p of packages) {
    if (p.ecosystem !== 'npm' || (!opts.deep && !p.direct) || !isRegistrySpec(p.spec)) continue;
    const key = `${p.name}@${p.version ?? p.spec ?? ''}`;
    if (!wanted.has(key)) wanted.set(key, p);
  }
  const cache = opts.cacheDir ? new PackumentCache(opts.cacheDir, opts.ttlMs ?? 24 * 3_600_000, opts.now) : undefined;
  const packuments = new Map<string, Promise<Packument | undefined | RegistryError>>();
  const limit = pLimit(opts.concurrency ?? 8);

  const packumentOf = (name: string) => {
    let p = packuments.get(name);
    if (!p) {
      p = limit(async () => {
        const cached = await cache?.get(registry, name);
        if (cached) return cached.packument;
        try {
          const doc = reducePackument(await fetchPackument(name, opts.registry, opts.maxPackumentBytes));
          await cache?.put(registry, name, { fetchedAt: (opts.now ?? Date.now)(), packument: doc });
          return doc;
        } catch (err) {
          if (err instanceof RegistryError && err.code === 'not-found') {
            await cache?.put(registry, name, { fetchedAt: (opts.now ?? Date.now)() });
            return undefined;
          }
          const stale = await cache?.get(registry, name, true);
          if (stale) return stale.packument;
          return err instanceof RegistryError ? err : new RegistryError('unreachable', redactCredentialShapes(`${name}: ${(err as Error).message}`));
        }
      });
      packuments.set(name, p);
    }
    return p;
  };

  const facts: PackageFacts[] = [];
  let failures = 0;
  await Promise.all(
    [...wanted.values()].map(async (pkg) => {
      const doc = await packumentOf(pkg.name);
      const where = { file: pkg.where.file, line: pkg.where.line };
      if (doc instanceof RegistryError) {
        failures++;
        facts.push({ name: pkg.name, exists: true, error: doc.message, registry: shown, where });
        return;
      }
      if (!doc) {
        facts.push({ ...missingPackageFacts(pkg.name, shown), where });
        return;
      }
      let version = pkg.version && semver.valid(pkg.version) ? pkg.version : undefined;
      if (!version) {
        try {
          version = resolveVersion(doc, { name: pkg.name, requested: pkg.spec ?? 'latest' });
        } catch {
          version = undefined;
        }
      }
      facts.push({ ...factsFromPackument(doc, version, shown, securityHoldingNames()), where });
    }),
  );
  if (failures) {
    const firstError = facts.filter((f) => f.error).sort((a, b) => a.name.localeCompare(b.name))[0]?.error;
    diagnostics.push({
      code: 'registry-lookup-failed',
      message: `${failures} of ${wanted.size} registry look-ups failed (${firstError}${failures > 1 ? '; the others in the packages\' facts' : ''}); registry signals for them are missing`,
      incomplete: true,
    });
  }
  facts.sort((a, b) => a.name.localeCompare(b.name) || (a.version ?? '').localeCompare(b.version ?? ''));
  return { registry: shown, asOf: new Date((opts.now ?? Date.now)()).toISOString(), packages: facts };
}
