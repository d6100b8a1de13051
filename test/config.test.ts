/** The configuration file: schema errors that name the key, and what applying it does to a result. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, tempDir } from './helpers.js';
import { parseConfigText, loadConfigFile, isInside } from '../src/config/load.js';
import { applyConfig } from '../src/config/apply.js';
import { globMatch } from '../src/config/glob.js';
import { main } from '../src/cli/main.js';
import type { ScanResult } from '../src/types.js';

const result = JSON.parse(readFileSync(path.join(FIXTURES, 'reporters', 'result.json'), 'utf8')) as ScanResult;

describe('config: validation', () => {
  const bad: [string, string, RegExp][] = [
    ['unknown top-level key', 'failon: warn\n', /\.lurescan\.yml: failon: unknown key/],
    ['bad fail-on', 'fail-on: sometimes\n', /fail-on: must be one of block, warn, never/],
    ['bad rule setting', 'rules:\n  c2-url: offf\n', /rules\.c2-url: must be one of off, on, critical/],
    ['unknown rule id', 'rules:\n  no-such-rule: off\n', /rules\.no-such-rule: unknown rule id/],
    ['suppression without reason', 'suppressions:\n  - rule: c2-url\n    expires: 2027-01-01\n', /suppressions\[0\]\.reason: is required/],
    ['suppression without expiry', 'suppressions:\n  - rule: c2-url\n    reason: vetted host\n', /suppressions\[0\]\.expires: is required/],
    ['bad date', 'suppressions:\n  - rule: c2-url\n    reason: vetted host\n    expires: next year\n', /suppressions\[0\]\.expires: must be a date YYYY-MM-DD/],
    ['unknown suppression key', 'suppressions:\n  - rule: c2-url\n    reason: vetted host\n    expires: 2027-01-01\n    until: x\n', /suppressions\[0\]\.until: unknown key/],
    ['not YAML', 'rules: [\n', /not valid YAML/],
  ];
  for (const [name, text, want] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => parseConfigText(text, '.lurescan.yml'), want));
  }

  it('accepts a full config, in YAML and JSON', () => {
    const yml = 'fail-on: warn\nrules:\n  c2-url: off\n  prebuilt-binary: info\nignore-paths:\n  - vendor/**\nsuppressions:\n  - rule: lifecycle-script\n    path: tools/**\n    reason: our own build step\n    expires: 2027-03-31\n';
    const c = parseConfigText(yml, '.lurescan.yml');
    assert.equal(c['fail-on'], 'warn');
    assert.deepEqual(parseConfigText(JSON.stringify(c), '.lurescan.json'), c);
  });
});

describe('config: applying', () => {
  it('rules off, severity overrides, ignored paths, suppressions; verdict recomputed; all counted', () => {
    const out = applyConfig(result, {
      rules: { 'prebuilt-binary': 'off', 'lifecycle-script': 'low' },
      suppressions: [{ rule: 'editor-task-autorun', path: '.vscode/**', reason: 'vetted by the team', expires: '2026-12-31' }],
    }, { today: '2026-11-25', source: '.lurescan.yml' });
    assert.deepEqual(out.findings.map((f) => [f.ruleId, f.severity]), [['lifecycle-script', 'low']]);
    assert.equal(out.verdict, 'pass');
    assert.match(out.diagnostics.find((d) => d.code === 'config-filtered')!.message, /removed 2 finding\(s\): 1 from rules turned off, 0 in ignored paths, 1 suppressed/);
  });

  it('an expired suppression no longer applies and is itself reported', () => {
    const out = applyConfig(result, { suppressions: [{ rule: 'editor-task-autorun', reason: 'was vetted', expires: '2026-11-24' }] }, { today: '2026-11-25', source: '.lurescan.yml' });
    assert.equal(out.verdict, 'block');
    assert.ok(out.findings.some((f) => f.ruleId === 'editor-task-autorun'));
    assert.match(out.diagnostics.find((d) => d.code === 'suppression-expired')!.message, /expired on 2026-11-24/);
  });

  it('a suppression is active through its expiry day; an unused one is reported', () => {
    const out = applyConfig(result, { suppressions: [{ rule: 'editor-task-autorun', fingerprint: '3f2a9c1d4e5b6a70', reason: 'ok', expires: '2026-11-25' }, { rule: 'c2-url', reason: 'never matches', expires: '2027-01-01' }] }, { today: '2026-11-25', source: 'c.yml' });
    assert.ok(!out.findings.some((f) => f.ruleId === 'editor-task-autorun'));
    assert.ok(out.diagnostics.some((d) => d.code === 'suppression-unused'));
  });

  it('ignore-paths', () => {
    const out = applyConfig(result, { 'ignore-paths': ['.vscode'] }, { today: '2026-11-25', source: 'c.yml' });
    assert.ok(!out.findings.some((f) => f.location.file.startsWith('.vscode/')));
  });

  const globs: [string, string, boolean][] = [
    ['vendor/**', 'vendor/a/b.js', true], ['vendor/**', 'vendorx/a.js', false], ['vendor', 'x/vendor/a.js', true],
    ['*.min.js', 'a/b/c.min.js', true], ['src/*.js', 'src/a.js', true], ['src/*.js', 'src/a/b.js', false],
    ['**/test/**', 'test/b.js', true], ['a/**/b.js', 'a/b.js', true], ['a/**/b.js', 'a/x/y/b.js', true],
    ['a/?.js', 'a/bc.js', false], ['x.js', 'y/xx.js', false], ['docs/', 'docs/x.md', true],
  ];
  for (const [g, p, want] of globs) it(`glob ${g} ${want ? 'matches' : 'does not match'} ${p}`, () => assert.equal(globMatch(g, p), want));

  it('a hostile path does not make glob matching slow (bounded work)', () => {
    assert.equal(globMatch('**/*a*a*a*a*a*a*b', `${'a/'.repeat(500)}${'a'.repeat(2000)}`), false);
  });
});

