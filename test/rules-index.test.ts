/** docs/rules/README.md is generated from rule meta; this fails when it is stale (run `npm run docs:rules`). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rulesIndex } from '../scripts/rules-index.js';
import { ROOT } from './helpers.js';

describe('docs/rules/README.md', () => {
  it('matches the rule meta (npm run docs:rules regenerates it)', () => {
    assert.equal(readFileSync(path.join(ROOT, 'docs', 'rules', 'README.md'), 'utf8'), rulesIndex());
  });
});
