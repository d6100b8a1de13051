/**
 * The short fuzz run inside `npm test`: a few hundred cases per property (the long run is `npm run fuzz`).
 * Seeded, so a failure reproduces; the seed and path fast-check prints go into a regression case in test/fuzz/.
 */
import fc from 'fast-check';
import { otherProperties, parserProperties } from './fuzz/properties.js';

const RUNS = Number(process.env.LURESCAN_FUZZ_RUNS ?? 200);

describe('fuzz (fast-check, short run)', function () {
  this.timeout(300_000);
  for (const p of [...parserProperties(), ...otherProperties()]) {
    it(p.name, async () => {
      await fc.assert(p.property as fc.IAsyncProperty<[never]>, { numRuns: RUNS, seed: 20261125, interruptAfterTimeLimit: 120_000 });
    });
  }
});
