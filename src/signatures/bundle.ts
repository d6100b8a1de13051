/**
 * The build step for bundled package records: read signatures/packages/*.json, validate every record against the
 * schema, and compile signatures/index/packages.idx. `npm run build` runs it (scripts/build-signatures.ts); a test
 * checks that the committed index is current.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileIndex, validateRecord, type OsvRecord } from './osv.js';
import { serialiseIndex as serialise, type CompiledIndex } from './package-db.js';

export interface BundleResult {
  index: CompiledIndex;
  errors: string[];
  files: number;
}

export function buildBundledIndex(signaturesDir: string): BundleResult {
  const dir = path.join(signaturesDir, 'packages');
  const errors: string[] = [];
  const records: OsvRecord[] = [];
  const ids = new Map<string, string>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    let data: { records?: unknown };
    try {
      data = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { records?: unknown };
    } catch (err) {
      errors.push(`${f}: not JSON (${(err as Error).message})`);
      continue;
    }
    if (!Array.isArray(data.records)) {
      errors.push(`${f}: expected { "records": [ … ] }`);
      continue;
    }
    data.records.forEach((rec: unknown, i: number) => {
      const problems = validateRecord(rec, path.join(signaturesDir, 'schema'));
      const id = (rec as { id?: string }).id ?? `#${i}`;
      if (problems.length) {
        errors.push(`${f} ${id}: ${problems.join('; ')}`);
        return;
      }
      const r = rec as OsvRecord;
      if (!r.database_specific?.source && !r.references?.length) errors.push(`${f} ${id}: no provenance (database_specific.source or references)`);
      if (ids.has(r.id)) errors.push(`${f} ${id}: duplicate id (also in ${ids.get(r.id)})`);
      ids.set(r.id, f);
      records.push(r);
    });
  }
  // The newest record date, not the wall clock: rebuilding unchanged data gives a byte-identical index.
  const generated = records.reduce((m, r) => (r.modified > m ? r.modified : m), '1970-01-01T00:00:00Z');
  return { index: compileIndex({ name: 'bundled', generated, records }), errors, files: files.length };
}

export function serialiseIndex(index: CompiledIndex): string {
  return serialise(index);
}
