/**
 * `--deps` against a real Verdaccio on loopback: a take-home repository whose `prepare` runs app/index.js, which
 * requires a dependency published with an import-time loader (a name in no signature list, the payload host on a
 * reserved name). The dependency is fetched, verified, cached and scanned; its finding is placed in node_modules with
 * the chain from the repository; the same dependency unpublished is "removed from the registry".
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startVerdaccio, type Verdaccio } from '../scripts/lib/verdaccio.mjs';
import { scan } from '../src/scan.js';
import { renderAnnotations } from '../src/reporters/github.js';
import { renderText } from '../src/reporters/text.js';
import type { ScanOptions } from '../src/options.js';
import { ROOT, tempDir } from './helpers.js';
import { validateReport } from './support/report-schema.js';
import { zipOf } from './support/archives.js';
import { makeBareRepo, startGitDaemon } from './git-daemon.js';
import { publishPackage } from './support/registry-publish.js';
import { LOADER_INDEX } from './support/dependency-loader.js';

const BIN = path.join(ROOT, 'bin', 'lurescan.cjs');
describe('--deps (real Verdaccio)', function () {
  this.timeout(240_000);
  let reg: Verdaccio;
  let tmp: ReturnType<typeof tempDir>;
  let repo: string;
  let npmrc: string;

  before(async () => {
    tmp = tempDir('lurescan-deps-');
    reg = await startVerdaccio();
    npmrc = path.join(tmp.dir, 'user.npmrc');
    writeFileSync(npmrc, `registry=${reg.url}\n`);
    await publishPackage(reg.url, reg.token, { name: 'tiny-colour-names', version: '1.0.3', files: { 'index.js': "module.exports = { red: '#f00' };\n" } });
    await publishPackage(reg.url, reg.token, {
      name: 'icon-fetch-utils',
      version: '1.2.0',
      files: { 'index.js': LOADER_INDEX },
      manifest: { dependencies: { 'tiny-colour-names': '^1.0.0' } },
    });
    // `ms` is on the popular list: its version here was published today, so it is new and gets scanned.
    await publishPackage(reg.url, reg.token, { name: 'ms', version: '2.1.3', files: { 'index.js': 'module.exports = (s) => Number(s);\n' } });
    await publishPackage(reg.url, reg.token, { name: 'clean-helpers', version: '3.0.1', files: { 'index.js': 'module.exports = (a, b) => a + b;\n' } });
    repo = path.join(tmp.dir, 'take-home');
    mkdirSync(path.join(repo, 'app'), { recursive: true });
    writeFileSync(
      path.join(repo, 'package.json'),
      JSON.stringify(
        {
          name: 'crypto-dashboard-assessment',
          version: '1.0.0',
          private: true,
          scripts: { prepare: 'node app/index.js', start: 'node app/index.js' },
          dependencies: { 'icon-fetch-utils': '^1.2.0', ms: '^2.1.0', 'clean-helpers': '^3.0.0', 'local-theme': 'file:./theme' },
        },
        null,
        2,
      ),
    );
    writeFileSync(path.join(repo, 'app', 'index.js'), "const icons = require('icon-fetch-utils');\nconst ms = require('ms');\n\nconsole.log(icons.fetchIcon('88'), ms('2'));\n");
    // The lockfile comes from npm itself, against the loopback registry; nothing is installed or run.
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--registry', reg.url, '--userconfig', npmrc], { cwd: repo, stdio: 'pipe' });
  });

  after(async () => {
    await reg?.stop();
    tmp?.cleanup();
  });

  const opts = (extra: ScanOptions = {}): ScanOptions => ({ deps: true, online: true, registry: { registry: reg.url }, cacheDir: path.join(tmp.dir, 'cache'), ...extra });

  function cli(args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, npm_config_userconfig: npmrc, NO_COLOR: '1', XDG_CACHE_HOME: path.join(tmp.dir, 'xdg') } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('lurescan REPO --deps blocks on the dependency\'s loader, located in node_modules with the chain from the repository; without --deps it does not block', () => {
    const r = cli([repo, '--deps', '--registry', reg.url, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.verdict, 'block');
    const inDep = j.findings.filter((f: { location: { file: string } }) => f.location.file.startsWith('node_modules/icon-fetch-utils/'));
    assert.ok(inDep.length, JSON.stringify(j.findings.map((f: { ruleId: string; location: unknown }) => [f.ruleId, f.location])));
    const top = inDep[0];
    assert.equal(top.severity, 'critical');
    assert.equal(top.location.file, 'node_modules/icon-fetch-utils/index.js');
    assert.equal(top.location.container, 'package.json');
    assert.ok(top.location.containerLine > 1);
    const chain = top.evidence.find((e: { kind: string }) => e.kind === 'chain').value as string;
    assert.match(chain, /^package\.json:\d+ .*icon-fetch-utils.* → package\.json:\d+ scripts\.prepare: node app\/index\.js → app\/index\.js:1 const icons = require\('icon-fetch-utils'\); → icon-fetch-utils@1\.2\.0 node_modules\/icon-fetch-utils\/index\.js:\d+$/);
    assert.ok(j.stats.dependencies.scanned >= 3, JSON.stringify(j.stats.dependencies));
    assert.equal(j.stats.dependencies.skipped['not-from-registry'], 1);
    assert.deepEqual(validateReport(j), [], 'the report matches schema/report.schema.json');
    assert.ok(top.evidence.some((e: { location?: { file: string; line?: number } }) => e.location?.file === 'package-lock.json' && e.location.line), 'the lockfile entry that pins the version is evidence too');
    const without = cli([repo, '--registry', reg.url, '--format', 'json']);
    assert.equal(without.code, 0, without.stderr);
    assert.notEqual(JSON.parse(without.stdout).verdict, 'block');
  });

  it('the second scan reads tarballs from the cache (verified by integrity); --deep adds lockfile entries', async () => {
    const cold = await scan({ kind: 'path', path: repo }, opts());
    assert.ok(cold.stats.dependencies!.bytesFetched > 0);
    const warm = await scan({ kind: 'path', path: repo }, opts());
    assert.equal(warm.stats.dependencies!.bytesFetched, 0, JSON.stringify(warm.stats.dependencies));
    assert.ok(warm.stats.dependencies!.bytesCached > 0);
    assert.ok(readdirSync(path.join(tmp.dir, 'cache', 'tarballs')).some((f) => f.endsWith('.tgz')));
    assert.match(renderText(warm), /dependencies: 3 scanned · 1 skipped \(1 not-from-registry\) · 0 failed · 0 B fetched, \d+ k?B from cache/);
    const deep = await scan({ kind: 'path', path: repo }, opts({ deep: true }));
    assert.equal(deep.stats.dependencies!.scanned, warm.stats.dependencies!.scanned + 1, 'tiny-colour-names, pulled in by icon-fetch-utils');
  });

  it('skips established versions of popular packages, and scans a new version of one', async () => {
    const fresh = await scan({ kind: 'path', path: repo }, opts());
    assert.ok(!fresh.stats.dependencies!.skipped['established-popular']);
    // With a zero-day window every popular version counts as established: ms is skipped, the others are not.
    const old = await scan({ kind: 'path', path: repo }, opts({ depsLimits: { establishedDays: -1 } }));
    assert.equal(old.stats.dependencies!.skipped['established-popular'], 1);
    assert.equal(old.stats.dependencies!.scanned, fresh.stats.dependencies!.scanned - 1);
  });

  it('a bytes cap makes the result incomplete, never silently partial', async () => {
    const capped = await scan({ kind: 'path', path: repo }, opts({ depsLimits: { maxBytes: 1 } }));
    assert.equal(capped.complete, false);
    assert.ok(capped.diagnostics.some((d) => d.code === 'dependency-budget' && d.incomplete));
    assert.ok(capped.stats.dependencies!.skipped.budget! >= 1);
  });

  it('a lockfile whose integrity differs from the registry\'s is said: the tarball scanned is not what npm would install', async () => {
    const other = path.join(tmp.dir, 'tampered');
    cpSync(repo, other, { recursive: true });
    const lock = JSON.parse(readFileSync(path.join(other, 'package-lock.json'), 'utf8'));
    lock.packages['node_modules/clean-helpers'].integrity = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
    writeFileSync(path.join(other, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const r = await scan({ kind: 'path', path: other }, opts());
    const d = r.diagnostics.find((x) => x.code === 'dependency-integrity-mismatch');
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.match(d.message, /clean-helpers@3\.0\.1: package-lock\.json records sha512-BwcH/);
    assert.equal(r.complete, false);
  });

  it('only the dependencies a change adds are fetched in diff mode, and the annotation lands on the manifest line', async () => {
    const only = await scan({ kind: 'path', path: repo }, opts({ depsOnly: (p) => p.name === 'icon-fetch-utils' }));
    assert.equal(only.stats.dependencies!.scanned, 1);
    assert.equal(only.verdict, 'block');
    const line = only.findings.find((f) => f.location.file.startsWith('node_modules/'))!.location.containerLine;
    const ann = renderAnnotations(only).find((a) => a.includes('node_modules/icon-fetch-utils/index.js'));
    assert.ok(ann?.startsWith(`::error file=package.json,line=${line},`), ann);
  });

  it('works the same for archive and git targets', async () => {
    const files = ['package.json', 'package-lock.json', 'app/index.js'];
    const zip = path.join(tmp.dir, 'take-home.zip');
    writeFileSync(zip, await zipOf(files.map((f) => ({ name: `take-home/${f}`, data: readFileSync(path.join(repo, f)) }))));
    const fromZip = await scan({ kind: 'archive', path: zip }, opts());
    assert.equal(fromZip.verdict, 'block');
    assert.ok(fromZip.findings.some((f) => f.location.file === 'node_modules/icon-fetch-utils/index.js' && f.location.container === 'package.json'), JSON.stringify(fromZip.findings.map((f) => f.location)));
    const base = path.join(tmp.dir, 'git');
    mkdirSync(base);
    makeBareRepo(base, 'take-home', undefined, Object.fromEntries(files.map((f) => [f, readFileSync(path.join(repo, f), 'utf8')])));
    const daemon = await startGitDaemon(base);
    try {
      const fromGit = await scan({ kind: 'git', url: daemon.url('take-home') }, opts());
      assert.equal(fromGit.verdict, 'block');
      assert.ok(fromGit.findings.some((f) => f.location.file === 'node_modules/icon-fetch-utils/index.js' && f.location.container === 'package.json'));
    } finally {
      await daemon.stop();
    }
  });

  it('the same dependency unpublished: --online blocks with "removed from the registry" naming the prepare path', () => {
    const rc = path.join(tmp.dir, 'unpublish.npmrc');
    writeFileSync(rc, `registry=${reg.url}\n//127.0.0.1:${reg.port}/:_authToken=${reg.token}\n`);
    execFileSync('npm', ['unpublish', 'icon-fetch-utils', '--force', '--registry', reg.url, '--userconfig', rc], { stdio: 'pipe' });
    // A fresh cache: the packument cache trusts an answer for 24 hours.
    const r = cli([repo, '--online', '--registry', reg.url, '--format', 'json', '--cache-dir', path.join(tmp.dir, 'fresh-cache')]);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    const removed = j.findings.find((f: { ruleId: string }) => f.ruleId === 'registry-removed-package');
    assert.ok(removed, JSON.stringify(j.findings.map((f: { ruleId: string }) => f.ruleId)));
    assert.equal(removed.severity, 'critical');
    assert.match(removed.message, /removed from the registry/);
    assert.match(removed.message, /scripts\.prepare: node app\/index\.js/);
    assert.ok(!j.findings.some((f: { ruleId: string; message: string }) => f.ruleId === 'registry-missing-package' && /icon-fetch-utils/.test(f.message)), 'not called unclaimed');
  });
});
