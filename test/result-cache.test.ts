/**
 * The analysis result cache (src/analysis/result-cache.ts): a second scan reads it and reports exactly what the
 * first did, an entry made by other code is never read, a damaged entry is a miss, changed content is a miss, and the
 * folder stays under its bound with the least recently used entries going first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ResultCache } from '../src/analysis/result-cache.js';
import { sourceIndex, useResultCache } from '../src/analysis/source-index.js';
import { acquireLocal } from '../src/acquire/local.js';
import { loadSignatures } from '../src/signatures/load.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import type { ScanResult } from '../src/types.js';
import { FIXTURES, scanFolder, tempDir } from './helpers.js';
import { scan, scanWorkspace } from '../src/scan.js';

const sigs = loadSignatures();
const LURES = ['lure-env-base64-c2', 'lure-obfuscated-middleware', 'lure-clickfix-meeting', 'lure-stealer', 'lure-python-test', 'benign-webpack-bundle'];

/** A scan result without what differs between two runs (timing). */
const comparable = (r: ScanResult) => JSON.stringify({ ...r, stats: { ...r.stats, ms: 0, reused: undefined } });

function entries(dir: string): string[] {
  const out: string[] = [];
  for (const shard of readdirSync(dir, { withFileTypes: true })) if (shard.isDirectory()) for (const f of readdirSync(path.join(dir, shard.name))) out.push(path.join(dir, shard.name, f));
  return out;
}

async function indexStats(dir: string, cache: ResultCache) {
  const ws = await acquireLocal(dir, DEFAULT_LIMITS);
  useResultCache(ws, cache);
  const idx = await sourceIndex(ws, sigs, DEFAULT_LIMITS);
  await ws.dispose();
  return idx;
}

