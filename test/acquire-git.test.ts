/**
 * The hardened git path against a real git daemon on loopback. A hostile global git config (template hooks,
 * core.hooksPath, an fsmonitor and an LFS smudge filter that would each touch a canary file) and a repository
 * whose .gitattributes asks for that filter: the scan must find the lure and the canary must stay untouched.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/scan.js';
import { FIXTURES, tempDir } from './helpers.js';
import { git, makeBareRepo, startGitDaemon, CLEAN_GIT_ENV, type Daemon } from './git-daemon.js';

describe('git acquisition (real git daemon)', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let daemon: Daemon;
  let canary: string;
  let hostileConfig: string;
  let lureSha: string;
  const savedEnv = { ...process.env };

  before(async () => {
    tmp = tempDir('lurescan-git-');
    const served = path.join(tmp.dir, 'served');
    mkdirSync(served);
    canary = path.join(tmp.dir, 'CANARY');
    const touch = path.join(tmp.dir, 'touch-canary.sh');
    writeFileSync(touch, `#!/bin/sh\necho "$0 $*" >> '${canary}'\ncat\n`);
    chmodSync(touch, 0o755);
    const hooks = path.join(tmp.dir, 'evil-hooks');
    const template = path.join(tmp.dir, 'evil-template');
    mkdirSync(hooks);
    mkdirSync(path.join(template, 'hooks'), { recursive: true });
    for (const h of ['post-checkout', 'reference-transaction', 'post-merge', 'pre-auto-gc', 'post-index-change']) {
      for (const dir of [hooks, path.join(template, 'hooks')]) {
        writeFileSync(path.join(dir, h), `#!/bin/sh\necho hook-${h} >> '${canary}'\n`);
        chmodSync(path.join(dir, h), 0o755);
      }
    }
    hostileConfig = path.join(tmp.dir, 'hostile.gitconfig');
    writeFileSync(
      hostileConfig,
      [
        '[init]',
        `\ttemplateDir = ${template}`,
        '[core]',
        `\thooksPath = ${hooks}`,
        `\tfsmonitor = ${touch}`,
        '[filter "lfs"]',
        `\tsmudge = ${touch} smudge %f`,
        `\tclean = ${touch} clean %f`,
        '\trequired = true',
        '[protocol]',
        '\tallow = always',
        '',
      ].join('\n'),
    );
    lureSha = makeBareRepo(served, 'lure', path.join(FIXTURES, 'repos', 'lure-fake-font-task'), {
      '.gitattributes': '*.js filter=lfs diff=lfs merge=lfs -text\n*.woff2 filter=lfs diff=lfs merge=lfs -text\n',
    });
    // A second branch and a benign repository.
    const work = path.join(served, 'lure-work');
    git(work, ['checkout', '-q', '-b', 'clean-branch']);
    git(work, ['rm', '-q', '-r', '.vscode', 'public/fonts']);
    git(work, ['commit', '-q', '-m', 'remove task']);
    git(work, ['push', '-q', path.join(served, 'lure.git'), 'clean-branch']);
    makeBareRepo(served, 'benign', path.join(FIXTURES, 'repos', 'benign-husky-prisma'));
    daemon = await startGitDaemon(served);
  });

  after(async () => {
    process.env = savedEnv;
    await daemon?.stop();
    tmp?.cleanup();
  });

  it('the hostile config is live: an ordinary clone with it touches the canary (control)', () => {
    const out = path.join(tmp.dir, 'control-clone');
    try {
      git(tmp.dir, ['clone', '-q', daemon.url('lure'), out], { ...CLEAN_GIT_ENV, GIT_CONFIG_GLOBAL: hostileConfig });
    } catch {
      // a smudge filter that mangles content may make the clone fail; the canary is what matters
    }
    assert.ok(existsSync(canary), 'the control clone ran a hook or filter from the hostile config');
  });

  it('scans a git:// URL under that config without running anything and still finds the lure', async () => {
    const { rmSync } = await import('node:fs');
    rmSync(canary, { force: true });
    process.env.GIT_CONFIG_GLOBAL = hostileConfig;
    process.env.GIT_TEMPLATE_DIR = path.join(tmp.dir, 'evil-template');
    const r = await scan({ kind: 'git', url: daemon.url('lure') });
    process.env = { ...savedEnv };
    assert.equal(existsSync(canary), false, 'canary untouched: no hook, template, fsmonitor or filter ran');
    assert.equal(r.verdict, 'block');
    assert.equal(r.provenance.commit, lureSha);
    const font = r.findings.find((f) => f.ruleId === 'disguised-file-type');
    assert.ok(font, 'the fake font is read from the object store');
    assert.equal(font.location.file, 'public/fonts/fa-solid-400.woff2');
    const task = r.findings.find((f) => f.ruleId === 'editor-task-autorun');
    assert.ok(task?.location.line, 'file:line evidence');
  });

  it('--ref picks a branch, and a commit id', async () => {
    const clean = await scan({ kind: 'git', url: daemon.url('lure'), ref: 'clean-branch' });
    assert.notEqual(clean.verdict, 'block');
    const bySha = await scan({ kind: 'git', url: daemon.url('lure'), ref: lureSha });
    assert.equal(bySha.verdict, 'block');
    assert.equal(bySha.provenance.commit, lureSha);
  });

  it('a benign repository does not block', async () => {
    const r = await scan({ kind: 'git', url: daemon.url('benign') });
    assert.notEqual(r.verdict, 'block');
    assert.equal(r.complete, true);
  });

  it('a missing repository is a clear error, not a clean pass', async () => {
    await assert.rejects(scan({ kind: 'git', url: daemon.url('does-not-exist') }), /git: could not fetch git:\/\/127\.0\.0\.1:\d+\/does-not-exist\.git/);
  });

  it('file:// is refused unless the user points at a local path', async () => {
    const local = `file://${path.join(tmp.dir, 'served', 'lure.git')}`;
    await assert.rejects(scan({ kind: 'git', url: local }), /could not fetch/);
    const ok = await scan({ kind: 'git', url: local, allowFileProtocol: true });
    assert.equal(ok.verdict, 'block');
  });

  it('stops at the size cap and the time cap with a clear error', async () => {
    await assert.rejects(scan({ kind: 'git', url: daemon.url('lure') }, { limits: { maxGitBytes: 1000 } }), /over the 1000-byte limit/);
    await assert.rejects(scan({ kind: 'git', url: daemon.url('lure') }, { limits: { gitTimeoutMs: 1 } }), /took longer than 1 ms/);
  });

  it('leaves no temporary object store behind, after a scan and after a failed fetch', async () => {
    const { mkdirSync, readdirSync } = await import('node:fs');
    const own = path.join(tmp.dir, 'scratch');
    mkdirSync(own);
    await scan({ kind: 'git', url: daemon.url('benign') }, { tempDir: own });
    await scan({ kind: 'git', url: daemon.url('nope') }, { tempDir: own }).catch(() => undefined);
    assert.deepEqual(readdirSync(own), []);
  });
});
