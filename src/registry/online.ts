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
import { isRegistrySpec } from '../ecosystems/npm/registry-spec.js';

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

/**
 * A packument comes back, `undefined` for a name the registry does not serve (404, or a 401/403 with no credentials
 * sent: then `unserved` says what it answered), or the error that kept the registry from being asked.
 */
export type PackumentAnswer = { packument?: Packument; unserved?: string } | RegistryError;

/** Packuments asked for once per name, through the cache, with bounded concurrency; shared by look-ups and --deps. */
export class PackumentSource {
  readonly registry: string;
  private readonly cache?: PackumentCache;
  private readonly answers = new Map<string, Promise<PackumentAnswer>>();
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(readonly opts: OnlineOptions) {
    this.registry = opts.registry.registry;
    this.cache = opts.cacheDir ? new PackumentCache(opts.cacheDir, opts.ttlMs ?? 24 * 3_600_000, opts.now) : undefined;
    this.limit = pLimit(opts.concurrency ?? 8);
  }

  get(name: string): Promise<PackumentAnswer> {
    let p = this.answers.get(name);
    if (!p) {
      p = this.limit(() => this.ask(name));
      this.answers.set(name, p);
    }
    return p;
  }

  private async ask(name: string): Promise<PackumentAnswer> {
    const { cache, registry } = this;
    const now = (this.opts.now ?? Date.now)();
    const cached = await cache?.get(registry, name);
    if (cached) return { packument: cached.packument, unserved: cached.packument ? undefined : (cached.unserved ?? 'HTTP 404') };
    try {
      const doc = reducePackument(await fetchPackument(name, this.opts.registry, this.opts.maxPackumentBytes));
      await cache?.put(registry, name, { fetchedAt: now, packument: doc });
      return { packument: doc };
    } catch (err) {
      if (err instanceof RegistryError && (err.code === 'not-found' || err.code === 'refused')) {
        const status = /HTTP (\d{3})/.exec(err.message)?.[1] ?? (err.code === 'not-found' ? '404' : '403');
        const unserved = `HTTP ${status}${err.registryMessage ? `: "${err.registryMessage}"` : ''}`;
        await cache?.put(registry, name, { fetchedAt: now, unserved });
        return { unserved };
      }
      const stale = await cache?.get(registry, name, true);
      if (stale) return { packument: stale.packument, unserved: stale.packument ? undefined : (stale.unserved ?? 'HTTP 404') };
      return err instanceof RegistryError ? err : new RegistryError('unreachable', redactCredentialShapes(`${name}: ${(err as Error).message}`));
    }
  }
}

/**
 * Why the tree says versions of a package were published, or undefined: a lockfile entry with integrity, or a range
 * whose lowest admitted version is above 0.0.0. A scoped name with only a range is left out: private scopes are where
 * dependency confusion lives, and a range there says nothing about the public registry.
 */
export function publishedEvidence(pkg: Package): string | undefined {
  if (pkg.integrity && pkg.version) return `${pkg.where.file} locks ${pkg.version} with integrity ${pkg.integrity.slice(0, 16)}…`;
  if (pkg.name.startsWith('@') || !pkg.spec) return undefined;
  const range = semver.validRange(pkg.spec);
  const min = range ? semver.minVersion(range) : null;
  if (min && semver.gt(min, '0.0.0')) return `${pkg.where.file} asks for "${pkg.spec}", so version ${min.version} or later was published`;
  return undefined;
}

/** The npm packages a scan looks up: direct ones (every lockfile entry too when deep), from the registry only. */
export function registryPackages(packages: Package[], deep: boolean | undefined): Package[] {
  const wanted = new Map<string, Package>();
  for (const p of packages) {
    if (p.ecosystem !== 'npm' || (!deep && !p.direct) || !isRegistrySpec(p.spec)) continue;
    const key = `${p.name}@${p.version ?? p.spec ?? ''}`;
    if (!wanted.has(key)) wanted.set(key, p);
  }
  return [...wanted.values()];
}

export async function lookupPackages(packages: Package[], opts: OnlineOptions, diagnostics: Diagnostic[], source = new PackumentSource(opts)): Promise<RegistryFacts> {
  const registry = opts.registry.registry;
  // What reports and facts show: the registry without credentials in its URL.
  const shown = redactCredentialShapes(registry);
  const wanted = registryPackages(packages, opts.deep);
  const facts: PackageFacts[] = [];
  let failures = 0;
  await Promise.all(
    wanted.map(async (pkg) => {
      const answer = await source.get(pkg.name);
      const where = { file: pkg.where.file, line: pkg.where.line };
      if (answer instanceof RegistryError) {
        failures++;
        facts.push({ name: pkg.name, exists: true, error: answer.message, registry: shown, where });
        return;
      }
      const doc = answer.packument;
      if (!doc) {
        const evidence = publishedEvidence(pkg);
        // A 403 for a name nobody shows was published is a refusal we cannot read: a failed look-up, not a fact.
        if (!evidence && !answer.unserved?.startsWith('HTTP 404')) {
          failures++;
          facts.push({ name: pkg.name, exists: true, error: `${pkg.name}: ${shown} refused to serve it (${answer.unserved})`, registry: shown, where });
          return;
        }
        facts.push({ ...missingPackageFacts(pkg.name, shown), ...(evidence ? { removed: true, publishedEvidence: evidence } : {}), registryAnswer: answer.unserved, version: pkg.version ?? pkg.spec, where });
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
      message: `${failures} of ${wanted.length} registry look-ups failed (${firstError}${failures > 1 ? '; the others in the packages\' facts' : ''}); registry signals for them are missing`,
      incomplete: true,
    });
  }
  facts.sort((a, b) => a.name.localeCompare(b.name) || (a.version ?? '').localeCompare(b.version ?? ''));
  return { registry: shown, asOf: new Date((opts.now ?? Date.now)()).toISOString(), packages: facts };
}
