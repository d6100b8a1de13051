/**
 * The known-malicious package database: one or more compiled indexes (the bundled one, and the OSV import that
 * `lurescan signatures update` caches), loaded lazily and queried by ecosystem, normalised name and version.
 * npm versions and ranges are compared with semver, PyPI ones with PEP 440 (@renovatebot/pep440).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import type { PackageEcosystem } from '../types.js';
import { packageKey } from './names.js';

/** 0 = every version; otherwise exact versions and/or [introduced, fixed, last_affected] intervals. */
export type VersionSpec = 0 | { v?: string[]; r?: [string, string | null, string | null][] };

/** [id, campaign index or -1, flags (bit 0: unverified), first https reference or ''] */
export type CompiledRecord = [string, number, number, string];

export interface CompiledIndex {
  format: 1;
  /** 'bundled' or 'osv' (the imported feed). */
  name: string;
  /** ISO date the index was compiled or imported. */
  generated: string;
  /** Affected-package entries per ecosystem. */
  counts: Partial<Record<PackageEcosystem, number>>;
  campaigns: string[];
  records: CompiledRecord[];
  packages: Partial<Record<PackageEcosystem, Record<string, [number, VersionSpec][]>>>;
}

export interface PackageRecordMatch {
  id: string;
  ecosystem: PackageEcosystem;
  name: string;
  campaign?: string;
  confidence: 'confirmed' | 'unverified';
  reference?: string;
  /** Which index matched: 'bundled' or 'osv'. */
  source: string;
  /** True when the record covers every version of the name. */
  allVersions: boolean;
  /** The record's exact versions, when it lists them. */
  versions?: string[];
  /**
   * 'version': the package's exact version is affected. 'range': only a requested range is known, and it admits an
   * affected version. 'name': no usable version or range (git, alias, unparsable): the name matches.
   */
  how: 'version' | 'range' | 'name';
}

export interface PackageQuery {
  ecosystem: PackageEcosystem;
  name: string;
  /** An exact version (from a lockfile, or `==x` in a requirement). */
  version?: string;
  /** A requested range (package.json, requirement specifier). */
  spec?: string;
}

export interface IndexSource {
  name: string;
  file: string;
}

function inInterval(eco: PackageEcosystem, v: string, [intro, fixed, last]: [string, string | null, string | null]): boolean {
  try {
    if (eco === 'npm') {
      if (intro !== '0' && semver.lt(v, intro)) return false;
      if (fixed && !semver.lt(v, fixed)) return false;
      if (last && semver.gt(v, last)) return false;
      return true;
    }
    if (intro !== '0' && pep440.lt(v, intro)) return false;
    if (fixed && !pep440.lt(v, fixed)) return false;
    if (last && pep440.gt(v, last)) return false;
    return true;
  } catch {
    return false;
  }
}

function versionEq(eco: PackageEcosystem, a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return eco === 'npm' ? semver.valid(a) !== null && semver.valid(b) !== null && semver.eq(a, b) : pep440.eq(a, b);
  } catch {
    return false;
  }
}

function validVersion(eco: PackageEcosystem, v: string): boolean {
  return eco === 'npm' ? semver.valid(v) !== null : pep440.valid(v) !== null;
}

function validRange(eco: PackageEcosystem, r: string): boolean {
  if (eco === 'npm') return semver.validRange(r) !== null;
  return r.trim() === '' || pep440.validRange(r);
}

function rangeAdmits(eco: PackageEcosystem, range: string, v: string): boolean {
  try {
    if (eco === 'npm') return semver.satisfies(v, range, { includePrerelease: false });
    return range.trim() === '' || pep440.satisfies(v, range);
  } catch {
    return false;
  }
}

function rangeIntersects(eco: PackageEcosystem, range: string, [intro, fixed, last]: [string, string | null, string | null]): boolean {
  try {
    if (eco === 'npm') {
      const parts = [intro !== '0' ? `>=${intro}` : '', fixed ? `<${fixed}` : '', last ? `<=${last}` : ''].filter(Boolean).join(' ') || '*';
      return semver.intersects(range, parts);
    }
    // PEP 440 has no intersects: test the interval's end points, which is what a range can admit first.
    return [intro, last].some((p) => p && p !== '0' && pep440.satisfies(p, range)) || (intro === '0' && !fixed && !last);
  } catch {
    return true;
  }
}

