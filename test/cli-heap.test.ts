/** The command chooses how V8's heap may grow (src/cli/heap.ts): tight only for large trees, the org scan and packages. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { acquireLocal } from '../src/acquire/local.js';
import { capYoungGeneration, LARGE_TREE_BYTES, LARGE_TREE_WORKER_SEMI_MB, onLargeTree, YOUNG_GENERATION_CAP } from '../src/cli/heap.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import type { ProgressEvent } from '../src/options.js';
import { ROOT, scanFolder } from './helpers.js';
import { NODE24 } from './support/runner.js';

/**
 * The scripts' `grow()`: allocates `n` objects of which some survive a while (as a scan's do), turning the event loop
 * now and then as file reads do, and returns the young generation's size.
 */
const grow = (n: number) => `
const grow = async () => {
  let keep = [];
  for (let i = 0; i < ${n}; i++) {
    keep.push({ i, s: 'x' + i });
    if (keep.length > 300000) keep = [];
    if (i % 20000 === 0) await new Promise((r) => setImmediate(r));
  }
  return youngGenerationBytes();
};`;

/**
 * A script that allocates objects of which some survive a while (as a scan's do), turning the event loop now and then
 * as file reads do, and prints the young generation's size after each of three stages: before `capYoungGeneration`
 * (when CAP=1), after it, and after `defaultHeapFlags`.
 */
const GROWER = (module: string) => `
import v8 from 'node:v8';
import { capYoungGeneration, defaultHeapFlags, youngGenerationBytes } from ${JSON.stringify(module)};
const started = process.env.CAP === '1' ? capYoungGeneration() : false;
${grow(4e6)}
const capped = await grow();
defaultHeapFlags();
const after = await grow();
console.log(JSON.stringify({ started, capped, after }));
`;

/**
 * A script that allocates (as GROWER does), starts a worker thread the way the analysis pool does, then has the worker
 * and the main thread allocate and prints both young generations. MODE=large: the scan reported a large tree first
 * (heapByTreeSize); MODE=cap: capYoungGeneration first (Node 24); otherwise V8's defaults. After it, `released`: the
 * main thread's young generation after releaseYoungGeneration and more allocation; `flagsRestored`: whether V8's flag
 * hash is the one the script started with after defaultHeapFlags.
 */
const WITH_WORKER = (module: string) => `
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import v8 from 'node:v8';
import { capYoungGeneration, defaultHeapFlags, heapByTreeSize, LARGE_TREE_BYTES, releaseYoungGeneration, youngGenerationBytes } from ${JSON.stringify(module)};
const tag = v8.cachedDataVersionTag();
if (process.env.MODE === 'large') heapByTreeSize()({ phase: 'acquire', message: 'x', total: 5000, bytes: LARGE_TREE_BYTES });
if (process.env.MODE === 'cap') capYoungGeneration();
${grow(3e6)}
// The main thread allocates first: under MODE=cap its young generation reaches the cap before the worker starts.
await grow();
// Dynamic imports: the worker's eval code is an ES module or a script depending on how the parent was started.
const worker = new Worker(\`
  Promise.all([import('node:v8'), import('node:worker_threads')]).then(([{ default: v8 }, { parentPort }]) => parentPort.once('message', () => {
    let keep = [];
    for (let i = 0; i < 3e6; i++) {
      keep.push({ i, s: 'x' + i });
      if (keep.length > 300000) keep = [];
    }
    parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
  }));
\`, { eval: true });
await once(worker, 'online');
worker.postMessage('go');
const [inWorker] = await once(worker, 'message');
await worker.terminate();
const main = await grow();
releaseYoungGeneration();
const released = await grow();
defaultHeapFlags();
// V8 stamps its code cache with a hash of its flags: after defaultHeapFlags it must be the one the run started with.
console.log(JSON.stringify({ main, worker: inWorker, released, flagsRestored: v8.cachedDataVersionTag() === tag }));
`;

