/**
 * Files lurescan writes are never steered by the scanned tree. The README's own example runs inside the target
 * (`lurescan ./project --format json --output report.json`), so a target can ship `report.json` as a link to a file
 * outside it, a hard link to one, a FIFO, or a folder that is a link out of the tree. lurescan refuses the links and
 * non-regular files with exit 2 and a message, replaces a hard-linked entry instead of writing through it, and
 * leaves the file outside untouched. The same writer serves `org --output`, the org state and the Action's SARIF.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { writeOutputFile, OutputRefused } from '../../src/output-file.js';
import { runAction } from '../support/runner.js';
import { BIN, hasStackTrace, sandbox, type CliRun, type Sandbox } from './harness.js';

const VICTIM = 'precious content that must survive\n';

function runIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hang: lurescan ${args.join(' ')}`));
    }, 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('output files: never written through what the target ships', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  let victim: string;
  let outside: string;

  beforeEach(() => {
    sb = sandbox('output');
    victim = path.join(sb.root, 'victim.txt');
    writeFileSync(victim, VICTIM);
    outside = path.join(sb.root, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(sb.target, 'index.js'), 'console.log(1);\n');
  });
  afterEach(() => sb.cleanup());

  const refused = (r: CliRun, pattern: RegExp) => {
    assert.equal(r.code, 2, `exit ${r.code}; stderr ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), VICTIM, 'the file outside the target was changed');
  };

  it('O01 report.json -> ../victim.txt, the README command run inside the target: refused, victim intact', async () => {
    symlinkSync('../victim.txt', path.join(sb.target, 'report.json'));
    const r = await runIn(sb.target, ['.', '--format', 'json', '--output', 'report.json'], sb.env);
    refused(r, /^lurescan: --output report\.json is a symbolic link \(to \.\.\/victim\.txt\); refusing to write through it/);
    assert.ok(lstatSync(path.join(sb.target, 'report.json')).isSymbolicLink(), 'the link itself is left as it was');
  });

  it('O02 a dangling link (would create a file outside): refused, nothing created', async () => {
    symlinkSync('../outside/new.json', path.join(sb.target, 'report.json'));
    refused(await runIn(sb.target, ['.', '--output', 'report.json'], sb.env), /is a symbolic link/);
    assert.deepEqual(readdirSync(outside), []);
  });

  it('O03 a folder that links out of the tree (reports -> ../outside): refused, nothing written there', async () => {
    symlinkSync('../outside', path.join(sb.target, 'reports'));
    refused(await runIn(sb.target, ['.', '--format', 'sarif', '--output', 'reports/scan.sarif'], sb.env), /--output reports\/scan\.sarif: the folder reports is a symbolic link/);
    assert.deepEqual(readdirSync(outside), []);
  });

  it('O04 report.json as a hard link to the victim: the entry is replaced, the victim keeps its content', async () => {
    linkSync(victim, path.join(sb.target, 'report.json'));
    const r = await runIn(sb.target, ['.', '--format', 'json', '--output', 'report.json'], sb.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), VICTIM);
    assert.equal(JSON.parse(readFileSync(path.join(sb.target, 'report.json'), 'utf8')).verdict, 'pass');
  });

  it('O05 report.json as a FIFO: refused at once (no hang), exit 2', async () => {
    assert.equal(spawnSync('mkfifo', [path.join(sb.target, 'report.json')]).status, 0);
    refused(await runIn(sb.target, ['.', '--output', 'report.json'], sb.env), /--output report\.json exists and is not a regular file/);
  });

  it('O10 an --output that cannot be written is refused before the scan starts (nothing analysed, nothing cached)', async () => {
    const cache = path.join(sb.root, 'cache');
    refused(await runIn(sb.target, ['.', '--cache-dir', cache, '--output', 'no-such-folder/report.json'], sb.env), /^lurescan: --output no-such-folder\/report\.json: the folder no-such-folder does not exist/);
    refused(await runIn(sb.target, ['.', '--cache-dir', cache, '--output', '/dev/null'], sb.env), /--output \/dev\/null exists and is not a regular file/);
    symlinkSync('../victim.txt', path.join(sb.target, 'report.json'));
    refused(await runIn(sb.target, ['.', '--cache-dir', cache, '--output', 'report.json'], sb.env), /is a symbolic link/);
    assert.equal(existsSync(cache), false, 'the scan ran (its cache folder was written) before the refusal');
  });

  it('O06 lurescan package --output through a link: refused before anything is written', async () => {
    symlinkSync(victim, path.join(sb.target, 'out.md'));
    // The registry is unreachable on purpose: the scan fails first (exit 2) or the write is refused; either way the victim is untouched.
    const r = await runIn(sb.target, ['package', 'left-pad', '--registry', 'http://127.0.0.1:9/', '--format', 'markdown', '--output', 'out.md'], sb.env);
    assert.equal(r.code, 2);
    assert.equal(readFileSync(victim, 'utf8'), VICTIM);
  });

  it('O07 an ordinary existing report is replaced, keeping its permissions; no temporary file is left', async () => {
    const out = path.join(sb.target, 'report.json');
    writeFileSync(out, 'old');
    chmodSync(out, 0o600);
    const r = await runIn(sb.target, ['.', '--format', 'json', '--output', 'report.json'], sb.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).verdict, 'pass');
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(sb.target).filter((n) => n.endsWith('.tmp')), []);
  });

  it('O08 the writer itself (org --output, org state): links refused, linked folders allowed only when asked (a configured cache)', async () => {
    const link = path.join(sb.target, 'l.json');
    symlinkSync(victim, link);
    await assert.rejects(writeOutputFile(link, 'x'), OutputRefused);
    symlinkSync(outside, path.join(sb.target, 'state'));
    await assert.rejects(writeOutputFile('state/a.json', 'x', { cwd: sb.target }), OutputRefused);
    await writeOutputFile('state/a.json', 'x', { cwd: sb.target, refuseLinkedFolders: false });
    assert.equal(readFileSync(path.join(outside, 'a.json'), 'utf8'), 'x');
    assert.equal(readFileSync(victim, 'utf8'), VICTIM);
  });

  it('O09 the Action: a sarif-file the checkout ships as a link is refused, the victim intact', async () => {
    writeFileSync(path.join(sb.target, 'package.json'), '{"name":"x","version":"1.0.0"}');
    symlinkSync(victim, path.join(sb.target, 'lurescan.sarif'));
    const run = await runAction({
      workspace: sb.target,
      eventName: 'workflow_dispatch',
      payload: { inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/take-home' }, sender: { login: 'x' } },
      inputs: { path: '.', mode: 'full', 'fail-on': 'block', 'sarif-file': 'lurescan.sarif' },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /::error::lurescan: sarif-file .*lurescan\.sarif is a symbolic link/);
    assert.equal(readFileSync(victim, 'utf8'), VICTIM);
    assert.ok(existsSync(path.join(sb.target, 'lurescan.sarif')));
  });
});
