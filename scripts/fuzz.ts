/**
 * `npm run fuzz`: the long fast-check run. Every inventory parser gets FUZZ_RUNS cases (default 100,000); the
 * decoders, command analyser, URL classification, JSONC and reporters get FUZZ_OTHER_RUNS (default 20,000).
 * Prints cases, time and failures per property; a parser input that fails is written to
 * fixtures/fuzz/<parser id>/found-<seed>.bin, where test/fuzz-regressions.test.ts picks it up.
 *
 *   npm run fuzz                     all properties
 *   FUZZ_RUNS=1000 npm run fuzz      a quick pass
 *   FUZZ_ONLY=yarn npm run fuzz      properties whose name contains "yarn"
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { otherProperties, parserProperties } from '../test/fuzz/properties.js';

const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const otherRuns = Number(process.env.FUZZ_OTHER_RUNS ?? 20_000);
const only = process.env.FUZZ_ONLY;
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

let failed = 0;
let total = 0;
const started = performance.now();
console.log(`lurescan fuzz: seed ${seed}, ${runs} cases per parser, ${otherRuns} per other property`);
for (const p of [...parserProperties(), ...otherProperties()]) {
  if (only && !p.name.includes(only)) continue;
  const numRuns = p.parser ? runs : otherRuns;
  const t = performance.now();
  const details = await fc.check(p.property as fc.IAsyncProperty<[never]>, {
    numRuns,
    seed,
    endOnFailure: true,
    reporter: undefined,
    asyncReporter: undefined,
    interruptAfterTimeLimit: 30 * 60_000,
  } as fc.Parameters<[never]>);
  const ms = performance.now() - t;
  total += details.numRuns;
  const status = details.failed ? 'FAILED' : details.interrupted ? 'interrupted' : 'ok';
  console.log(`${status.padEnd(11)} ${String(details.numRuns).padStart(7)} cases ${(ms / 1000).toFixed(1).padStart(7)} s  ${p.name}`);
  if (details.failed) {
    failed++;
    console.log(`  seed ${details.seed} path ${details.counterexamplePath}: ${String(details.errorInstance).slice(0, 500)}`);
    const ex = details.counterexample?.[0] as unknown;
    if (p.parser && Buffer.isBuffer(ex)) {
      const id = p.name.split(' ')[1];
      const dir = path.join(root, 'fixtures', 'fuzz', ...id.split('/'));
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `found-${details.seed}.bin`);
      writeFileSync(file, ex);
      console.log(`  counterexample written to ${path.relative(root, file)}`);
    }
  }
}
console.log(`${total} cases in ${((performance.now() - started) / 1000).toFixed(0)} s, ${failed} failing properties`);
process.exitCode = failed ? 1 : 0;
