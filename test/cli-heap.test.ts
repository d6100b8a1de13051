/** The command chooses how V8's heap may grow (src/cli/heap.ts): tight only for large trees, the org scan and packages. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { capYoungGeneration, LARGE_TREE_BYTES, onLargeTree, YOUNG_GENERATION_CAP } from '../src/cli/heap.js';
import type { ProgressEvent } from '../src/options.js';
import { ROOT, scanFolder } from './helpers.js';
import { NODE24 } from './support/runner.js';

/**
 * A script that allocates objects of which some survive a while (as a scan's do), turning the event loop now and then
 * as file reads do, and prints the young generation's size after each of three stages: before `capYoungGeneration`
 * (when CAP=1), after it, and after `defaultHeapFlags`.
 */
const GROWER = (module: string) => `
import v8 from 'node:v8';
import { capYoungGeneration, defaultHeapFlags, youngGenerationBytes } from ${JSON.stringify(module)};
const started = process.env.CAP === '1' ? capYoungGeneration() : false;
const grow = async () => {
  let keep = [];
  for (let i = 0; i < 4e6; i++) {
    keep.push({ i, s: 'x' + i });
    if (keep.length > 300000) keep = [];
    if (i % 20000 === 0) await new Promise((r) => setImmediate(r));
  }
  return youngGenerationBytes();
};
const capped = await grow();
defaultHeapFlags();
const after = await grow();
console.log(JSON.stringify({ started, capped, after }));
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
  });

  it('the installed command no longer sets the growth itself; the scan, org and package commands do', () => {
    assert.doesNotMatch(readFileSync(path.join(ROOT, 'bin/lurescan.cjs'), 'utf8'), /heap-growing-percent/);
    assert.match(readFileSync(path.join(ROOT, 'src/cli/main.ts'), 'utf8'), /onProgress: tightenOnLargeTree\(/);
    for (const f of ['src/cli/org.ts', 'src/cli/package.ts']) assert.match(readFileSync(path.join(ROOT, f), 'utf8'), /\.action\(async \([^)]*\) => \{\n\s+tightenHeap\(\);/);
  });
});
