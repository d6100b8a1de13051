/** Look-alike names against the bundled popular list: table-driven, both what fires and what stays quiet. */
import assert from 'node:assert/strict';
import { loadSignatures } from '../src/signatures/load.js';
import { SquatIndex, osaDistance } from '../src/signatures/typosquat.js';

describe('typosquat index', () => {
  const s = loadSignatures();
  const idx = new SquatIndex(s.popular, s.popular.npmDistinct);
  const fires: [string, string, string][] = [
    ['dotevn', 'dotenv', 'edit-distance'],
    ['lodahs', 'lodash', 'edit-distance'],
    ['epxresso', 'express', 'edit-distance'],
    ['reactdom', 'react-dom', 'separator'],
    ['tai1windcss', 'tailwindcss', 'homoglyph'],
    ['types-node', '@types/node', 'scope-confusion'],
    ['@typescirpt-eslint/parser', '@typescript-eslint/parser', 'scope-confusion'],
    ['axios-sdk', 'axios', 'brand-suffix'],
    ['cross-env.js', 'cross-env', 'brand-suffix'],
  ];
  for (const [name, target, kind] of fires) {
    it(`${name} imitates ${target} (${kind})`, () => {
      const m = idx.check(name);
      assert.equal(m?.target, target);
      assert.equal(m?.kind, kind);
    });
  }
  for (const name of ['clsx', 'xlsx', 'recharts', 'echarts', 'react', 'preact', 'harmless-wrapper', 'my-company-internal-utils', '@acme/lodash', 'ms', 'ws']) {
    it(`${name} stays quiet`, () => assert.equal(idx.check(name), undefined));
  }
  it('osaDistance counts an adjacent swap as one edit and stops early', () => {
    assert.equal(osaDistance('dotenv', 'dotevn', 2), 1);
    assert.equal(osaDistance('abc', 'xyz', 1), 2);
  });
});