describe('config: CLI', () => {
  it('a config inside the target is never read on its own; --config applies it explicitly', async () => {
    const t = tempDir();
    try {
      const repo = path.join(t.dir, 'repo');
      mkdirSync(path.join(repo, '.vscode'), { recursive: true });
      writeFileSync(path.join(repo, '.vscode', 'tasks.json'), readFileSync(path.join(FIXTURES, 'repos', 'lure-tasks-curl', '.vscode', 'tasks.json')));
      writeFileSync(path.join(repo, '.lurescan.yml'), 'rules:\n  c2-url: off\n  editor-task-autorun: off\n  editor-automatic-tasks: off\n');
      const run = async (args: string[]) => {
        let out = '';
        const code = await main(args, { stdout: (s) => (out += s), stderr: () => {}, isTTY: false, env: {} });
        return { code, out };
      };
      const plain = await run([repo, '--format', 'json']);
      assert.equal(plain.code, 1, 'the lure still blocks: its own .lurescan.yml was not read');
      assert.equal(JSON.parse(plain.out).verdict, 'block');
      assert.ok(isInside(path.join(repo, '.lurescan.yml'), repo));
      const opted = await run([repo, '--format', 'json', '--config', path.join(repo, '.lurescan.yml')]);
      assert.equal(JSON.parse(opted.out).verdict, 'pass');
      const bad = path.join(t.dir, 'bad.yml');
      writeFileSync(bad, 'rules:\n  c2-url: maybe\n');
      let err = '';
      const code = await main([repo, '--config', bad], { stdout: () => {}, stderr: (s) => (err += s), isTTY: false, env: {} });
      assert.equal(code, 2);
      assert.match(err, /rules\.c2-url: must be one of/);
      // A usage error from a module the CLI imports on demand still gets the usage hint.
      assert.match(err, /\(run lurescan --help for usage and examples\)/);
      assert.throws(() => loadConfigFile(path.join(t.dir, 'missing.yml')), /cannot read the config file/);
    } finally {
      t.cleanup();
    }
  });

  it('an expired suppression is reported on stderr by the CLI', async () => {
    const t = tempDir();
    try {
      const cfg = path.join(t.dir, 'c.yml');
      writeFileSync(cfg, 'suppressions:\n  - rule: c2-url\n    reason: was vetted once\n    expires: 2020-01-01\n');
      let err = '';
      const code = await main([path.join(FIXTURES, 'repos', 'lure-tasks-curl'), '--config', cfg], { stdout: () => {}, stderr: (s) => (err += s), isTTY: false, env: {} });
      assert.equal(code, 1, 'the expired suppression no longer hides the lure');
      assert.match(err, /warning: .*suppression 1 \(rule c2-url\) expired on 2020-01-01/);
    } finally {
      t.cleanup();
    }
  });

  it('--format sarif and --format markdown', async () => {
    for (const format of ['sarif', 'markdown']) {
      let out = '';
      await main([path.join(FIXTURES, 'repos', 'lure-tasks-curl'), '--format', format], { stdout: (s) => (out += s), stderr: () => {}, isTTY: false, env: {} });
      if (format === 'sarif') assert.equal(JSON.parse(out).version, '2.1.0');
      else assert.match(out, /BLOCK/);
    }
  });
});
