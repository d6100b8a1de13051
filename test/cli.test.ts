/** The CLI as users meet it: the installed bin, real processes, exit codes, report formats. Needs `npm run build`. */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, ROOT, tempDir } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'lurescan.cjs');

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lurescan CLI', function () {
  this.timeout(60_000);
  before(function () {
    if (!existsSync(path.join(ROOT, 'build', 'cli', 'main.js'))) throw new Error('run `npm run build` first (npm test does)');
  });

  it('--help teaches with examples and exit codes', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:/);
    assert.match(r.stdout, /lurescan https:\/\/github\.com\//);
    assert.match(r.stdout, /Exit codes:/);
    assert.match(r.stdout, /--fail-on/);
  });

  it('--version prints the package version', () => {
    const r = run(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('a lure blocks: exit 1, verdict first, file:line, remediation', () => {
    const r = run([path.join(FIXTURES, 'repos', 'lure-fake-font-task')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout.split('\n')[0], /^BLOCK/);
    assert.match(r.stdout, /\.vscode\/tasks\.json:\d+/);
    assert.match(r.stdout, /→ /);
  });

  it("the README's sample text report is what the scan prints (up to the timing)", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /### What the text report looks like\n+```\n([\s\S]*?)\n```/.exec(readme);
    assert.ok(block, 'README has the sample block');
    const sample = block[1].split('\n').filter((l) => l !== '…');
    // The sample is run from the repository root, as the README's "Try it" does, and as a first scan on the machine
    // (a second one says its answer was reused).
    const r = spawnSync(process.execPath, [BIN, 'fixtures/repos/lure-fake-font-task', '--no-cache'], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    const timing = (l: string) => l.replace(/ · \d+ ms$/, ' · N ms');
    assert.deepEqual(sample.map(timing), r.stdout.split('\n').slice(0, sample.length).map(timing), 'regenerate the README sample from a real run');
  });

  it('a second scan of the same tree says its answer was reused, and --no-cache judges it again', () => {
    const t = tempDir();
    try {
      const lure = path.join(FIXTURES, 'repos', 'lure-fake-font-task');
      const cache = ['--cache-dir', path.join(t.dir, 'cache')];
      const first = run([lure, ...cache]);
      const second = run([lure, ...cache]);
      assert.equal(first.code, 1);
      assert.equal(second.code, 1);
      assert.doesNotMatch(first.stdout, /answer reused/);
      assert.match(second.stdout, /the same tree was scanned before: its answer reused/);
      assert.deepEqual(second.stdout.split('\n').slice(2), first.stdout.split('\n').slice(2), 'the same findings');
      const json = run([lure, ...cache, '--format', 'json']);
      assert.equal(JSON.parse(json.stdout).stats.reused, true);
      assert.equal(JSON.parse(run([lure, '--no-cache', '--format', 'json']).stdout).stats.reused, undefined);
    } finally {
      t.cleanup();
    }
  });

  it('the command (its bundle, build/bundle/) judges every fixture repository as the library does: verdict, completeness, findings', async function () {
    this.timeout(300_000);
    // The bundle is one CommonJS function of every module, lazily loaded ones included (an earlier ESM bundle kept them
    // as chunks, and a CommonJS chunk exposed only a default export: yarn berry lockfiles did not parse).
    assert.ok(existsSync(path.join(ROOT, 'build', 'bundle', 'lurescan.cjs')), 'npm run build makes the bundle');
    const { scanFolder } = await import('./helpers.js');
    const names = readFileSync(path.join(FIXTURES, 'repos', 'expectations.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
    assert.ok(names.length > 50);
    const pending = [...names];
    const worker = async () => {
      for (let name = pending.shift(); name; name = pending.shift()) {
        const dir = path.join(FIXTURES, 'repos', name);
        const cli = await new Promise<string>((resolve) => {
          execFile(process.execPath, [BIN, dir, '--no-cache', '--format', 'json', '--fail-on', 'never'], { maxBuffer: 64 * 1024 * 1024 }, (_e, stdout) => resolve(stdout));
        });
        const got = JSON.parse(cli) as { verdict: string; complete: boolean; findings: { ruleId: string; location: { file: string; line?: number } }[] };
        const lib = await scanFolder(dir);
        const shape = (r: typeof got) => ({ verdict: r.verdict, complete: r.complete, findings: r.findings.map((f) => `${f.ruleId} ${f.location.file}:${f.location.line ?? ''}`) });
        assert.deepEqual(shape(got), shape(lib as unknown as typeof got), name);
      }
    };
    await Promise.all([worker(), worker()]);
  });

  it('a benign repo exits 0', () => {
    const r = run([path.join(FIXTURES, 'repos', 'benign-husky-prisma')]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^PASS|^WARN/);
  });

  it('--fail-on warn makes a warn exit 1, --fail-on never makes a block exit 0', () => {
    const warn = run([path.join(FIXTURES, 'rules', 'prebuilt-binary', 'positive', 'exe-in-src'), '--fail-on', 'warn']);
    assert.equal(warn.code, 1, warn.stdout);
    const never = run([path.join(FIXTURES, 'repos', 'lure-tasks-curl'), '--fail-on', 'never']);
    assert.equal(never.code, 0);
  });

  it('--format json has the contract fields; --output writes the file', () => {
    const t = tempDir();
    try {
      const out = path.join(t.dir, 'r.json');
      const r = run([path.join(FIXTURES, 'repos', 'lure-install-background'), '--format', 'json', '--output', out, '--quiet']);
      assert.equal(r.code, 1);
      const j = JSON.parse(readFileSync(out, 'utf8'));
      for (const k of ['verdict', 'complete', 'findings', 'diagnostics', 'target', 'provenance', 'stats', 'signatures']) assert.ok(k in j, k);
      assert.equal(j.verdict, 'block');
      const f = j.findings[0];
      for (const k of ['ruleId', 'severity', 'confidence', 'message', 'location', 'evidence', 'fingerprint']) assert.ok(k in f, k);
      for (const k of ['file', 'line', 'snippet']) assert.ok(k in f.location, k);
      assert.match(f.fingerprint, /^[0-9a-f]{32}$/);
      for (const k of ['files', 'bytes', 'ms']) assert.equal(typeof j.stats[k], 'number');
    } finally {
      t.cleanup();
    }
  });

  it('fingerprints are stable across runs and locations', () => {
    const a = JSON.parse(run([path.join(FIXTURES, 'repos', 'lure-tasks-curl'), '--format', 'json']).stdout);
    const b = JSON.parse(run([path.join(FIXTURES, 'repos', 'lure-tasks-curl'), '--format', 'json']).stdout);
    assert.deepEqual(a.findings.map((f: { fingerprint: string }) => f.fingerprint), b.findings.map((f: { fingerprint: string }) => f.fingerprint));
  });

  it('usage errors exit 2 with a helpful message', () => {
    const missing = run(['/nonexistent/folder']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or folder/);
    const badFlag = run([path.join(FIXTURES, 'repos', 'lure-tasks-curl'), '--format', 'yaml']);
    assert.equal(badFlag.code, 2);
    const badRule = run([path.join(FIXTURES, 'repos', 'lure-tasks-curl'), '--rule', 'no-such-rule']);
    assert.equal(badRule.code, 2);
    assert.match(badRule.stderr, /unknown rule id/);
    const none = run([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /Examples:/);
  });

  it('--strict exits 3 when content was skipped, and the report says INCOMPLETE', () => {
    const t = tempDir();
    try {
      writeFileSync(path.join(t.dir, 'big.js'), Buffer.alloc(9 * 1024 * 1024, 0x61));
      writeFileSync(path.join(t.dir, 'package.json'), '{"name":"x"}');
      const r = run([t.dir, '--strict']);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stdout, /INCOMPLETE/);
      assert.match(r.stdout, /big\.js/);
      const lax = run([t.dir]);
      assert.equal(lax.code, 0);
    } finally {
      t.cleanup();
    }
  });

  it('escapes control characters in names and snippets from the scanned repo', () => {
    const t = tempDir();
    try {
      const evil = 'x\u001b]0;pwned\u0007\u001b[2J.woff2';
      mkdirSync(path.join(t.dir, 'fonts'));
      writeFileSync(path.join(t.dir, 'fonts', evil), "require('child_process'); // \u001b[31mred\n");
      const r = run([t.dir]);
      assert.ok(!r.stdout.includes('\u001b'), 'no raw ESC reaches the terminal');
      assert.match(r.stdout, /\\x1b\]0;pwned\\x07/);
    } finally {
      t.cleanup();
    }
  });

  it('rules and explain', () => {
    const list = run(['rules']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /lifecycle-script\s+critical/);
    const ex = run(['explain', 'lifecycle-script']);
    assert.equal(ex.code, 0);
    assert.match(ex.stdout, /^# lifecycle-script/);
    assert.equal(run(['explain', 'nope']).code, 2);
  });

  it('a reader that closes the pipe early (| head) gets no stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0);
    assert.doesNotMatch(stderr, /EPIPE|at .*\.js:\d+/);
  });

  it('scans an archive given on the command line', () => {
    const r = run([path.join(FIXTURES, 'archives', 'lure-take-home.zip')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /git-config-exec/);
  });
});
