/**
 * The Action with `deps: true` on a pull request that adds a dependency published with an import-time loader:
 * only the added dependency is fetched (from a real Verdaccio on loopback), its finding is annotated on the
 * package.json line that brings it, and the check fails. The bundle is built from this tree into a copy of the
 * action root (dist/ in the tree is rebuilt by the release step, not by tests).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startVerdaccio, type Verdaccio } from '../scripts/lib/verdaccio.mjs';
import { ROOT, tempDir } from './helpers.js';
import { GitHubApiDouble, validator } from './support/github-api-double.js';
import { actionRootCopy, pullRequestEvent, runAction } from './support/runner.js';
import { publishPackage } from './support/registry-publish.js';
import { LOADER_INDEX } from './support/dependency-loader.js';

const TOKEN = 'ghs_LuReScAnDePsToKeN0123456789abcdefXYZ';
const BASE = 'd'.repeat(40);
const HEAD = 'e'.repeat(40);

describe('GitHub Action with deps: true (pull request mode, real Verdaccio)', function () {
  this.timeout(240_000);
  const api = new GitHubApiDouble();
  let reg: Verdaccio;
  let root: { dir: string; cleanup: () => void };
  let tmp: ReturnType<typeof tempDir>;
  let ws: string;
  let entry: string;

  before(async () => {
    validator();
    await api.start();
    reg = await startVerdaccio();
    tmp = tempDir('lurescan-deps-action-');
    root = actionRootCopy();
    entry = path.join(root.dir, 'dist', 'index.js');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-action.mjs'), '--outfile', entry], { cwd: ROOT, stdio: 'pipe' });
    await publishPackage(reg.url, reg.token, { name: 'icon-fetch-utils', version: '1.2.0', files: { 'index.js': LOADER_INDEX } });
    await publishPackage(reg.url, reg.token, { name: 'clean-helpers', version: '3.0.1', files: { 'index.js': 'module.exports = (a, b) => a + b;\n' } });
    ws = path.join(tmp.dir, 'repo');
    mkdirSync(path.join(ws, 'app'), { recursive: true });
    const manifest = (deps: Record<string, string>) => JSON.stringify({ name: 'crypto-dashboard-assessment', version: '1.0.0', private: true, scripts: { start: 'node app/index.js' }, dependencies: deps }, null, 2);
    // The base branch already had clean-helpers; the pull request adds icon-fetch-utils.
    api.contents.set(`${BASE}:package.json`, manifest({ 'clean-helpers': '^3.0.0' }));
    writeFileSync(path.join(ws, 'package.json'), manifest({ 'clean-helpers': '^3.0.0', 'icon-fetch-utils': '^1.2.0' }));
    writeFileSync(path.join(ws, 'app', 'index.js'), "const { fetchIcon } = require('icon-fetch-utils');\nconsole.log(fetchIcon('88'));\n");
  });
  after(async () => {
    await api.stop();
    await reg?.stop();
    root?.cleanup();
    tmp?.cleanup();
  });
  afterEach(() => assert.deepEqual(api.problems(), [], 'every request matched the OpenAPI description'));

  const prRun = (n: number, inputs: Record<string, string>) =>
    runAction({
      entry,
      workspace: ws,
      eventName: 'pull_request',
      payload: pullRequestEvent(n, BASE, HEAD),
      apiUrl: api.url,
      inputs: { token: TOKEN, 'comment-summary-in-pr': 'never', ...inputs },
      env: { npm_config_registry: reg.url },
    });

  it('fetches only the dependency the PR adds, annotates its finding on the package.json line, and fails the check', async () => {
    api.pulls.set(31, [{ filename: 'package.json', status: 'modified' }]);
    const run = await prRun(31, { deps: 'true' });
    assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
    assert.equal(run.outputs.verdict, 'block');
    const line = readFileSync(path.join(ws, 'package.json'), 'utf8').split('\n').findIndex((l) => l.includes('"icon-fetch-utils"')) + 1;
    const annotation = run.stdout.split('\n').find((l) => l.startsWith('::error ') && l.includes('node_modules/icon-fetch-utils/index.js'));
    assert.ok(annotation, run.stdout);
    assert.ok(annotation.startsWith(`::error file=package.json,line=${line},`), `${annotation} (line ${line})`);
    const report = JSON.parse(run.temp['lurescan-report.json']);
    assert.equal(report.stats.dependencies.scanned, 1, 'clean-helpers was on the base branch: not fetched');
    assert.equal(report.stats.dependencies.skipped['not-changed'], 1);
    assert.ok(!run.stdout.split('\n').filter((l) => l !== `::add-mask::${TOKEN}`).join('\n').includes(TOKEN), 'no token beyond the mask command');
  });

  it('without deps the same PR does not fetch anything and does not block', async () => {
    api.pulls.set(32, [{ filename: 'package.json', status: 'modified' }]);
    const run = await prRun(32, {});
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.notEqual(run.outputs.verdict, 'block');
    assert.equal(JSON.parse(run.temp['lurescan-report.json']).stats.dependencies, undefined);
  });
});
