/**
 * `lurescan org` as a person or a scheduled job meets it: a real process with GITHUB_TOKEN in its environment,
 * the API double and a real git daemon; then killed halfway and started again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { standardRepos, startOrgFixture, type FixtureRepo, type OrgFixture } from './support/org-fixture.js';
import { validateSarif } from './support/sarif-schema.js';
import type { OrgReport } from '../src/org/types.js';

const TOKEN = 'ghs_cliTest1111111111111111111111111TOKEN';
const RUNNER = path.join(ROOT, 'test', 'support', 'run-cli.ts');
let childTmp = '';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (kill: () => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, ...args], {
      cwd: ROOT,
      // A private TMPDIR: a run killed with SIGKILL cannot remove its git object stores; the test's cleanup does.
      env: { ...process.env, GITHUB_TOKEN: TOKEN, GH_TOKEN: '', CI: '1', NO_COLOR: '1', TMPDIR: childTmp, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}

function stateFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.json')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('lurescan org (CLI process, API double, real git daemon)', function () {
  this.timeout(240_000);
  let tmp: ReturnType<typeof tempDir>;
  let fx: OrgFixture;
  let repos: FixtureRepo[];

  before(async () => {
    tmp = tempDir('lurescan-org-cli-');
    childTmp = path.join(tmp.dir, 'child-tmp');
    mkdirSync(childTmp);
    repos = standardRepos();
    fx = await startOrgFixture(tmp.dir, 'acme', repos);
    fx.api.token = TOKEN;
    fx.api.maxPerPage = 7;
  });

  after(async () => {
    await fx?.stop();
    tmp?.cleanup();
  });

  it('GITHUB_TOKEN=… lurescan org acme --api-url <double>: every lure blocks, no benign blocks, every repo present, token never printed', async () => {
    const r = await runCli(['org', 'acme', '--api-url', fx.api.url, '--format', 'json', '--no-state']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as OrgReport;
    assert.ok(repos.length >= 12);
    assert.deepEqual(report.repositories.map((e) => e.name).sort(), repos.map((x) => x.name).sort());
    for (const x of repos) {
      const e = report.repositories.find((y) => y.name === x.name)!;
      if (x.expected === 'block') assert.equal(e.verdict, 'block', `${x.name} should block`);
      else assert.notEqual(e.verdict, 'block', `${x.name} is benign: ${e.findings.map((f) => f.ruleId).join(', ')}`);
    }
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
    assert.deepEqual(fx.api.problems(), []);
  });

  it('--format html writes the page; sarif validates; markdown and text summarise; the token is in none of them', async () => {
    const html = path.join(tmp.dir, 'org.html');
    const r = await runCli(['org', 'acme', '--api-url', fx.api.url, '--format', 'html', '--output', html, '--no-state']);
    assert.equal(r.code, 1, r.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /repositories are blocked/);
    assert.match(r.stderr, /report written to/);
    const sarif = await runCli(['org', 'acme', '--api-url', fx.api.url, '--format', 'sarif', '--no-state', '--fail-on', 'never']);
    assert.equal(sarif.code, 0);
    const log = JSON.parse(sarif.stdout);
    assert.deepEqual(validateSarif(log), []);
    assert.ok(log.runs[0].results.every((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0].physicalLocation.artifactLocation.uri.startsWith('acme/')));
    const md = await runCli(['org', 'acme', '--api-url', fx.api.url, '--format', 'markdown', '--no-state', '--fail-on', 'never']);
    assert.match(md.stdout, /Blocked: do not clone/);
    for (const out of [page, sarif.stdout, sarif.stderr, md.stdout, md.stderr, r.stderr]) assert.ok(!out.includes(TOKEN));
  });

  it('--api-url takes a GitHub Enterprise Server style URL (https://HOST/api/v3/)', async () => {
    fx.api.prefix = '/api/v3';
    try {
      const r = await runCli(['org', 'acme', '--api-url', `${fx.api.url}/api/v3/`, '--format', 'json', '--no-state', '--fail-on', 'never']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as OrgReport;
      assert.equal(report.repositories.length, repos.length);
      assert.equal(report.apiUrl, `${fx.api.url}/api/v3/`);
      assert.ok(fx.api.requests.filter((q) => q.operationId === 'repos/list-for-org').length >= 2, 'paginated under the prefix');
    } finally {
      fx.api.prefix = '';
    }
  });

  it('a bad token is a clear error with exit 2 and is not echoed', async () => {
    const r = await runCli(['org', 'acme', '--api-url', fx.api.url, '--no-state'], { GITHUB_TOKEN: 'wrong-token-value-1234' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /could not list repositories/);
    assert.ok(!r.stderr.includes('wrong-token-value-1234'));
  });

  it('killed mid-run and started again: every repository reported exactly once, finished ones not fetched again', async () => {
    const stateDir = path.join(tmp.dir, 'state');
    const before = fx.fetches();
    // Slow the HEAD lookups so the kill lands mid-run whatever the machine's speed.
    fx.api.faults.push({ operationId: 'repos/list-commits', delayMs: 150, times: 1000 });
    let killedAt = 0;
    const first = await runCli(['org', 'acme', '--api-url', fx.api.url, '--state-dir', stateDir, '--concurrency', '2', '--format', 'json', '--output', path.join(tmp.dir, 'run1.json')], {}, (kill) => {
      const timer = setInterval(() => {
        const n = stateFiles(stateDir).length;
        if (n >= 4) {
          killedAt = n;
          clearInterval(timer);
          kill();
        }
      }, 10);
    });
    fx.api.faults.length = 0;
    assert.equal(first.signal, 'SIGKILL', `the first run should have been killed: ${first.stderr}`);
    assert.ok(!existsSync(path.join(tmp.dir, 'run1.json')), 'a killed run writes no report');
    const finished = new Set(stateFiles(stateDir).map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { key: { fullName: string } }).key.fullName));
    assert.ok(finished.size >= killedAt && finished.size < repos.length, `finished before the kill: ${finished.size} of ${repos.length}`);
    const afterKill = fx.fetches();

    const second = await runCli(['org', 'acme', '--api-url', fx.api.url, '--state-dir', stateDir, '--concurrency', '2', '--format', 'json']);
    assert.equal(second.code, 1, second.stderr);
    const report = JSON.parse(second.stdout) as OrgReport;
    const names = report.repositories.map((e) => e.full_name);
    assert.equal(new Set(names).size, names.length, 'no repository twice');
    assert.deepEqual([...names].sort(), repos.map((x) => `acme/${x.name}`).sort(), 'every repository once');
    const fetched = fx.fetches();
    for (const e of report.repositories) {
      const n = (fetched.get(e.name) ?? 0) - (before.get(e.name) ?? 0);
      if (finished.has(e.full_name)) {
        assert.equal(e.source, 'state', `${e.full_name} finished before the kill`);
        assert.equal(n, 1, `${e.full_name} was fetched ${n} times`);
        assert.equal((fetched.get(e.name) ?? 0) - (afterKill.get(e.name) ?? 0), 0);
      } else {
        assert.equal(e.source, 'scan');
        assert.ok(n >= 1 && n <= 2, `${e.full_name} fetched ${n} times (at most once before and once after the kill)`);
      }
    }
    assert.equal(report.totals.fromState, finished.size);

    const mark = fx.api.requests.length;
    const third = await runCli(['org', 'acme', '--api-url', fx.api.url, '--state-dir', stateDir, '--format', 'json']);
    const again = JSON.parse(third.stdout) as OrgReport;
    assert.ok(again.repositories.every((e) => e.source === 'state'));
    assert.doesNotMatch(third.stderr, /304/, 'a 304 is the expected answer, not something to report');
    assert.deepEqual(again.repositories.map((e) => [e.full_name, e.verdict, e.headSha]), report.repositories.map((e) => [e.full_name, e.verdict, e.headSha]));
    assert.deepEqual(fx.fetches(), fetched, 'an unchanged org is reported without fetching anything');
    // Every HEAD question was conditional and answered 304, which costs no rate limit on GitHub.
    const heads = fx.api.requests.slice(mark).filter((q) => q.operationId === 'repos/list-commits');
    assert.equal(heads.length, repos.length);
    assert.ok(heads.every((q) => q.status === 304), heads.map((q) => q.status).join(','));
  });
});
