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

/**
 * 0 = every version; otherwise exact versions and/or [introduced, fixed, last_affected] intervals, and x: the exact
 * versions the registry has since removed, with when ([version, ISO date]).
 */
export type VersionSpec = 0 | { v?: string[]; r?: [string, string | null, string | null][]; x?: [string, string][] };

/** One record's claim on one package name: [record id, campaign index or -1, flags (bit 0: unverified), first https reference or '', versions]. */
export type IndexEntry = [string, number, number, string, VersionSpec];

/** The compiled index in memory, as compileIndex builds it. */
export interface CompiledIndex {
  format: 2;
  /** 'bundled' or 'osv' (the imported feed). */
  name: string;
  /** ISO date the index was compiled or imported. */
  generated: string;
  /** Records in the index. */
  records: number;
  /** Affected-package entries per ecosystem. */
  counts: Partial<Record<PackageEcosystem, number>>;
  campaigns: string[];
  packages: Partial<Record<PackageEcosystem, Record<string, IndexEntry[]>>>;
}

/** What PackageDb needs from an index, whether it was compiled in memory or read from a file. */
export interface IndexReader {
  readonly name: string;
  readonly generated: string;
  readonly records: number;
  readonly counts: Partial<Record<PackageEcosystem, number>>;
  readonly campaigns: string[];
  /** Distinct names per ecosystem. */
  readonly names: Partial<Record<PackageEcosystem, number>>;
  entries(ecosystem: PackageEcosystem, key: string): IndexEntry[] | undefined;
}

const MAGIC = '#lurescan-package-index';

/**
 * The file format: one JSON header line (with the character range of each ecosystem's section), then per ecosystem one
 * line per name, sorted, `name<TAB>[entries as JSON]`. Loading reads the text and the header only; a lookup is a binary
 * search over the section's lines and parses one line. That keeps a 200,000-record index loadable in milliseconds,
 * where JSON.parse of the whole file would take hundreds.
 */
export function serialiseIndex(idx: CompiledIndex): string {
  const sections: Record<string, [number, number]> = {};
  const names: Record<string, number> = {};
  let body = '';
  for (const eco of Object.keys(idx.packages).sort() as PackageEcosystem[]) {
    const byName = idx.packages[eco] ?? {};
    const keys = Object.keys(byName).filter((k) => !/[\t\n\r]/.test(k)).sort(compare);
    const start = body.length;
    body += keys.map((k) => `${k}\t${JSON.stringify(byName[k])}\n`).join('');
    sections[eco] = [start, body.length];
    names[eco] = keys.length;
  }
  const header = { format: 2, name: idx.name, generated: idx.generated, records: idx.records, counts: idx.counts, campaigns: idx.campaigns, names, sections };
  return `${MAGIC} ${JSON.stringify(header)}\n${body}`;
}

/** Plain code-unit order, the same on write and on lookup. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function parseIndexText(text: string): IndexReader {
  if (!text.startsWith(MAGIC)) throw new Error('not a lurescan package index');
  const nl = text.indexOf('\n');
  const header = JSON.parse(text.slice(MAGIC.length + 1, nl)) as Omit<CompiledIndex, 'packages' | 'format'> & {
    format: number;
    names: Partial<Record<PackageEcosystem, number>>;
    sections: Partial<Record<PackageEcosystem, [number, number]>>;
  };
  if (header.format !== 2) throw new Error(`index format ${header.format}, expected 2`);
  const base = nl + 1;
  // Line starts per section, found on first use with one indexOf pass (a few ms for 200,000 lines); lookups are then
  // a binary search over this array.
  const starts = new Map<PackageEcosystem, Uint32Array>();
  const startsOf = (eco: PackageEcosystem): Uint32Array | undefined => {
    const sec = header.sections[eco];
    if (!sec) return undefined;
    let arr = starts.get(eco);
    if (!arr) {
      const out: number[] = [];
      const end = base + sec[1];
      for (let i = base + sec[0]; i < end; i = text.indexOf('\n', i) + 1) {
        out.push(i);
        if (text.indexOf('\n', i) < 0) break;
      }
      arr = Uint32Array.from(out);
      starts.set(eco, arr);
    }
    return arr;
  };
  return {
    name: header.name,
    generated: header.generated,
    records: header.records,
    counts: header.counts,
    campaigns: header.campaigns,
    names: header.names,
    entries(eco, key) {
      const arr = startsOf(eco);
      if (!arr) return undefined;
      let lo = 0;
      let hi = arr.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const start = arr[mid];
        const tab = text.indexOf('\t', start);
        const c = compare(key, text.slice(start, tab));
        if (c === 0) return JSON.parse(text.slice(tab + 1, text.indexOf('\n', tab))) as IndexEntry[];
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
      }
      return undefined;
    },
  };
}

export function objectReader(idx: CompiledIndex): IndexReader {
  const names: Partial<Record<PackageEcosystem, number>> = {};
  for (const [eco, byName] of Object.entries(idx.packages)) names[eco as PackageEcosystem] = Object.keys(byName ?? {}).length;
  return {
    name: idx.name,
    generated: idx.generated,
    records: idx.records,
    counts: idx.counts,
    campaigns: idx.campaigns,
    names,
    entries(eco, key) {
      const byName = idx.packages[eco];
      return byName && Object.prototype.hasOwnProperty.call(byName, key) ? byName[key] : undefined;
    },
  };
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
  /** For how 'range': the record's exact versions the range admits (undefined when the record has intervals too). */
  admitted?: string[];
  /** The record's versions the registry has removed since, with when (version → ISO date). */
  removed?: Record<string, string>;
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

