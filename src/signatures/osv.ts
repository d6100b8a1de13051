/**
 * OSV-shaped package records (the shape of ossf/malicious-packages MAL- records): validation against
 * signatures/schema/osv-record.schema.json and compilation into the compact index lurescan loads at scan time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { ecosystemOf, packageKey } from './names.js';
import type { CompiledIndex, IndexEntry, VersionSpec } from './package-db.js';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  affected: {
    package: { ecosystem: string; name: string; purl?: string };
    versions?: string[];
    ranges?: { type: 'SEMVER' | 'ECOSYSTEM' | 'GIT'; events: OsvEvent[] }[];
    database_specific?: Record<string, unknown>;
  }[];
  references?: { type?: string; url: string }[];
  database_specific?: { campaign?: string; confidence?: 'confirmed' | 'unverified'; source?: string; [k: string]: unknown };
}

let validator: ValidateFunction | undefined;

/** Validate one record; returns the reasons it is invalid (empty when valid). */
export function validateRecord(record: unknown, schemaDir: string): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(schemaDir, 'osv-record.schema.json'), 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (validator(record)) return [];
  return (validator.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** OSV range events → [introduced, fixed, lastAffected] intervals, in order. */
function intervals(events: OsvEvent[]): [string, string | null, string | null][] {
  const out: [string, string | null, string | null][] = [];
  let open: string | undefined;
  for (const e of events) {
    if (e.introduced !== undefined) {
      if (open !== undefined) out.push([open, null, null]);
      open = e.introduced;
    } else if (e.fixed !== undefined && open !== undefined) {
      out.push([open, e.fixed, null]);
      open = undefined;
    } else if (e.last_affected !== undefined && open !== undefined) {
      out.push([open, null, e.last_affected]);
      open = undefined;
    }
  }
  if (open !== undefined) out.push([open, null, null]);
  return out;
}

function specOf(a: OsvRecord['affected'][number]): VersionSpec {
  const r = (a.ranges ?? []).filter((x) => x.type !== 'GIT').flatMap((x) => intervals(x.events));
  // "introduced 0" with no upper bound is every version: the common shape of MAL- records.
  if (r.some(([i, f, l]) => i === '0' && f === null && l === null)) return 0;
  const v = a.versions ?? [];
  if (!v.length && !r.length) return 0; // OSV: no versions and no ranges = every version
  const spec: Exclude<VersionSpec, 0> = {};
  if (v.length) spec.v = v;
  if (r.length) spec.r = r;
  // Versions the registry removed since (lurescan's registry_removed: version → when), for ranges that admit only those.
  const removed = a.database_specific?.registry_removed;
  if (removed && typeof removed === 'object') {
    const x = Object.entries(removed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && v.includes(e[0]));
    if (x.length) spec.x = x;
  }
  return spec;
}

export interface CompileInput {
  name: string;
  generated: string;
  records: OsvRecord[];
}

/** Records → the compact index. Withdrawn records and ecosystems other than npm and PyPI are left out. */
export function compileIndex(input: CompileInput): CompiledIndex {
  const campaigns: string[] = [];
  const campaignIdx = new Map<string, number>();
  const index: CompiledIndex = { format: 2, name: input.name, generated: input.generated, records: 0, counts: {}, campaigns, packages: {} };
  const sorted = [...input.records].sort((a, b) => a.id.localeCompare(b.id));
  for (const rec of sorted) {
    if (rec.withdrawn) continue;
    const affected = rec.affected.filter((a) => ecosystemOf(a.package.ecosystem));
    if (!affected.length) continue;
    const campaign = rec.database_specific?.campaign;
    let c = -1;
    if (campaign) {
      c = campaignIdx.get(campaign) ?? campaigns.length;
      if (c === campaigns.length) {
        campaigns.push(campaign);
        campaignIdx.set(campaign, c);
      }
    }
    const flags = rec.database_specific?.confidence === 'unverified' ? 1 : 0;
    const ref = rec.references?.find((r) => /^https:\/\//.test(r.url))?.url ?? '';
    index.records++;
    for (const a of affected) {
      const eco = ecosystemOf(a.package.ecosystem)!;
      const byName = (index.packages[eco] ??= Object.create(null) as Record<string, IndexEntry[]>);
      const key = packageKey(eco, a.package.name);
      if (!Object.prototype.hasOwnProperty.call(byName, key)) byName[key] = [];
      byName[key].push([rec.id, c, flags, ref, specOf(a)]);
      index.counts[eco] = (index.counts[eco] ?? 0) + 1;
    }
  }
  return index;
}
