/**
 * `lurescan signatures update --from <zip|url>` and `signatures stats`, against OSV-shaped zips built here and served by
 * a loopback HTTP server (never the internet); then a scan that merges the import, and one with --offline that does not.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { main } from '../src/cli/main.js';
import { tempDir } from './helpers.js';
import { parseIndexText } from '../src/signatures/package-db.js';

function osvZip(records: Record<string, unknown>[], extra: [string, string][] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const r of records) zip.addBuffer(Buffer.from(JSON.stringify(r)), `${String(r.id)}.json`);
  for (const [name, body] of extra) zip.addBuffer(Buffer.from(body), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

const mal = (id: string, ecosystem: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  modified: '2026-11-20T00:00:00Z',
  summary: `Malicious code in ${name} (${ecosystem})`,
  affected: [{ package: { ecosystem, name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }],
  database_specific: { 'malicious-packages-origins': [{ source: 'test' }] },
  ...extra,
});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: { ...env, CI: '1' } });
  return { code, out, err };
}

describe('lurescan signatures update / stats', () => {
  let server: Server;
  let base: string;
  const tmp = tempDir();
  let zipBytes: Buffer;

  before(async () => {
    zipBytes = await osvZip(
      [
        mal('MAL-2026-1001', 'npm', 'totally-new-evil'),
        mal('MAL-2026-1002', 'PyPI', 'Evil_Py'),
        mal('MAL-2026-1003', 'crates.io', 'evil-crate'),
        { id: 'GHSA-xxxx-yyyy-zzzz', modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, versions: ['4.17.20'] }] },
        { id: 'MAL-2026-1004', affected: 'not an array' },
      ],
      [['README.txt', 'not a record'], ['MAL-broken.json', '{ nope']],
    );
    server = createServer((req, res) => {
      if (req.url === '/npm/all.zip') {
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zipBytes.length });
        res.end(zipBytes);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  after(() => {
    server.close();
    tmp.cleanup();
  });

  it('imports MAL- records for npm and PyPI from a zip served on loopback, skipping the rest with counts', async () => {
    const dir = path.join(tmp.dir, 'cache-url');
    const r = await run(['signatures', 'update', '--from', `${base}/npm/all.zip`, '--signatures-dir', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Imported 2 MAL- records \(npm 1, PyPI 1\)/);
    assert.match(r.out, /Skipped: 1 non-MAL, 1 other ecosystems, 1 invalid, 1 unreadable/);
    const idx = parseIndexText(readFileSync(path.join(dir, 'osv-index.idx'), 'utf8'));
    assert.equal(idx.name, 'osv');
    assert.ok(idx.entries('PyPI', 'evil-py'), 'PyPI names are stored normalised');
  });

  it('imports from a local zip file too, and a 404 is an error with exit code 2', async () => {
    const file = path.join(tmp.dir, 'all.zip');
    writeFileSync(file, zipBytes);
    const dir = path.join(tmp.dir, 'cache-file');
    const ok = await run(['signatures', 'update', '--from', file, '--signatures-dir', dir]);
    assert.equal(ok.code, 0, ok.err);
    assert.ok(existsSync(path.join(dir, 'osv-meta.json')));
    const bad = await run(['signatures', 'update', '--from', `${base}/PyPI/all.zip`, '--signatures-dir', path.join(tmp.dir, 'x')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /HTTP 404/);
  });

  it('stats prints the bundled and the imported sets; --offline only the bundled one', async () => {
    const dir = path.join(tmp.dir, 'cache-url');
    const s = await run(['signatures', 'stats', '--signatures-dir', dir]);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /bundled\s+695 records \(npm 691, PyPI 4 names\)/);
    assert.match(s.out, /OSV cache\s+2 records \(npm 1, PyPI 1 names\)/);
    assert.match(s.out, /IOCs: \d+ in \d+ campaigns/);
    const j = JSON.parse((await run(['signatures', 'stats', '--format', 'json', '--offline'])).out);
    assert.equal(j.offline, true);
    assert.deepEqual(j.packageIndexes.map((x: { name: string }) => x.name), ['bundled']);
  });

  it('a scan merges the import (blocks on a name only the import knows); --offline does not', async () => {
    const dir = path.join(tmp.dir, 'cache-url');
    const repo = path.join(tmp.dir, 'repo');
    mkdirSync(repo, { recursive: true });
    writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { 'totally-new-evil': '^1.0.0' } }));
    const env = { LURESCAN_SIGNATURES_DIR: dir };
    const merged = await run([repo, '--format', 'json', '--rule', 'known-malicious-package'], env);
    const m = JSON.parse(merged.out);
    assert.equal(m.verdict, 'block');
    assert.match(m.findings[0].message, /MAL-2026-1001/);
    const offline = await run([repo, '--format', 'json', '--rule', 'known-malicious-package', '--offline'], env);
    assert.equal(JSON.parse(offline.out).verdict, 'pass');
  });
});