const PLAIN = /^\d+\.\d+\.\d+$/;

function versionEq(eco: PackageEcosystem, a: string, b: string): boolean {
  if (a === b) return true;
  // Two plain x.y.z strings that differ are different versions in both schemes: skip the parsers (the hot path).
  if (PLAIN.test(a) && PLAIN.test(b)) return false;
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
export function specMatches(eco: PackageEcosystem, spec: VersionSpec, q: Pick<PackageQuery, 'version' | 'spec'>, versionIsValid?: boolean): PackageRecordMatch['how'] | undefined {
  const version = q.version && (versionIsValid ?? validVersion(eco, q.version)) ? q.version : undefined;
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

function lookup(idx: IndexReader, q: PackageQuery): PackageRecordMatch[] {
  const entries = idx.entries(q.ecosystem, packageKey(q.ecosystem, q.name));
  if (!entries) return [];
  const out: PackageRecordMatch[] = [];
  const valid = q.version ? validVersion(q.ecosystem, q.version) : false;
  for (const [id, c, flags, ref, spec] of entries) {
    const how = specMatches(q.ecosystem, spec, q, valid);
    if (!how) continue;
    out.push({
      id,
      ecosystem: q.ecosystem,
      name: q.name,
      campaign: c >= 0 ? idx.campaigns[c] : undefined,
      confidence: flags & 1 ? 'unverified' : 'confirmed',
      reference: ref || undefined,
      source: idx.name,
      allVersions: spec === 0,
      versions: spec === 0 ? undefined : spec.v,
      ...(how === 'range' && spec !== 0 && spec.v && !spec.r ? { admitted: spec.v.filter((x) => rangeAdmits(q.ecosystem, q.spec!, x)) } : {}),
      ...(spec !== 0 && spec.x?.length ? { removed: Object.fromEntries(spec.x) } : {}),
      how,
    });
  }
  return out;
}

export interface IndexLoadError {
  file: string;
  message: string;
}

/** The merged database. Indexes are read on first use; a missing optional index (no cache yet) is not an error. */
export class PackageDb {
  private loaded?: IndexReader[];
  readonly errors: IndexLoadError[] = [];

  constructor(
    private readonly sources: { file: string; optional: boolean }[],
    private readonly preloaded: CompiledIndex[] = [],
  ) {}

  static fromIndexes(indexes: CompiledIndex[]): PackageDb {
    return new PackageDb([], indexes);
  }

  indexes(): IndexReader[] {
    return this.load();
  }

  private load(): IndexReader[] {
    if (this.loaded) return this.loaded;
    const out = this.preloaded.map(objectReader);
    for (const s of this.sources) {
      if (!existsSync(s.file)) {
        if (!s.optional) this.errors.push({ file: s.file, message: 'missing' });
        continue;
      }
      try {
        if (!statSync(s.file).isFile()) throw new Error('not a file');
        out.push(parseIndexText(readFileSync(s.file, 'utf8')));
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
      for (const m of lookup(idx, q)) {
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
    return this.load().some((l) => l.entries(ecosystem, key) !== undefined);
  }
}
