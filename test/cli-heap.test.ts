/** The command chooses how V8's heap may grow (src/cli/heap.ts): tight only for large trees, the org scan and packages. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LARGE_TREE_ENTRIES, onLargeTree } from '../src/cli/heap.js';
import type { ProgressEvent } from '../src/options.js';
import { ROOT } from './helpers.js';

describe('CLI heap growth', () => {
  it('asks for a tight heap when the inventory reports a large tree, and passes every event on', () => {
    let large = 0;
    const seen: ProgressEvent[] = [];
    const cb = onLargeTree(
      () => large++,
      (e) => seen.push(e),
    );
    const events: ProgressEvent[] = [
      { phase: 'acquire', message: 'x' },
      { phase: 'inventory', total: LARGE_TREE_ENTRIES - 1 },
      { phase: 'rules', done: 0, total: 20 },
    ];
    for (const e of events) cb(e);
    assert.equal(large, 0, 'a take-home-sized tree keeps V8’s default growth');
    assert.deepEqual(seen, events);
    cb({ phase: 'inventory', total: LARGE_TREE_ENTRIES });
    assert.equal(large, 1);
    // Without a printer (no terminal), the watcher still runs.
    let alone = 0;
    onLargeTree(() => alone++)({ phase: 'inventory', total: 100_000 });
    assert.equal(alone, 1);
  });

  it('the installed command no longer sets the growth itself; the scan, org and package commands do', () => {
    assert.doesNotMatch(readFileSync(path.join(ROOT, 'bin/lurescan.js'), 'utf8'), /heap-growing-percent/);
    assert.match(readFileSync(path.join(ROOT, 'src/cli/main.ts'), 'utf8'), /onProgress: tightenOnLargeTree\(/);
    for (const f of ['src/cli/org.ts', 'src/cli/package.ts']) assert.match(readFileSync(path.join(ROOT, f), 'utf8'), /\.action\(async \([^)]*\) => \{\n\s+tightenHeap\(\);/);
  });
});
