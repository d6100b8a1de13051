// Validates signatures/packages/*.json and writes the compiled index signatures/index/packages.idx.
// Part of `npm run build`; exits 1 (and writes nothing) when any record is invalid.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildBundledIndex, serialiseIndex } from '../src/signatures/bundle.js';

const dir = path.resolve(process.argv[2] ?? 'signatures');
const { index, errors, files } = buildBundledIndex(dir);
if (errors.length) {
  for (const e of errors) console.error(`signatures: ${e}`);
  process.exit(1);
}
const out = path.join(dir, 'index', 'packages.idx');
mkdirSync(path.dirname(out), { recursive: true });
const text = serialiseIndex(index);
writeFileSync(out, text);
console.log(`signatures: ${index.records} records from ${files} files → ${path.relative(process.cwd(), out)} (${(text.length / 1024).toFixed(1)} KiB)`);
