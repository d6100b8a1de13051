/** offscreen-code's run finder against the regex it replaces, on generated text: the same runs, in the same order. */
import assert from 'node:assert/strict';
import { blankRuns } from '../src/rules/offscreen-code.js';

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const viaRegex = (text: string, min: number) => [...text.matchAll(new RegExp(`[ \\t]{${min},}`, 'g'))].map((m) => ({ index: m.index, length: m[0].length }));

describe('offscreen-code blank runs', () => {
  it('finds exactly the maximal runs the regex finds, at every length around the bound and at the edges of the text', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const min = seed % 4 === 0 ? 150 : 1 + Math.floor(r() * 20);
      let text = '';
      const parts = 1 + Math.floor(r() * 12);
      for (let k = 0; k < parts; k++) {
        // Runs shorter than, equal to and longer than the bound, of spaces, tabs or both, between bits of code.
        const len = Math.max(0, min + Math.floor((r() - 0.5) * 2 * min) + (r() < 0.2 ? min * 3 : 0));
        const blanks = Array.from({ length: len }, () => (r() < 0.7 ? ' ' : '\t')).join('');
        const code = r() < 0.15 ? '' : ['x', 'a = 1;', '\n', 'require("x")\n', ' y', '\t\tz'][Math.floor(r() * 6)];
        text += r() < 0.5 ? blanks + code : code + blanks;
      }
      assert.deepEqual([...blankRuns(text, min)], viaRegex(text, min), `seed ${seed}, min ${min}: ${JSON.stringify(text.slice(0, 200))}`);
    }
  });

  it('a text of nothing but blanks is one run; runs of one short of the bound are none', () => {
    assert.deepEqual([...blankRuns(' '.repeat(1000))], [{ index: 0, length: 1000 }]);
    assert.deepEqual([...blankRuns(`a${' '.repeat(149)}b${'\t'.repeat(149)}c`)], []);
    assert.deepEqual([...blankRuns(`a${' '.repeat(150)}b`)], [{ index: 1, length: 150 }]);
    assert.deepEqual([...blankRuns('')], []);
  });
});
