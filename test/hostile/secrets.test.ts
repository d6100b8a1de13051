/**
 * A token fed through every path that carries one must appear in no output, error or report. The servers here are
 * hostile on purpose: a loopback HTTP server that echoes every request header (Authorization included) back in
 * its error bodies, as a misbehaving proxy or registry would, so any code that prints a server's answer leaks.
 *
 *   - GITHUB_TOKEN and GH_TOKEN for `lurescan org`; the Action's token input
 *   - `_authToken` in ~/.npmrc for `lurescan package` and `--online`
 *   - user:password in a git URL (the CLI and the library's errors and progress events)
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { scan } from '../../src/scan.js';
import { runAction } from '../support/runner.js';
import { ROOT } from '../helpers.js';
import { runCli, sandbox, write, type Sandbox } from './harness.js';

const TOKEN = 'ghp_HoStIlEsEcReTtOkEn0123456789abcdefZZ';
const NPM_TOKEN = 'npm_HoStIlEnPmToKeN0123456789abcdefABCD';
const PASSWORD = 'hunter2-HoStIlE-PaSsWoRd-42';

interface Echo {
  url: string;
  seen: string[];
  close(): Promise<void>;
}

/** Answers everything with an error whose body quotes the request, headers and all. */
async function echoServer(): Promise<Echo> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const dump = `${req.method} ${req.url} ${JSON.stringify(req.headers)}`;
    seen.push(dump);
    const status = req.url?.includes('/git') || req.url?.includes('.git') ? 500 : req.url?.startsWith('/orgs') || req.url?.startsWith('/repos') || req.url?.startsWith('/users') ? 401 : 403;
    res.writeHead(status, { 'content-type': 'application/json', 'x-echo': encodeURIComponent(dump).slice(0, 4000) });
    res.end(JSON.stringify({ message: `Bad credentials; you sent ${dump}`, error: dump, documentation_url: 'https://docs.github.com/rest' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

function assertNoSecret(what: string, texts: string[], secrets: string[]): void {
  const all = texts.join('\n');
  for (const s of secrets) {
    assert.ok(!all.includes(s), `${what}: the secret appears in the output`);
    assert.ok(!all.includes(Buffer.from(s).toString('base64')), `${what}: the secret appears base64-encoded`);
    assert.ok(!all.includes(encodeURIComponent(s)) || encodeURIComponent(s) === s, `${what}: the secret appears URL-encoded`);
  }
}

describe('secrets: a token through every path appears in no output', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let echo: Echo;

  before(async () => {
    sb = sandbox('secrets');
    echo = await echoServer();
  });
  after(async () => {
    await echo?.close();
    sb?.cleanup();
  });

  it('S01 lurescan org with GITHUB_TOKEN, then GH_TOKEN, against an API that echoes the token in its errors', async () => {
    for (const name of ['GITHUB_TOKEN', 'GH_TOKEN']) {
      const before = echo.seen.length;
      const r = await runCli(['org', 'acme', '--api-url', echo.url, '--no-state', '--attempts', '1', '--format', 'json'], { ...sb.env, [name]: TOKEN });
      assert.ok(echo.seen.length > before, 'the org command asked the API');
      assert.ok(echo.seen.slice(before).some((s) => s.includes(TOKEN)), 'the token was sent (so the echo carried it back)');
      assert.ok(r.code !== null && r.code <= 3, `exit ${r.code}`);
      assertNoSecret(`org with ${name}`, [r.stdout, r.stderr], [TOKEN]);
    }
  });

  it('S02 lurescan package with an _authToken in ~/.npmrc, against a registry that echoes it', async () => {
    const host = echo.url.replace(/^http:/, '');
    write(path.join(sb.home, '.npmrc'), `registry=${echo.url}/\n${host}/:_authToken=${NPM_TOKEN}\n`);
    const before = echo.seen.length;
    const r = await runCli(['package', 'left-pad@1.3.0', '--registry', `${echo.url}/`], sb.env);
    assert.ok(echo.seen.slice(before).some((s) => s.includes(NPM_TOKEN)), 'the token was sent');
    assert.ok(r.code !== null && r.code <= 3, `exit ${r.code}`);
    assertNoSecret('package', [r.stdout, r.stderr], [NPM_TOKEN]);
  });

  it('S03 --online with the same .npmrc: registry errors become diagnostics without the token', async () => {
    write(path.join(sb.target, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }));
    for (const format of ['json', 'text', 'sarif', 'markdown']) {
      const r = await runCli([sb.target, '--online', '--registry', `${echo.url}/`, '--format', format, '--verbose'], sb.env);
      assert.ok(r.code !== null && r.code <= 3, `exit ${r.code}`);
      assertNoSecret(`--online ${format}`, [r.stdout, r.stderr], [NPM_TOKEN]);
    }
  });

  it('S04 a git URL with user:password: not in the CLI output, the error, or the library progress events', async () => {
    const url = `${echo.url.replace('http://', 'http://alice:' + PASSWORD + '@')}/acme/take-home.git`;
    for (const format of ['json', 'text']) {
      const r = await runCli([url, '--format', format], sb.env);
      assert.ok(r.code !== null && r.code <= 3, `exit ${r.code}`);
      assertNoSecret(`git URL (${format})`, [r.stdout, r.stderr], [PASSWORD]);
    }
    const events: string[] = [];
    const err = await scan({ kind: 'git', url }, { onProgress: (e) => events.push(JSON.stringify(e)) }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err, 'the fetch fails');
    assertNoSecret('git URL (library)', [String(err.message), String(err.stack), ...events], [PASSWORD]);
  });

  it('S05 the Action with a token, against an API that echoes it in every error', async () => {
    const run = await runAction({
      workspace: ROOT,
      eventName: 'workflow_dispatch',
      payload: { inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/take-home' }, sender: { login: 'x' } },
      apiUrl: echo.url,
      inputs: { path: path.join('fixtures', 'repos', 'lure-tasks-curl'), mode: 'full', 'fail-on': 'block', token: TOKEN, 'comment-summary-in-pr': 'always' },
    });
    const stdout = run.stdout.split('\n').filter((l) => l !== `::add-mask::${TOKEN}`).join('\n');
    assertNoSecret('action', [stdout, run.stderr, JSON.stringify(run.outputs), run.summary, ...Object.values(run.temp)], [TOKEN]);
  });
});