describe('analysis result cache', function () {
  this.timeout(120_000);

  it('a second scan reads every analysis from the cache and reports exactly what a scan without it reports', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      for (const name of LURES) {
        const dir = path.join(FIXTURES, 'repos', name);
        const plain = await scanFolder(dir);
        const cold = await scanFolder(dir, { analysisCacheDir: cacheDir });
        const warm = await scanFolder(dir, { analysisCacheDir: cacheDir });
        assert.equal(comparable(cold), comparable(plain), `${name}: cold scan with the cache differs`);
        assert.equal(comparable(warm), comparable(plain), `${name}: warm scan differs`);
        const idx = await indexStats(dir, new ResultCache(cacheDir, 64 * 1024 * 1024));
        assert.ok(idx.stats.passed > 0, `${name}: nothing analysed`);
        assert.equal(idx.stats.cached, idx.stats.passed, `${name}: every analysed file comes from the cache`);
      }
      assert.ok(entries(cacheDir).length > 0);
    } finally {
      tmp.cleanup();
    }
  });

  it('clickfix-page: pages, standalone scripts and unparsable scripts report the same from the cache', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      for (const kind of ['positive', 'negative']) {
        const base = path.join(FIXTURES, 'rules', 'clickfix-page', kind);
        for (const name of readdirSync(base)) {
          const dir = path.join(base, name);
          const options = { rules: ['clickfix-page'] };
          const plain = await scanFolder(dir, options);
          assert.equal(comparable(await scanFolder(dir, { ...options, analysisCacheDir: cacheDir })), comparable(plain), `${kind}/${name}: cold`);
          assert.equal(comparable(await scanFolder(dir, { ...options, analysisCacheDir: cacheDir })), comparable(plain), `${kind}/${name}: warm`);
        }
      }
      assert.ok(entries(cacheDir).length > 0);
    } finally {
      tmp.cleanup();
    }
  });

  it('never reads an entry made by other code, and changed content is a miss', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      const repo = path.join(tmp.dir, 'repo');
      cpSync(path.join(FIXTURES, 'repos', 'lure-env-base64-c2'), repo, { recursive: true });
      const v1 = await indexStats(repo, new ResultCache(cacheDir, 1 << 26, () => 'v1'));
      assert.equal(v1.stats.cached, 0);
      assert.equal((await indexStats(repo, new ResultCache(cacheDir, 1 << 26, () => 'v1'))).stats.cached, v1.stats.passed);
      // Another analyser version (or lurescan version: both are in codeStamp) reads nothing of v1's.
      const v2 = new ResultCache(cacheDir, 1 << 26, () => 'v2');
      assert.equal((await indexStats(repo, v2)).stats.cached, 0);
      assert.equal(v2.stats.hits, 0);
      // One file changed: only that file is analysed again.
      const file = readdirSync(repo, { recursive: true, encoding: 'utf8' }).find((f) => /\.js$/.test(f) && !f.includes('node_modules'))!;
      writeFileSync(path.join(repo, file), `${readFileSync(path.join(repo, file), 'utf8')}\n// changed\n`);
      const again = await indexStats(repo, new ResultCache(cacheDir, 1 << 26, () => 'v1'));
      assert.equal(again.stats.cached, again.stats.passed - 1);
    } finally {
      tmp.cleanup();
    }
  });

  it('a torn or edited entry is a miss, and the scan is the same', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      const dir = path.join(FIXTURES, 'repos', 'lure-obfuscated-middleware');
      const plain = await scanFolder(dir);
      await scanFolder(dir, { analysisCacheDir: cacheDir });
      const files = entries(cacheDir);
      files.forEach((f, i) => {
        const b = readFileSync(f);
        if (i % 2) writeFileSync(f, b.subarray(0, b.length >> 1));
        else {
          b[b.length - 1] ^= 0xff;
          writeFileSync(f, b);
        }
      });
      const cache = new ResultCache(cacheDir, 1 << 26);
      const idx = await indexStats(dir, cache);
      assert.equal(idx.stats.cached, 0);
      // Every per-file entry the index looked up was damaged (the whole-scan entry is not one it reads).
      assert.equal(cache.stats.corrupt, idx.stats.passed);
      assert.ok(files.length > idx.stats.passed);
      assert.equal(comparable(await scanFolder(dir, { analysisCacheDir: cacheDir })), comparable(plain));
    } finally {
      tmp.cleanup();
    }
  });

  /** A cache bounded at 256 KiB in a temporary folder, and entries of ~8 KiB for it. */
  const bounded = (dir: string) => {
    const cacheDir = path.join(dir, 'cache');
    const max = 256 * 1024;
    return { cacheDir, max, cache: new ResultCache(cacheDir, max, () => 'v'), value: (i: number) => ({ i, data: 'x'.repeat(8 * 1024) }) };
  };

  it('stays under its size bound, dropping the least recently used entries first', () => {
    const tmp = tempDir();
    try {
      const { cacheDir, max, cache, value } = bounded(tmp.dir);
      for (let i = 0; i < 20; i++) cache.put('t', [String(i)], value(i));
      // Entries 0..19 from oldest to newest; then 0 and 1 are read (a hit refreshes an entry's time).
      const t0 = Date.now() / 1000 - 10_000;
      for (let i = 0; i < 20; i++) utimesSync(cache.pathOf('t', [String(i)]), t0 + i, t0 + i);
      assert.equal(cache.get<{ i: number }>('t', ['0'])?.i, 0);
      assert.equal(cache.get<{ i: number }>('t', ['1'])?.i, 1);
      // 34 entries of ~8 KiB: over the bound, trimmed to 80 % of it.
      for (let i = 20; i < 34; i++) cache.put('t', [String(i)], value(i));
      cache.trim();
      const total = entries(cacheDir).reduce((n, f) => n + statSync(f).size, 0);
      assert.ok(total <= max, `${total} bytes over the ${max}-byte bound`);
      assert.ok(cache.stats.evicted > 0);
      assert.equal(cache.get<{ i: number }>('t', ['33'])?.i, 33, 'the newest entry is kept');
      assert.equal(cache.get('t', ['2']), undefined, 'an old entry nobody read is dropped');
      assert.equal(cache.get<{ i: number }>('t', ['0'])?.i, 0, 'an old entry read recently is kept');
    } finally {
      tmp.cleanup();
    }
  });

  it('keeps its entries in sixteen shard folders; a two-digit shard of an earlier version is counted, and its older entries go before any newer one', () => {
    const tmp = tempDir();
    try {
      const { cacheDir, max, cache, value } = bounded(tmp.dir);
      // An earlier version's entries, older than anything written now, in a shard of two hex digits.
      mkdirSync(path.join(cacheDir, 'ab'), { recursive: true });
      const old = Date.now() / 1000 - 100_000;
      for (let i = 0; i < 16; i++) {
        const f = path.join(cacheDir, 'ab', `${String(i).padStart(62, '0')}.bin`);
        writeFileSync(f, 'x'.repeat(8 * 1024));
        utimesSync(f, old, old);
      }
      for (let i = 0; i < 24; i++) cache.put('t', [String(i)], value(i));
      const shards = readdirSync(cacheDir).filter((n) => n !== 'ab' && n !== 'usage.json');
      assert.ok(shards.length > 1 && shards.length <= 16, shards.join(' '));
      assert.ok(shards.every((n) => /^[0-9a-f]$/.test(n)), shards.join(' '));
      assert.equal(path.basename(path.dirname(cache.pathOf('t', ['0']))).length, 1);
      // 16 + 24 entries of ~8 KiB: over the bound; the legacy entries are the oldest, so they go first.
      cache.trim();
      const total = entries(cacheDir).reduce((n, f) => n + statSync(f).size, 0);
      assert.ok(total <= max, `${total} bytes over the ${max}-byte bound`);
      assert.ok(readdirSync(path.join(cacheDir, 'ab')).length < 16, 'the earlier version\'s entries are counted and evicted');
      for (let i = 0; i < 24; i++) assert.equal(cache.get<{ i: number }>('t', [String(i)])?.i, i, `entry ${i} is kept`);
    } finally {
      tmp.cleanup();
    }
  });

  it('counts the folder only when its recorded size plus new writes passes the bound, or the record is a day old', () => {
    const tmp = tempDir();
    try {
      const { cacheDir, max, cache, value } = bounded(tmp.dir);
      const usage = () => JSON.parse(readFileSync(path.join(cacheDir, 'usage.json'), 'utf8')) as { bytes: number; counted: number };
      const onDisk = () => entries(cacheDir).reduce((n, f) => n + statSync(f).size, 0);
      cache.put('t', ['0'], value(0));
      cache.trim();
      // The first trim has no record: it counts, and records what it found.
      assert.equal(usage().bytes, onDisk());
      // Entries written behind the record's back (another tool, a lost update) are not seen while the record says
      // there is room: 40 entries of ~8 KiB, over the bound, and one more write through the cache.
      const other = new ResultCache(cacheDir, 1024 * 1024 * 1024, () => 'v');
      for (let i = 1; i <= 40; i++) other.put('t', [String(i)], value(i));
      cache.put('t', ['41'], value(41));
      cache.trim();
      assert.ok(onDisk() > max, 'not counted: the record said there was room');
      const counted = usage().counted;
      assert.ok(usage().bytes < max);
      // A record a day old is not trusted: the next trim counts and evicts.
      writeFileSync(path.join(cacheDir, 'usage.json'), JSON.stringify({ bytes: usage().bytes, counted: counted - 25 * 60 * 60 * 1000 }));
      cache.put('t', ['42'], value(42));
      cache.trim();
      assert.ok(onDisk() <= max, `${onDisk()} bytes over the ${max}-byte bound`);
      assert.equal(usage().bytes, onDisk());
      // A record the writes would take past the bound is not trusted either.
      writeFileSync(path.join(cacheDir, 'usage.json'), JSON.stringify({ bytes: max - 100, counted: Date.now() }));
      cache.put('t', ['43'], value(43));
      cache.trim();
      assert.equal(usage().bytes, onDisk());
      // An unreadable record is a count.
      writeFileSync(path.join(cacheDir, 'usage.json'), '{"bytes": "lots"');
      cache.put('t', ['44'], value(44));
      cache.trim();
      assert.equal(usage().bytes, onDisk());
    } finally {
      tmp.cleanup();
    }
  });
});

