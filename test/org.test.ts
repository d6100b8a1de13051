/**
 * `lurescan org` end to end with real parts: the OpenAPI-validated API double serving a paginated org of fixture
 * repositories whose clone_urls point at a real git daemon, fault injection on both (5xx, 429 and secondary rate
 * limits with retry-after, slow answers, a refused first fetch, a repository that cannot be fetched at all).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient } from '../src/github/client.js';
import { scanOrg, type OrgEvent } from '../src/org/run.js';
import { StateStore } from '../src/org/state.js';
import { mergeReports } from '../src/org/merge.js';
import type { OrgReport } from '../src/org/types.js';
import { renderOrgJson, renderOrgMarkdown, renderOrgSarif, renderOrgText } from '../src/org/report.js';
import { renderOrgHtml } from '../src/org/html.js';
import { scan } from '../src/scan.js';
import type { ScanTarget } from '../src/types.js';
import { FIXTURES, tempDir } from './helpers.js';
import { makeBareRepo } from './git-daemon.js';
import { startGitHttp } from './support/git-http.js';
import { OrgApiDouble } from './support/org-api-double.js';
import { validateOrgReport } from './support/report-schema.js';
import { standardRepos, startOrgFixture, type FixtureRepo, type OrgFixture } from './support/org-fixture.js';

const TOKEN = 'ghp_test0000000000000000000000000000SECRET';

describe('lurescan org: scanOrg against the API double and a real git daemon', function () {
  this.timeout(180_000);
  let tmp: ReturnType<typeof tempDir>;
  let fx: OrgFixture;
  let report: OrgReport;
  const events: OrgEvent[] = [];
  const repos: FixtureRepo[] = [
    ...standardRepos(),
    { name: 'flaky-benign', from: 'benign-assets', expected: 'pass-or-warn' },
    { name: 'gone', from: 'benign-assets', expected: 'error', extra: { cloneUrl: 'git://127.0.0.1:1/gone.git' } },
    { name: 'empty', from: 'benign-assets', expected: 'pass-or-warn', extra: { empty: true } },
    { name: 'old-fork', from: 'benign-assets', expected: 'skipped', extra: { fork: true, parent: 'upstream/old' } },
    { name: 'attic', from: 'benign-assets', expected: 'skipped', extra: { archived: true } },
    {
      name: 'skill-test',
      from: 'lure-layered-skill-test',
      expected: 'block',
      owner: 'recruiter-jane',
      // The time zones come from the fetched commit object, not the API (whose dates are UTC).
      commitEnv: { GIT_AUTHOR_DATE: '2026-11-20T08:00:00+09:00', GIT_COMMITTER_DATE: '2026-11-20T01:00:00+02:00' },
      extra: { commitCount: 1, createdAt: '2026-11-20T08:00:00Z' },
    },
  ];

  before(async () => {
    tmp = tempDir('lurescan-org-');
    fx = await startOrgFixture(tmp.dir, 'acme', repos, { 'recruiter-jane': '2026-11-01T00:00:00Z' });
    fx.api.token = TOKEN;
    fx.api.maxPerPage = 5;
    fx.api.faults.push(
      { operationId: 'repos/list-for-org', query: { page: '1' }, delayMs: 400 },
      { operationId: 'repos/list-for-org', query: { page: '2' }, status: 500 },
      { operationId: 'repos/list-for-org', query: { page: '3' }, status: 502 },
      { operationId: 'repos/list-commits', repo: 'acme/benign-assets', status: 403, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': '1' } },
      { operationId: 'repos/list-commits', repo: 'acme/lure-tasks-curl', status: 429, message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '1' } },
      { operationId: 'orgs/get', delayMs: 300 },
    );
    const client = createClient({ token: TOKEN, baseUrl: fx.api.url });
    report = await scanOrg({
      client,
      apiUrl: fx.api.url,
      org: 'acme',
      users: ['recruiter-jane'],
      token: TOKEN,
      limits: { concurrency: 4, attempts: 3, retryBaseMs: 50 },
      onEvent: (e) => events.push(e),
      // Ages in the T19 notes are relative to now: pin it so the test means the same next year.
      now: () => new Date('2026-11-25T12:00:00Z'),
    });
  });

  after(async () => {
    await fx?.stop();
    tmp?.cleanup();
  });

  it('every request matched the OpenAPI description, and every answer the double gave did too', () => {
    assert.deepEqual(fx.api.problems(), []);
    assert.ok(fx.api.requests.every((r) => r.authorization === `token ${TOKEN}`));
  });

  it('followed the pagination through the injected 500/502 (5 repositories a page)', () => {
    const pages = fx.api.requests.filter((r) => r.operationId === 'repos/list-for-org');
    assert.ok(pages.length >= 7, `list pages requested: ${pages.length}`);
    assert.ok(pages.some((r) => r.status === 500) && pages.some((r) => r.status === 502));
  });

  it('waited out the secondary rate limits (403 and 429 with retry-after) and asked again', () => {
    for (const [repo, status] of [['benign-assets', 403], ['lure-tasks-curl', 429]] as const) {
      const seen = fx.api.requests.filter((r) => r.operationId === 'repos/list-commits' && r.path === `/repos/acme/${repo}/commits`).map((r) => r.status);
      assert.deepEqual(seen, [status, 200], repo);
    }
    const gets = fx.api.requests.filter((r) => r.operationId === 'orgs/get');
    assert.deepEqual(gets.map((r) => r.status), [200], 'the slow answer was waited for, not retried');
  });

  it('every listed repository is reported exactly once, forks and archived left out by default', () => {
    const names = report.repositories.map((e) => e.full_name).sort();
    const expected = repos.filter((r) => r.expected !== 'skipped').map((r) => `${r.owner ?? 'acme'}/${r.name}`).sort();
    assert.deepEqual(names, expected);
    assert.deepEqual(report.inventory, [...expected].sort((a, b) => a.localeCompare(b)));
    assert.deepEqual(report.skipped, { forks: 1, archived: 1 });
    assert.equal(report.totals.repos, expected.length);
  });

  it('every lure blocks and no benign look-alike does', () => {
    const byName = new Map(report.repositories.map((e) => [e.name, e]));
    const wrong: string[] = [];
    for (const r of repos) {
      const e = byName.get(r.name);
      if (r.expected === 'block' && e?.verdict !== 'block') wrong.push(`${r.name}: expected block, got ${e?.verdict}`);
      if (r.expected === 'pass-or-warn' && e?.verdict !== 'pass' && e?.verdict !== 'warn') wrong.push(`${r.name}: expected pass or warn, got ${e?.verdict} ${e?.error ?? ''}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(repos.filter((r) => r.expected === 'block').length >= 10);
  });

  it('a refused fetch is retried with back-off; an unreachable repository ends as error with its reason', () => {
    const flaky = report.repositories.find((e) => e.name === 'flaky-benign')!;
    assert.equal(flaky.attempts, 2);
    assert.notEqual(flaky.verdict, 'error');
    assert.ok(events.some((e) => e.type === 'retry' && e.fullName === 'acme/flaky-benign'));
    const gone = report.repositories.find((e) => e.name === 'gone')!;
    assert.equal(gone.verdict, 'error');
    assert.equal(gone.attempts, 3);
    assert.match(gone.error ?? '', /could not fetch/);
    assert.equal(report.totals.error, 1);
  });

  it('the HEAD commit recorded is the one the API named and git fetched', () => {
    for (const e of report.repositories.filter((x) => x.verdict !== 'error' && x.name !== 'empty')) {
      const spec = fx.api.repos.find((r) => r.name === e.name)!;
      assert.equal(e.headSha, spec.headSha, e.full_name);
    }
  });

  it('an empty repository passes with a diagnostic instead of failing', () => {
    const empty = report.repositories.find((e) => e.name === 'empty')!;
    assert.equal(empty.verdict, 'pass');
    assert.equal(empty.diagnostics[0]?.code, 'empty-repository');
  });

  it('T19 facts are context, not verdicts: new account, new repo, single commit, time-zone mismatch', () => {
    const e = report.repositories.find((x) => x.name === 'skill-test')!;
    const notes = e.context.notes.join('; ');
    assert.match(notes, /single-commit history/);
    assert.match(notes, /owner account created 24 day\(s\) ago/);
    assert.match(notes, /repository created 5 day\(s\) ago/);
    assert.match(notes, /time zones differ \(\+0900 vs \+0200\)/);
    assert.deepEqual([e.context.authorTz, e.context.committerTz], ['+0900', '+0200']);
    assert.equal(e.verdict, 'block', 'the verdict comes from the code (a lure), not from these facts');
    const benign = report.repositories.find((x) => x.name === 'benign-assets')!;
    assert.equal(benign.context.notes.length, 0);
    assert.equal(benign.context.commitCount, 3);
  });

  it('the JSON report matches schema/org-report.schema.json (blocks, errors, an empty repository, T19 context)', () => {
    const json = JSON.parse(renderOrgJson(report)) as { schemaVersion: number };
    assert.equal(json.schemaVersion, 1);
    assert.deepEqual(validateOrgReport(json), []);
    assert.ok(validateOrgReport({ ...json, schemaVersion: 2 }).length > 0, 'another schemaVersion is refused');
  });

  it('the token appears in no report format', () => {
    for (const text of [JSON.stringify(report), renderOrgHtml(report), renderOrgSarif(report), renderOrgMarkdown(report), renderOrgText(report)]) {
      assert.ok(!text.includes(TOKEN));
      assert.ok(!text.includes('SECRET'));
    }
  });

  it('retries with doubling back-off, but not a repository over the size limit; every repository still ends with an entry', async () => {
    const client = createClient({ token: TOKEN, baseUrl: fx.api.url });
    const delays: number[] = [];
    const calls = new Map<string, number>();
    const r = await scanOrg({
      client, apiUrl: fx.api.url, org: 'acme', token: TOKEN, limits: { concurrency: 3, attempts: 3, retryBaseMs: 10 },
      sleep: async (ms) => void delays.push(ms),
      scanRepo: async (target) => {
        const name = target.kind === 'git' ? target.url.split('/').pop()!.replace(/\.git$/, '') : '';
        calls.set(name, (calls.get(name) ?? 0) + 1);
        if (name === 'lure-tasks-curl') throw new Error(`git: ${target.kind === 'git' ? target.url : ''} is over the 536870912-byte limit; fetch stopped`);
        if (name === 'benign-assets') throw new Error('git: fetching git://127.0.0.1/benign-assets.git took longer than 120000 ms; stopped');
        return { target: name, provenance: { source: name, commit: 'f'.repeat(40) }, verdict: 'pass', complete: true, findings: [], diagnostics: [], stats: { files: 1, bytes: 1, ms: 1, rules: 1 }, signatures: { version: 'x' }, tool: { name: 'lurescan', version: '0' } };
      },
    });
    const big = r.repositories.find((e) => e.name === 'lure-tasks-curl')!;
    assert.deepEqual([big.verdict, big.attempts, calls.get('lure-tasks-curl')], ['error', 1, 1]);
    assert.match(big.error ?? '', /over the 536870912-byte limit/);
    const slow = r.repositories.find((e) => e.name === 'benign-assets')!;
    assert.deepEqual([slow.verdict, slow.attempts, calls.get('benign-assets')], ['error', 3, 3]);
    assert.match(slow.error ?? '', /took longer than/);
    assert.deepEqual(delays.filter((d) => d >= 10).sort((a, b) => a - b), [10, 20]);
    assert.equal(r.repositories.length, r.inventory.length);
    assert.ok(r.repositories.filter((e) => e.verdict !== 'error').every((e) => e.verdict === 'pass'));
  });

  it('users only (org "-"): their own repositories, the owner looked up as a user', async () => {
    const client = createClient({ token: TOKEN, baseUrl: fx.api.url });
    const users = await scanOrg({ client, apiUrl: fx.api.url, users: ['recruiter-jane'], token: TOKEN, limits: { concurrency: 2, attempts: 1, retryBaseMs: 10 } });
    assert.deepEqual(users.repositories.map((e) => [e.full_name, e.verdict, e.listedVia]), [['recruiter-jane/skill-test', 'block', 'recruiter-jane']]);
    assert.equal(users.org, undefined);
    assert.ok(fx.api.requests.some((r) => r.operationId === 'users/get-by-username' && r.status === 200));
  });

  it('shards partition the org and merge back whole; a missing or repeated shard is caught', async () => {
    const client = createClient({ token: TOKEN, baseUrl: fx.api.url });
    const state = new StateStore(path.join(tmp.dir, 'shard-state'), 'x');
    const shards: OrgReport[] = [];
    for (let i = 1; i <= 3; i++) {
      shards.push(await scanOrg({ client, apiUrl: fx.api.url, org: 'acme', users: ['recruiter-jane'], token: TOKEN, shard: { index: i, count: 3 }, state, limits: { concurrency: 4, attempts: 1, retryBaseMs: 10 } }));
    }
    assert.ok(shards.every((s) => s.repositories.length > 0), 'each shard has some repositories');
    const merged = mergeReports(shards);
    assert.deepEqual(merged.problems, []);
    assert.deepEqual(merged.report.repositories.map((e) => e.full_name).sort(), [...report.inventory].sort());
    assert.deepEqual(
      merged.report.repositories.filter((e) => e.verdict === 'block').map((e) => e.full_name).sort(),
      report.repositories.filter((e) => e.verdict === 'block').map((e) => e.full_name).sort(),
    );
    for (const r of [...shards, merged.report]) assert.deepEqual(validateOrgReport(JSON.parse(renderOrgJson(r))), [], 'shard and merged reports match the schema');
    const missing = mergeReports([shards[0], shards[2]]);
    assert.ok(missing.problems.some((p) => /shard 2\/3 is missing/.test(p)));
    assert.ok(missing.problems.some((p) => /was listed but is in no shard's results/.test(p)));
    const twice = mergeReports([shards[0], shards[1], shards[1], shards[2]]);
    assert.ok(twice.problems.some((p) => /shard 2\/3 appears 2 times/.test(p)));
    assert.ok(twice.problems.some((p) => /is reported 2 times/.test(p)));
  });
});

describe('lurescan org: private repositories over git smart HTTP (real git http-backend)', function () {
  this.timeout(120_000);

  it('the token reaches git as an Authorization header from the environment, never in the URL', async () => {
    const tmp = tempDir('lurescan-org-http-');
    const served = path.join(tmp.dir, 'served');
    mkdirSync(served);
    const shaLure = makeBareRepo(served, 'secret-lure', path.join(FIXTURES, 'repos', 'lure-tasks-curl'));
    makeBareRepo(served, 'secret-benign', path.join(FIXTURES, 'repos', 'benign-assets'));
    const basic = `basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    const git = await startGitHttp(served, { authorization: basic });
    const api = new OrgApiDouble();
    api.token = TOKEN;
    api.orgs.set('acme', '2019-01-01T00:00:00Z');
    api.repos.push({ owner: 'acme', name: 'secret-lure', cloneUrl: git.url('secret-lure'), headSha: shaLure, private: true });
    api.repos.push({ owner: 'acme', name: 'secret-benign', cloneUrl: git.url('secret-benign'), headSha: '0'.repeat(40), private: true });
    // Listed as public: no token is sent, and this server refuses it (the control that the server checks).
    api.repos.push({ owner: 'acme', name: 'listed-public', cloneUrl: git.url('secret-benign'), headSha: '0'.repeat(40), private: false });
    await api.start();
    try {
      const targets: ScanTarget[] = [];
      const report = await scanOrg({
        client: createClient({ token: TOKEN, baseUrl: api.url }), apiUrl: api.url, org: 'acme', token: TOKEN, limits: { attempts: 1 },
        scanRepo: (t, o) => {
          targets.push(t);
          return scan(t, o);
        },
      });
      assert.deepEqual(report.repositories.map((e) => [e.name, e.verdict]).sort(), [['listed-public', 'error'], ['secret-benign', 'pass'], ['secret-lure', 'block']]);
      assert.equal(report.repositories.find((e) => e.name === 'secret-lure')!.headSha, shaLure);
      const withHeader = git.requests.filter((r) => r.authorization === basic);
      assert.ok(withHeader.length >= 2, 'the private fetches carried the header');
      // The public-listed fetch is refused; git then answers the 401 with its askpass stand-in's text, never the token.
      const others = git.requests.filter((r) => r.authorization !== basic).map((r) => Buffer.from((r.authorization ?? '').replace(/^basic /i, ''), 'base64').toString());
      assert.ok(others.length >= 1 && others.every((c) => !c.includes(TOKEN)), 'the token went nowhere else');
      for (const t of targets) assert.ok(t.kind === 'git' && !t.url.includes(TOKEN) && !t.url.includes('@'));
      assert.equal(targets.filter((t) => t.kind === 'git' && t.authorization === basic).length, 2);
      assert.equal(targets.filter((t) => t.kind === 'git' && t.authorization === undefined).length, 1);
      assert.ok(!JSON.stringify(report).includes(TOKEN) && !JSON.stringify(report).includes(basic));
    } finally {
      await api.stop();
      await git.stop();
      tmp.cleanup();
    }
  });
});