/** Does a spec cover the query? Returns how, or undefined. */
export function specMatches(eco: PackageEcosystem, spec: VersionSpec, q: Pick<PackageQuery, 'version' | 'spec'>): PackageRecordMatch['how'] | undefined {
  const version = q.version && validVersion(eco, q.version) ? q.version : undefined;
  if (spec === 0) return version ? 'version' : q.spec && validRange(eco, q.spec) ? 'range' : 'name';
  if (version) {
    if (spec.v?.some((x) => versionEq(eco, x, version))) return 'version';
    if (spec.r?.some((iv) => inInterval(eco, version, iv))) return 'version';
    return undefined;
  }
  if (q.spec && validRange(eco, q.spec)) {
    if (spec.v?.some((x) => rangeAdmits(eco, q.spec!, x))) return 'range';
    if (spec.r?.some((iv) => rangeIntersects(eco, q.spec!, iv))) return 'range';
    return undefined;
  }
  // Neither an exact version nor a range we understand: the name matches a version-specific record.
  return 'name';
}

/** A loaded index plus its lookups. */
class LoadedIndex {
  constructor(readonly data: CompiledIndex) {}
  lookup(q: PackageQuery): PackageRecordMatch[] {
    const entries = this.data.packages[q.ecosystem]?.[packageKey(q.ecosystem, q.name)];
    if (!entries || !Object.prototype.hasOwnProperty.call(this.data.packages[q.ecosystem], packageKey(q.ecosystem, q.name))) return [];
    const out: PackageRecordMatch[] = [];
    for (const [recIdx, spec] of entries) {
      const how = specMatches(q.ecosystem, spec, q);
      if (!how) continue;
      const [id, c, flags, ref] = this.data.records[recIdx];
      out.push({
        id,
        ecosystem: q.ecosystem,
        name: q.name,
        campaign: c >= 0 ? this.data.campaigns[c] : undefined,
        confidence: flags & 1 ? 'unverified' : 'confirmed',
        reference: ref || undefined,
        source: this.data.name,
        allVersions: spec === 0,
        versions: spec === 0 ? undefined : spec.v,
        how,
      });
    }
    return out;
  }
}

export interface IndexLoadError {
  file: string;
  message: string;
}

/** The merged database. Indexes are read on first use; a missing optional index (no cache yet) is not an error. */
export class PackageDb {
  private loaded?: LoadedIndex[];
  readonly errors: IndexLoadError[] = [];

  constructor(
    private readonly sources: { file: string; optional: boolean }[],
    private readonly preloaded: CompiledIndex[] = [],
  ) {}

  static fromIndexes(indexes: CompiledIndex[]): PackageDb {
    return new PackageDb([], indexes);
  }

  indexes(): CompiledIndex[] {
    return this.load().map((l) => l.data);
  }

  private load(): LoadedIndex[] {
    if (this.loaded) return this.loaded;
    const out = this.preloaded.map((d) => new LoadedIndex(d));
    for (const s of this.sources) {
      if (!existsSync(s.file)) {
        if (!s.optional) this.errors.push({ file: s.file, message: 'missing' });
        continue;
      }
      try {
        if (!statSync(s.file).isFile()) throw new Error('not a file');
        const data = JSON.parse(readFileSync(s.file, 'utf8')) as CompiledIndex;
        if (data.format !== 1 || !data.packages || !Array.isArray(data.records)) throw new Error('not a lurescan package index (format 1)');
        out.push(new LoadedIndex(data));
      } catch (err) {
        this.errors.push({ file: s.file, message: (err as Error).message });
      }
    }
    this.loaded = out;
    return out;
  }

  /** Every record that covers the package, across all indexes; the same record id from two indexes is reported once. */
  match(q: PackageQuery): PackageRecordMatch[] {
    const seen = new Set<string>();
    const out: PackageRecordMatch[] = [];
    for (const idx of this.load()) {
      for (const m of idx.lookup(q)) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m);
      }
    }
    return out;
  }

  /** True when any index has a record for the name, whatever the version. */
  hasName(ecosystem: PackageEcosystem, name: string): boolean {
    const key = packageKey(ecosystem, name);
    return this.load().some((l) => {
      const byName = l.data.packages[ecosystem];
      return !!byName && Object.prototype.hasOwnProperty.call(byName, key);
    });
  }
}
