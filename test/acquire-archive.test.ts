/** Archives: a mailed zip of a lure blocks; hostile entries (traversal, absolute paths, links, bombs) are refused with diagnostics. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { scan } from '../src/scan.js';
import { acquireArchiveBuffer } from '../src/acquire/archive.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import { FIXTURES, tempDir } from './helpers.js';
import { zipOf } from './support/archives.js';

async function tarOf(entries: Partial<tar.Header>[], bodies: (string | undefined)[]): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  pack.on('data', (d: unknown) => parts.push(d as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  entries.forEach((h, i) => {
    const body = bodies[i];
    const header = h as tar.Header;
    if (body === undefined) pack.entry(header);
    else pack.entry(header, body);
  });
  pack.finalize();
  await done;
  return Buffer.concat(parts);
}

describe('archive acquisition', () => {
  it('a zip of a lure with a live .git blocks, with file:line evidence and the archive hash', async () => {
    const r = await scan({ kind: 'archive', path: path.join(FIXTURES, 'archives', 'lure-take-home.zip') });
    assert.equal(r.verdict, 'block');
    assert.match(r.provenance.archiveSha256 ?? '', /^[0-9a-f]{64}$/);
    const ids = new Set(r.findings.map((f) => f.ruleId));
    for (const id of ['editor-task-autorun', 'disguised-file-type', 'git-config-exec', 'git-hook-command']) assert.ok(ids.has(id), id);
    const task = r.findings.find((f) => f.ruleId === 'editor-task-autorun')!;
    assert.equal(task.location.file, '.vscode/tasks.json', 'the wrapping folder is stripped');
    assert.ok(task.location.line);
  });

  it('a zip of a benign project does not block', async () => {
    const r = await scan({ kind: 'archive', path: path.join(FIXTURES, 'archives', 'benign-take-home.zip') });
    assert.notEqual(r.verdict, 'block');
    assert.equal(r.complete, true);
  });

  it('a .tar.gz of a lure blocks', async () => {
    const tgz = gzipSync(
      await tarOf(
        [
          { name: 'app/package.json', type: 'file' },
          { name: 'app/server.js', type: 'file' },
        ],
        [JSON.stringify({ name: 'x', scripts: { preinstall: 'start /b node server || nohup node server &' } }), 'require("http")'],
      ),
    );
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'test.tgz');
      writeFileSync(file, tgz);
      const r = await scan({ kind: 'archive', path: file });
      assert.equal(r.verdict, 'block');
      assert.equal(r.findings[0].location.file, 'package.json');
    } finally {
      t.cleanup();
    }
  });

  it('refuses zip-slip, absolute paths and symlink entries, each with a diagnostic', async () => {
    // Zip writers refuse hostile names, so write placeholders of the same length and patch the name bytes.
    let zip = await zipOf([
      { name: 'ok/readme.md', data: '# ok' },
      { name: 'aa/aa/escape.js', data: 'x' },
      { name: 'xetc/cron.d/evil', data: 'x' },
      { name: 'link-to-secret', data: '/home/user/.ssh/id_rsa', mode: 0o120777 },
    ]);
    const patch = (buf: Buffer, from: string, to: string) => Buffer.from(buf.toString('latin1').split(from).join(to), 'latin1');
    zip = patch(patch(zip, 'aa/aa/escape.js', '../../escape.js'), 'xetc/cron.d/evil', '/etc/cron.d/evil');
    const ws = await acquireArchiveBuffer(zip, 'hostile.zip', DEFAULT_LIMITS);
    const codes = ws.diagnostics.map((d) => `${d.code}:${d.file}`);
    assert.ok(codes.includes('archive-unsafe-path:../../escape.js'), codes.join(','));
    assert.ok(codes.includes('archive-unsafe-path:/etc/cron.d/evil'), codes.join(','));
    const link = ws.files.find((f) => f.path === 'link-to-secret');
    assert.equal(link?.kind, 'symlink');
    assert.equal(await link?.text(), undefined, 'a symlink is never read through');
    assert.ok(!ws.files.some((f) => f.path.includes('..')));
  });

  it('refuses a compression bomb and says the scan is incomplete', async () => {
    const zip = await zipOf([{ name: 'zeros.js', data: Buffer.alloc(50 * 1024 * 1024) }, { name: 'package.json', data: '{}' }]);
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'bomb.zip');
      writeFileSync(file, zip);
      const r = await scan({ kind: 'archive', path: file });
      assert.ok(r.diagnostics.some((d) => d.code === 'archive-bomb' && d.file === 'zeros.js'));
      assert.equal(r.complete, false);
    } finally {
      t.cleanup();
    }
  });

  it('refuses tar device entries and hard links out of the root', async () => {
    const buf = await tarOf(
      [
        { name: 'p/dev', type: 'character-device', devmajor: 1, devminor: 3 },
        { name: 'p/hard', type: 'link', linkname: '/etc/passwd' },
        { name: 'p/a.js', type: 'file' },
      ],
      [undefined, undefined, 'ok'],
    );
    const ws = await acquireArchiveBuffer(buf, 'x.tar', DEFAULT_LIMITS);
    assert.ok(ws.diagnostics.some((d) => d.code === 'archive-special-entry'));
    const hard = ws.files.find((f) => f.path === 'hard');
    assert.equal(hard?.kind, 'symlink');
    assert.equal(await hard?.bytes(), undefined);
  });

  it('a tar cut short inside an entry body is a diagnostic, not a crash', async () => {
    const whole = await tarOf([{ name: 'p/package.json', type: 'file' }, { name: 'p/a.js', type: 'file' }], ['{}', 'x'.repeat(5000)]);
    for (const cut of [512 + 512 + 512 + 100, 512 + 512 + 512 + 4000]) {
      const ws = await acquireArchiveBuffer(whole.subarray(0, cut), 'cut.tar', DEFAULT_LIMITS);
      assert.ok(ws.diagnostics.some((d) => d.code === 'archive-corrupt' && d.incomplete), JSON.stringify(ws.diagnostics));
      assert.ok(ws.files.some((f) => f.path === 'package.json'), 'entries before the cut are kept');
    }
  });

  it('a file that is not an archive is a clear error', async () => {
    await assert.rejects(acquireArchiveBuffer(Buffer.from('hello'), 'notes.zip', DEFAULT_LIMITS), /not a zip, tar or tar\.gz archive/);
  });
});
