/**
 * Which npm dependencies a `deps` scan fetches, and at which version: what `npm install` would install. A lockfile's
 * version where the target has one, else the version npm would pick for the range (resolved later, against the
 * packument). Direct dependencies by default; with `deep`, every lockfile entry too. Pure: no I/O.
 */
import path from 'node:path';
import semver from 'semver';
import type { Location, Package } from '../types.js';
import { inNodeModules } from '../analysis/bundle.js';
import { isRegistrySpec } from '../ecosystems/npm/registry-spec.js';

const LOCK_SOURCES = new Set(['npm/package-lock', 'npm/yarn-lock', 'npm/pnpm-lock', 'npm/bun-lock']);

export interface DependencyCandidate {
  /** The entry that brings the dependency in: a manifest line (direct), or a lockfile entry (deep). */
  via: Package;
  name: string;
  /** The folder name under node_modules (an alias's key, else the name). */
  installName: string;
  /** The version a lockfile pins, when one does. */
  locked?: string;
  /** Where that lockfile entry is (for a direct dependency, whose `via` is the manifest line). */
  lockedAt?: Location;
  /** The integrity that lockfile entry records: what `npm ci` would accept. */
  lockedIntegrity?: string;
  /** Otherwise the range or tag npm would resolve. */
  requested: string;
}

export function dependencyCandidates(packages: readonly Package[], deep: boolean, localNames: ReadonlySet<string>): { candidates: DependencyCandidate[]; notFromRegistry: number } {
  const npm = packages.filter((p) => p.ecosystem === 'npm' && !inNodeModules(p.where.file));
  const locks = npm.filter((p) => LOCK_SOURCES.has(p.source) && p.version && semver.valid(p.version));
  const lockedFor = (p: Package): Package | undefined => {
    const dir = path.posix.dirname(p.where.file);
    const same = locks.filter((l) => l.name === p.name && path.posix.dirname(l.where.file) === dir);
    const range = p.spec ? semver.validRange(p.spec) : null;
    const fits = same.filter((l) => !range || semver.satisfies(l.version!, range, { includePrerelease: true }));
    return fits.find((l) => l.direct) ?? fits.find((l) => !l.path || l.path.length <= 1) ?? fits[0];
  };
  const out = new Map<string, DependencyCandidate>();
  let notFromRegistry = 0;
  const add = (c: DependencyCandidate) => {
    const key = `${c.name}@${c.locked ?? c.requested}`;
    if (!out.has(key)) out.set(key, c);
  };
  for (const p of npm) {
    if (!p.direct || LOCK_SOURCES.has(p.source)) continue;
    if (!isRegistrySpec(p.spec) || localNames.has(p.name)) {
      notFromRegistry++;
      continue;
    }
    const lock = lockedFor(p);
    add({ via: p, name: p.name, installName: p.alias ?? p.name, locked: lock?.version, ...(lock ? { lockedAt: lock.where, lockedIntegrity: lock.integrity } : {}), requested: p.spec ?? 'latest' });
  }
  if (deep) {
    for (const p of locks) {
      if ((p.resolved && !/^https?:\/\//.test(p.resolved)) || localNames.has(p.name)) continue;
      add({ via: p, name: p.name, installName: p.alias ?? p.name, locked: p.version, lockedIntegrity: p.integrity, requested: p.version! });
    }
  }
  return { candidates: [...out.values()], notFromRegistry };
}
