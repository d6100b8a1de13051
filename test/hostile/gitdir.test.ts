/**
 * A folder scanned at a ref is fetched by git from that folder, and git goes wherever the folder's `.git` sends it:
 * a gitfile (`gitdir: /somewhere/else`), a `.git` symlink, a `commondir`, `objects/info/alternates` (what
 * `git clone --shared` writes), a real worktree's gitdir, a link inside the git folder. Each would make lurescan
 * scan and print a repository outside the folder. All are refused with exit 2 and a message naming the way out;
 * an ordinary repository, and a gitfile that stays inside the folder, still scan. Repositories are built with git.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git } from '../git-daemon.js';
import { assertHygiene, PACKAGE_LURE, runCli, sandbox, type Sandbox } from './harness.js';

describe('a folder scanned at a ref never reads a repository outside it', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let elsewhere: string;
  let n = 0;

  /** A fresh target folder for one case. */
  const folder = () => {
    const dir = path.join(sb.root, `t${++n}`);
    mkdirSync(dir);
    return dir;
  };
  /** A repository in `dir` with one commit of `files` on main. */
  const repo = (dir: string, files: Record<string, string>) => {
    git(dir, ['init', '-q', '-b', 'main']);
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'c']);
  };

  before(() => {
    sb = sandbox('gitdir');
    // The repository outside every target: a lure and the sandbox secret, which must never reach the output.
    elsewhere = path.join(sb.root, 'elsewhere');
    mkdirSync(elsewhere);
    repo(elsewhere, { 'package.json': PACKAGE_LURE, 'secret.txt': `${sb.secret}\n` });
  });
  after(() => sb?.cleanup());

  const refused = async (target: string, pattern: RegExp, args: string[] = []) => {
    const r = await runCli([target, '--ref', 'main', '--format', 'json', ...args], sb.env);
    assertHygiene(sb, r);
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stdout.slice(0, 300)} ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /refusing to scan a repository the folder does not contain/);
    assert.equal(r.stdout, '');
  };

  it('D01 .git is a file: gitdir with an absolute path, and a relative one', async () => {
    const a = folder();
    writeFileSync(path.join(a, '.git'), `gitdir: ${path.join(elsewhere, '.git')}\n`);
    await refused(a, /the gitdir in \.git points outside the folder/);
    const b = folder();
    writeFileSync(path.join(b, '.git'), 'gitdir: ../elsewhere/.git\n');
    await refused(b, /the gitdir in \.git points outside/);
    await refused(`file://${b}`, /points outside/);
  });

  it('D02 .git is a symbolic link to another repository', async () => {
    const t = folder();
    symlinkSync(path.join(elsewhere, '.git'), path.join(t, '.git'));
    await refused(t, /: \.git points outside the folder/);
  });

  it('D03 a real worktree of another repository (git worktree add)', async () => {
    const t = path.join(sb.root, 'wt');
    git(elsewhere, ['worktree', 'add', '-q', '-b', 'wt', t]);
    await refused(t, /the gitdir in \.git points outside/);
  });

  it('D04 commondir pointing at another repository', async () => {
    const t = folder();
    repo(t, { 'index.js': 'console.log(1)\n' });
    writeFileSync(path.join(t, '.git', 'commondir'), `${path.join(elsewhere, '.git')}\n`);
    await refused(t, /the commondir of \.git points outside/);
  });

  it('D05 objects/info/alternates (git clone --shared), absolute and relative', async () => {
    const t = path.join(sb.root, 'shared');
    git(sb.root, ['clone', '-q', '--shared', elsewhere, t]);
    await refused(t, /objects\/info\/alternates in \.git\/objects points outside/);
    writeFileSync(path.join(t, '.git', 'objects', 'info', 'alternates'), '../../../elsewhere/.git/objects\n');
    await refused(t, /alternates .*points outside/);
  });

  it('D06 a link inside the git folder: objects, and one ref', async () => {
    const a = folder();
    repo(a, { 'index.js': 'console.log(1)\n' });
    rmSync(path.join(a, '.git', 'objects'), { recursive: true });
    symlinkSync(path.join(elsewhere, '.git', 'objects'), path.join(a, '.git', 'objects'));
    await refused(a, /object store \.git\/objects points outside/);
    const b = folder();
    repo(b, { 'index.js': 'console.log(1)\n' });
    symlinkSync(path.join(elsewhere, '.git', 'refs', 'heads', 'main'), path.join(b, '.git', 'refs', 'heads', 'other'));
    await refused(b, /\.git\/refs\/heads\/other points outside/);
  });

  it('D07 the folder itself has no repository but a sibling <name>.git does: refused (git would open the sibling)', async () => {
    const t = folder();
    git(sb.root, ['clone', '-q', '--bare', elsewhere, `${t}.git`]);
    await refused(t, /t\d+\.git points outside/);
  });

  it('D08 still scanned: an ordinary repository, and a gitfile that stays inside the folder', async () => {
    const a = folder();
    repo(a, { 'package.json': PACKAGE_LURE });
    const r = await runCli([a, '--ref', 'main', '--format', 'json'], sb.env);
    const result = assertHygiene(sb, r, { format: 'json' });
    assert.equal(result?.verdict, 'block', r.stderr);
    const b = folder();
    repo(b, { 'package.json': PACKAGE_LURE });
    // Move the git folder inside the tree and point .git at it, as `git init --separate-git-dir` would.
    git(b, ['init', '-q', '--separate-git-dir', path.join(b, '.store')]);
    const r2 = await runCli([b, '--ref', 'main', '--format', 'json'], sb.env);
    assert.equal(assertHygiene(sb, r2, { format: 'json' })?.verdict, 'block', r2.stderr);
  });
});
