/**
 * A git "bomb": a tree of a dozen objects that names 10^9 paths (one subtree repeated ten times in each of nine
 * levels), built with real git plumbing (hash-object, mktree, commit-tree) and served by a real git daemon. The listing
 * is streamed and stopped at maxFiles, under one deadline for the whole acquisition; the scan ends with an incomplete
 * report (file-count-limit) or a clear error, never a hang.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../../src/index.js';
import { DEFAULT_LIMITS } from '../../src/options.js';
import { git, startGitDaemon, CLEAN_GIT_ENV, type Daemon } from '../git-daemon.js';
import { assertIncomplete, sandbox, scanHostile, type Sandbox } from './harness.js';

function gitIn(cwd: string, args: string[], input: string): string {
  return execFileSync('git', args, { cwd, env: CLEAN_GIT_ENV, input, encoding: 'utf8' }).trim();
}

/** A bare repository whose one commit's tree holds `fanout`^`levels` copies of one small blob. */
export function makeGitBomb(served: string, name: string, fanout = 10, levels = 9): void {
  const repo = path.join(served, `${name}.git`);
  mkdirSync(repo, { recursive: true });
  git(repo, ['init', '-q', '--bare', '-b', 'main']);
  const blob = gitIn(repo, ['hash-object', '-w', '--stdin'], 'x\n');
  let tree = gitIn(repo, ['mktree'], Array.from({ length: fanout }, (_, i) => `100644 blob ${blob}\tf${i}\n`).join(''));
  for (let l = 1; l < levels; l++) tree = gitIn(repo, ['mktree'], Array.from({ length: fanout }, (_, i) => `040000 tree ${tree}\td${i}\n`).join(''));
  const commit = gitIn(repo, ['commit-tree', tree, '-m', 'bomb'], '');
  git(repo, ['update-ref', 'refs/heads/main', commit]);
}

describe('hostile git: a tree of 10^9 paths (git daemon)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let daemon: Daemon;

  before(async () => {
    sb = sandbox('git-bomb');
    const served = path.join(sb.root, 'served');
    mkdirSync(served);
    makeGitBomb(served, 'bomb');
    daemon = await startGitDaemon(served);
  });

  after(async () => {
    await daemon?.stop();
    sb?.cleanup();
  });

  it('G07 stops listing at maxFiles: an incomplete report within the git time cap (library, small cap)', async () => {
    const started = Date.now();
    const r = await scan({ kind: 'git', url: daemon.url('bomb') }, { limits: { maxFiles: 5_000, gitTimeoutMs: 20_000 } });
    const ms = Date.now() - started;
    assert.ok(ms < 20_000, `took ${ms} ms, over the git time cap`);
    assert.equal(r.complete, false);
    assert.ok(r.diagnostics.some((d) => d.code === 'file-count-limit' && d.incomplete));
    assert.ok(r.stats.files <= 5_000);
  });

  it('G07 the listing shares the fetch deadline: a deadline that runs out while listing is a clear error, not a hang', async () => {
    // A cap high enough that the listing, not the count, is what the deadline meets.
    await assert.rejects(scan({ kind: 'git', url: daemon.url('bomb') }, { limits: { maxFiles: 1e12, gitTimeoutMs: 1_500 } }), /took longer than 1500 ms/);
  });

  it('G07 through the CLI with the default caps: incomplete, within the git time cap', async () => {
    const { run, result } = await scanHostile(sb, daemon.url('bomb'));
    assert.ok(run.ms < DEFAULT_LIMITS.gitTimeoutMs, `took ${run.ms} ms`);
    assertIncomplete(result, 'file-count-limit');
  });
});
