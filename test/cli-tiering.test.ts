/** The command's V8 tiering flags (src/cli/tiering.ts): the right flag for each V8, and no noise from an unknown one. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { INLINING_BUDGET, TIER_UP_FACTOR, tieringFlags } from '../src/cli/tiering.js';
import { NODE24 } from './support/runner.js';
import { ROOT } from './helpers.js';

describe('CLI tiering flags', () => {
  it('scales the bytecode budget up to V8 11 and the invocation counts from V8 12, halves the inlining budget, and sets nothing on an unchecked V8', () => {
    const inlining = ['--max-inlined-bytecode-size=230', '--max-inlined-bytecode-size-cumulative=460'];
    assert.deepEqual(Object.keys(INLINING_BUDGET).map((f) => `--${f}=${INLINING_BUDGET[f as keyof typeof INLINING_BUDGET]}`), inlining);
    assert.deepEqual(tieringFlags('11.3.244.8-node.38'), [`--interrupt-budget=${67_584 * TIER_UP_FACTOR}`, ...inlining]);
    const counts = tieringFlags('13.6.233.17-node.63');
    assert.deepEqual(counts, [
      `--invocation-count-for-maglev=${400 * TIER_UP_FACTOR}`,
      `--invocation-count-for-maglev-osr=${100 * TIER_UP_FACTOR}`,
      `--invocation-count-for-turbofan=${3000 * TIER_UP_FACTOR}`,
      `--invocation-count-for-osr=${500 * TIER_UP_FACTOR}`,
      ...inlining,
    ]);
    assert.deepEqual(tieringFlags('12.4.254.21-node.57'), counts);
    assert.deepEqual(tieringFlags('14.6.202.34-node.40'), counts);
    assert.deepEqual(tieringFlags('15.0.1'), []);
    assert.deepEqual(tieringFlags(''), []);
    assert.deepEqual(tieringFlags('11.3.244.8', 2), ['--interrupt-budget=135168', ...inlining]);
  });

  // V8 reports a flag it does not know on stderr, not as an exception: every scan on Node 22 and 24 once began with
  // "Error: unrecognized flag --interrupt-budget". Set them under each runtime there is and read what it prints.
  for (const [label, node] of [
    ['this Node', process.execPath],
    ['Node 24', NODE24],
  ] as const) {
    it(`sets its flags under ${label} without a word on stderr, and the command starts quietly`, function () {
      if (!existsSync(node)) this.skip(); // npm run setup:node24 installs it (.ci/run does)
      const module = pathToFileURL(path.join(ROOT, 'build', 'cli', 'tiering.js')).href;
      const set = spawnSync(node, ['--input-type=module', '-e', `import { tierUpLater } from ${JSON.stringify(module)}; console.log(JSON.stringify(tierUpLater()))`], { encoding: 'utf8' });
      assert.equal(set.status, 0, set.stderr);
      assert.equal(set.stderr, '');
      const flags = JSON.parse(set.stdout) as string[];
      assert.ok(flags.length > 0, `flags for V8 ${process.versions.v8}`);
      const version = spawnSync(node, [path.join(ROOT, 'bin', 'lurescan.cjs'), '--version'], { encoding: 'utf8' });
      assert.equal(version.status, 0, version.stderr);
      assert.equal(version.stderr, '');
    });
  }
});