describe('whole-scan reuse (engine/scan-memo.ts)', function () {
  this.timeout(120_000);

  it('an unchanged tree is judged once: the second scan is reused and equal to a scan without the cache', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      for (const name of [...LURES, 'benign-express-handlers', 'lock-yarn-v1-bad']) {
        const dir = path.join(FIXTURES, 'repos', name);
        const plain = await scanFolder(dir);
        const cold = await scanFolder(dir, { analysisCacheDir: cacheDir });
        const warm = await scanFolder(dir, { analysisCacheDir: cacheDir });
        assert.equal(cold.stats.reused, undefined, `${name}: the first scan judges the tree`);
        assert.equal(warm.stats.reused, true, `${name}: the second is reused`);
        assert.equal(comparable(warm), comparable(plain), `${name}: reused result differs`);
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('a tree with links and a nested archive is reused with what its expansion found (paths, diagnostics, counts)', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      const repo = path.join(tmp.dir, 'repo');
      mkdirSync(path.join(repo, 'config'), { recursive: true });
      cpSync(path.join(FIXTURES, 'repos', 'lure-tasks-curl', '.vscode'), path.join(repo, 'config', 'editor'), { recursive: true });
      symlinkSync('config/editor', path.join(repo, '.vscode'));
      execFileSync('tar', ['-cf', path.join(repo, 'vendor.tar'), '-C', path.join(FIXTURES, 'repos', 'lure-env-base64-c2'), '.']);
      const plain = await scanFolder(repo);
      assert.ok(plain.findings.some((f) => f.location.file === '.vscode/tasks.json'));
      assert.ok(plain.findings.some((f) => f.location.file.startsWith('vendor.tar!/')), JSON.stringify(plain.findings.map((f) => f.location.file)));
      await scanFolder(repo, { analysisCacheDir: cacheDir });
      const warm = await scanFolder(repo, { analysisCacheDir: cacheDir });
      assert.equal(warm.stats.reused, true);
      assert.equal(comparable(warm), comparable(plain));
      // A caller of scanWorkspace finds the workspace as a scan leaves it: archive entries and link paths presented.
      const ws = await acquireLocal(repo, DEFAULT_LIMITS);
      try {
        const again = await scanWorkspace(ws, { analysisCacheDir: cacheDir });
        assert.equal(again.stats.reused, true);
        assert.equal(JSON.stringify(again.diagnostics), JSON.stringify(plain.diagnostics));
        assert.ok(ws.files.some((f) => f.path.startsWith('vendor.tar!/')));
        assert.ok(ws.files.some((f) => f.path === '.vscode/tasks.json' && f.alias?.how === 'link'));
      } finally {
        await ws.dispose();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('any change to the tree or the options is judged afresh: a byte of a non-source file, a rename, an excluded rule', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      const repo = path.join(tmp.dir, 'repo');
      cpSync(path.join(FIXTURES, 'repos', 'lure-env-base64-c2'), repo, { recursive: true });
      writeFileSync(path.join(repo, 'README.md'), '# Take-home task\n');
      const scanRepo = (o: Parameters<typeof scanFolder>[1] = {}) => scanFolder(repo, { analysisCacheDir: cacheDir, ...o });
      const first = await scanRepo();
      assert.equal((await scanRepo()).stats.reused, true);
      // One byte of a file no rule reads as source: the tree is not the same tree.
      writeFileSync(path.join(repo, 'README.md'), `${readFileSync(path.join(repo, 'README.md'), 'utf8')}.`);
      const edited = await scanRepo();
      assert.equal(edited.stats.reused, undefined);
      assert.equal(edited.verdict, first.verdict);
      assert.equal((await scanRepo()).stats.reused, true);
      // The same bytes under another name.
      renameSync(path.join(repo, 'README.md'), path.join(repo, 'README.txt'));
      assert.equal((await scanRepo()).stats.reused, undefined);
      // Other options judge differently.
      const fewer = await scanRepo({ excludeRules: ['encoded-c2-config'] });
      assert.equal(fewer.stats.reused, undefined);
      assert.ok(!fewer.findings.some((f) => f.ruleId === 'encoded-c2-config'));
      assert.equal((await scanRepo({ limits: { maxFileBytes: 4096 } })).stats.reused, undefined);
      // A lure added to the tree is found, not hidden behind the earlier answer.
      cpSync(path.join(FIXTURES, 'repos', 'lure-tasks-curl', '.vscode'), path.join(repo, '.vscode'), { recursive: true });
      const added = await scanRepo();
      assert.equal(added.stats.reused, undefined);
      assert.ok(added.findings.some((f) => f.location.file === '.vscode/tasks.json'), JSON.stringify(added.findings.map((f) => f.location.file)));
    } finally {
      tmp.cleanup();
    }
  });

  it('a tree that is incomplete by itself (a file over the size cap, a damaged lockfile) is reused, incomplete the same way', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      const repo = path.join(tmp.dir, 'repo');
      cpSync(path.join(FIXTURES, 'repos', 'lure-env-base64-c2'), repo, { recursive: true });
      writeFileSync(path.join(repo, 'big.bin'), Buffer.alloc(64 * 1024, 7));
      writeFileSync(path.join(repo, 'package-lock.json'), '{"lockfileVersion": 3, "packages": ');
      const options = { limits: { maxFileBytes: 32 * 1024 } };
      const plain = await scanFolder(repo, options);
      assert.equal(plain.complete, false);
      assert.deepEqual([...new Set(plain.diagnostics.filter((d) => d.incomplete).map((d) => d.code))].sort(), ['file-too-large', 'lockfile-format', 'parse-error']);
      await scanFolder(repo, { ...options, analysisCacheDir: cacheDir });
      const warm = await scanFolder(repo, { ...options, analysisCacheDir: cacheDir });
      assert.equal(warm.stats.reused, true);
      assert.equal(comparable(warm), comparable(plain));
    } finally {
      tmp.cleanup();
    }
  });

  it('a git repository is keyed by its blob ids: reused when the commit is the same tree, judged afresh when a blob changes', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      const repo = path.join(tmp.dir, 'repo');
      cpSync(path.join(FIXTURES, 'repos', 'lure-tasks-curl'), repo, { recursive: true });
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });
      git('init', '-q');
      git('add', '-A');
      git('commit', '-qm', 'one');
      const target = { kind: 'git' as const, url: `file://${repo}`, allowFileProtocol: true };
      const plain = await scan(target);
      assert.equal(plain.verdict, 'block');
      await scan(target, { analysisCacheDir: cacheDir });
      const warm = await scan(target, { analysisCacheDir: cacheDir });
      assert.equal(warm.stats.reused, true);
      assert.equal(JSON.stringify(warm.findings), JSON.stringify(plain.findings));
      // An empty commit is the same tree: still reused. A changed blob is another tree.
      git('commit', '-q', '--allow-empty', '-m', 'two');
      assert.equal((await scan(target, { analysisCacheDir: cacheDir })).stats.reused, true);
      writeFileSync(path.join(repo, 'README.md'), 'changed\n');
      git('commit', '-qam', 'three');
      const changed = await scan(target, { analysisCacheDir: cacheDir });
      assert.equal(changed.stats.reused, undefined);
      assert.equal(changed.verdict, 'block');
    } finally {
      tmp.cleanup();
    }
  });

  it('a scan cut short or judged with an embedder\'s rules is never reused', async () => {
    const tmp = tempDir();
    try {
      const cacheDir = path.join(tmp.dir, 'cache');
      const dir = path.join(FIXTURES, 'repos', 'lure-obfuscated-middleware');
      // Past the whole-scan budget at once: the result is incomplete and must not stand for the tree later.
      const cut = await scanFolder(dir, { analysisCacheDir: cacheDir, limits: { maxScanMs: 0 } });
      assert.ok(cut.diagnostics.some((d) => d.code === 'scan-time-limit'), JSON.stringify(cut.diagnostics));
      const again = await scanFolder(dir, { analysisCacheDir: cacheDir, limits: { maxScanMs: 0 } });
      assert.equal(again.stats.reused, undefined);
      const extra = { meta: { id: 'org-extra', title: 't', description: 'd', severity: 'low' as const, confidence: 'low' as const, techniques: [], remediation: 'r' }, check: () => undefined };
      await scanFolder(dir, { analysisCacheDir: cacheDir, extraRules: [extra] });
      assert.equal((await scanFolder(dir, { analysisCacheDir: cacheDir, extraRules: [extra] })).stats.reused, undefined);
    } finally {
      tmp.cleanup();
    }
  });
});