describe('CLI heap growth', () => {
  it('asks for a tight heap when the inventory reports a large tree (by the size of its files), and passes every event on', () => {
    let large = 0;
    const seen: ProgressEvent[] = [];
    const cb = onLargeTree(
      () => large++,
      (e) => seen.push(e),
    );
    const events: ProgressEvent[] = [
      { phase: 'acquire', message: 'x' },
      // verdaccio's node_modules: many entries, 40 MB — a tight heap cost it 8 % more CPU for 10 MiB less.
      { phase: 'inventory', total: 6_803, bytes: 39_669_827 },
      { phase: 'inventory', total: 100, bytes: LARGE_TREE_BYTES - 1 },
      { phase: 'rules', done: 0, total: 20 },
    ];
    for (const e of events) cb(e);
    assert.equal(large, 0, 'a tree under the bound keeps V8’s default growth, however many entries it has');
    assert.deepEqual(seen, events);
    cb({ phase: 'inventory', total: 33_810, bytes: LARGE_TREE_BYTES });
    assert.equal(large, 1);
    // A folder's listing tells its size as it goes: a large tree is known before the listing ends.
    cb({ phase: 'acquire', message: '/big', total: 3_000, bytes: LARGE_TREE_BYTES + 1 });
    assert.equal(large, 2);
    // Without a printer (no terminal), the watcher still runs.
    let alone = 0;
    onLargeTree(() => alone++)({ phase: 'inventory', total: 100_000, bytes: 2 ** 31 });
    assert.equal(alone, 1);
  });

  it('the scan reports the size of the tree with its inventory', async () => {
    const events: ProgressEvent[] = [];
    await scanFolder(path.join(ROOT, 'fixtures', 'repos', 'lure-fake-font-task'), { onProgress: (e) => events.push(e) });
    const inv = events.find((e) => e.phase === 'inventory' && e.total !== undefined);
    assert.ok(inv && inv.bytes! > 0 && inv.total! > 0, JSON.stringify(inv));
  });

  it('a folder\'s listing reports its entries and bytes every thousand entries', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lurescan-listed-'));
    try {
      for (let d = 0; d < 5; d++) {
        mkdirSync(path.join(root, `d${d}`));
        for (let i = 0; i < 500; i++) writeFileSync(path.join(root, `d${d}`, `f${i}.txt`), 'x'.repeat(d + 1));
      }
      const heard: [number, number][] = [];
      const ws = await acquireLocal(root, DEFAULT_LIMITS, (entries, bytes) => heard.push([entries, bytes]));
      assert.equal(ws.files.length, 2500);
      // d0 and d1 hold the first 1,000 files (1 and 2 bytes each), d2 and d3 the next (3 and 4 bytes).
      assert.deepEqual(heard, [
        [1000, 500 * 1 + 500 * 2],
        [2000, 500 * 1 + 500 * 2 + 500 * 3 + 500 * 4],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  // V8 up to 12 puts the growth factor back to 2 whenever an isolate starts (a worker thread's too): the hold must
  // outlive the analysis worker's start, and the worker must start at its own fixed size.
  it('holds the young generation of the main thread and of a worker started after a large tree was reported', function () {
    const module = pathToFileURL(path.join(ROOT, 'build', 'cli', 'heap.js')).href;
    const run = (mode: string) => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', WITH_WORKER(module)], { encoding: 'utf8', env: { ...process.env, MODE: mode } });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { main: number; worker: number; released: number; flagsRestored: boolean };
    };
    const MiB = 1024 * 1024;
    const free = run('none');
    assert.ok(free.main >= 16 * MiB && free.worker >= 16 * MiB, `V8 grows both young generations on its own: ${JSON.stringify(free)}`);
    const held = run('large');
    assert.ok(held.main <= 8 * MiB, `the main thread's stays small: ${held.main}`);
    assert.ok(held.worker >= LARGE_TREE_WORKER_SEMI_MB * MiB && held.worker <= 3 * LARGE_TREE_WORKER_SEMI_MB * MiB, `the worker's starts at and stays near its size: ${held.worker}`);
    assert.ok(held.released > held.main, `grows again once released: ${held.released} after ${held.main}`);
    assert.equal(held.flagsRestored, true, 'the code cache written at the end is stamped with the default flags');
  });

  it('leaves the young generation alone up to V8 12 (Node 20 and 22 never grow it past the cap)', () => {
    assert.equal(capYoungGeneration('11.3.244.8-node.38'), false);
    assert.equal(capYoungGeneration('12.4.254.21-node.57'), false);
    assert.equal(capYoungGeneration('15.0.1'), false, 'an unchecked V8 gets no flags');
    assert.equal(YOUNG_GENERATION_CAP, 32 * 1024 * 1024);
  });

  // V8 13 (Node 24) grows the young generation to 128 MiB on this machine's heap limit; the cap holds it at 32 MiB (one
  // more growth step may slip in between two turns of the event loop), and defaultHeapFlags lets it grow again.
  it('holds the young generation at the cap under Node 24, and lets it grow again after defaultHeapFlags', function () {
    if (!existsSync(NODE24)) this.skip(); // npm run setup:node24 installs it (.ci/run does)
    const module = pathToFileURL(path.join(ROOT, 'build', 'cli', 'heap.js')).href;
    const run = (cap: boolean) => {
      const r = spawnSync(NODE24, ['--input-type=module', '-e', GROWER(module)], { encoding: 'utf8', env: { ...process.env, CAP: cap ? '1' : '0' } });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      return JSON.parse(r.stdout) as { started: boolean; capped: number; after: number };
    };
    const free = run(false);
    assert.ok(free.capped > 2 * YOUNG_GENERATION_CAP, `Node 24 grows it past the cap on its own: ${free.capped}`);
    const capped = run(true);
    assert.equal(capped.started, true);
    assert.ok(capped.capped <= 2 * YOUNG_GENERATION_CAP, `held near the cap: ${capped.capped}`);
    assert.ok(capped.after > capped.capped, `grows again after defaultHeapFlags: ${capped.after} after ${capped.capped}`);
    // With a worker: the main thread stays at the cap, and the worker — whose growth the stopped factor stops too —
    // starts at its largest size instead of V8's smallest.
    const withWorker = spawnSync(NODE24, ['--input-type=module', '-e', WITH_WORKER(module)], { encoding: 'utf8', env: { ...process.env, MODE: 'cap' } });
    assert.equal(withWorker.status, 0, withWorker.stderr);
    const both = JSON.parse(withWorker.stdout) as { main: number; worker: number; flagsRestored: boolean };
    assert.equal(both.flagsRestored, true);
    assert.ok(both.main <= 2 * YOUNG_GENERATION_CAP, `held near the cap after a worker started: ${both.main}`);
    assert.ok(both.worker >= YOUNG_GENERATION_CAP / 2, `the worker's young generation is not left at V8's smallest: ${both.worker}`);
  });

  it('the installed command no longer sets the growth itself; the scan, org and package commands do', () => {
    assert.doesNotMatch(readFileSync(path.join(ROOT, 'bin/lurescan.cjs'), 'utf8'), /heap-growing-percent/);
    assert.match(readFileSync(path.join(ROOT, 'src/cli/main.ts'), 'utf8'), /onProgress: heapByTreeSize\(/);
    for (const f of ['src/cli/org.ts', 'src/cli/package.ts']) assert.match(readFileSync(path.join(ROOT, f), 'utf8'), /\.action\(async \([^)]*\) => \{\n\s+tightenHeap\(\);/);
  });
});
