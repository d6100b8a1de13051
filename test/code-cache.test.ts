/**
 * The CLI bundle's code cache (src/cli/code-cache.ts): where it lives, when it is written, and that a damaged, foreign
 * or stale file is never trusted — the bundle loads the same with any cache file or none.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheFileOf, codeCacheFor, loadBundle, readCacheFile, writeCacheFile } from '../src/cli/code-cache.js';
import { FIXTURES, ROOT, tempDir } from './helpers.js';
import { NODE24 } from './support/runner.js';

/**
 * Load the bundle in a fresh process, as the CLI does, and save its cache: V8 keeps what one process compiled in an
 * in-memory cache too, so only another process shows whether the cache file was accepted.
 */
function loadInChild(bundle: string, dir: string | undefined, options: { write?: boolean; tight?: 'kept' | 'reset' } = {}): { cached: boolean; answer: [number, string] } {
  const module = pathToFileURL(path.join(ROOT, 'src', 'cli', 'code-cache.ts')).href;
  const script = [
    `import { loadBundle } from ${JSON.stringify(module)};`,
    `const b = loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify({ dir, write: options.write ?? true })}, 'test');`,
    'const answer = b.exports.answer();',
    'b.save();',
    'console.log(JSON.stringify({ cached: b.cached, answer }));',
  ].join('\n');
  const env = { ...process.env, CODE_CACHE_TEST_TIGHT: options.tight ?? '' };
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env })) as { cached: boolean; answer: [number, string] };
}

/** A small bundle in the CLI bundle's shape: one CommonJS function expression, ASCII. */
const BUNDLE = `(function (exports, require, module, __filename, __dirname) {
  const path = require('node:path');
  function square(n) { return n * n; }
  exports.answer = () => [square(6) + 6, path.basename(__filename)];
  // What a large scan does (src/cli/heap.ts): tighten the heap while it runs, and put the default back before the cache is written.
  if (process.env.CODE_CACHE_TEST_TIGHT) require('node:v8').setFlagsFromString('--heap-growing-percent=25');
  if (process.env.CODE_CACHE_TEST_TIGHT === 'reset') exports.defaultHeapFlags = () => require('node:v8').setFlagsFromString('--heap-growing-percent=0');
})`;

describe('CLI code cache', () => {
  let t: ReturnType<typeof tempDir>;
  let bundle: string;
  let dir: string;
  beforeEach(() => {
    t = tempDir('lurescan-code-cache-');
    bundle = path.join(t.dir, 'bundle.cjs');
    writeFileSync(bundle, BUNDLE);
    dir = path.join(t.dir, 'cache', 'code');
  });
  afterEach(() => t.cleanup());

  it('lives in the command’s cache folder, moves with --cache-dir or LURESCAN_CODE_CACHE, and --no-cache neither reads nor writes it', () => {
    const home = { HOME: '/home/u' };
    assert.deepEqual(codeCacheFor(['repo'], home), { dir: path.join('/home/u', '.cache', 'lurescan', 'code'), write: true });
    assert.deepEqual(codeCacheFor(['repo'], { ...home, XDG_CACHE_HOME: '/x' }), { dir: path.join('/x', 'lurescan', 'code'), write: true });
    assert.deepEqual(codeCacheFor(['repo', '--cache-dir', '/c'], home), { dir: path.join('/c', 'code'), write: true });
    assert.deepEqual(codeCacheFor(['org', 'acme', '--cache-dir=/c'], home), { dir: path.join('/c', 'code'), write: true });
    assert.deepEqual(codeCacheFor(['repo', '--no-cache'], home), { write: false });
    assert.deepEqual(codeCacheFor(['repo', '--no-cache'], { ...home, LURESCAN_CODE_CACHE: '/elsewhere' }), { write: false });
    // After "--" the words are targets, not options.
    assert.deepEqual(codeCacheFor(['--', '--no-cache', '--cache-dir', '/c'], home), { dir: path.join('/home/u', '.cache', 'lurescan', 'code'), write: true });
    assert.deepEqual(codeCacheFor(['repo', '--cache-dir', '/c'], { ...home, LURESCAN_CODE_CACHE: '/elsewhere' }), { dir: '/elsewhere', write: true });
    for (const off of ['off', '0', 'false', 'OFF']) assert.deepEqual(codeCacheFor(['repo'], { ...home, LURESCAN_CODE_CACHE: off }), { write: false });
  });

  it('is written at the end of the first run, accepted by the next, and not rewritten while it covers the code', () => {
    assert.deepEqual(loadInChild(bundle, dir), { cached: false, answer: [42, 'bundle.cjs'] });
    const file = cacheFileOf(dir, 'test', readFileSync(bundle));
    assert.ok(readCacheFile(file), 'a whole cache file');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'private to the user, like the result cache');
    const written = statSync(file).mtimeMs;
    assert.deepEqual(loadInChild(bundle, dir), { cached: true, answer: [42, 'bundle.cjs'] }, 'V8 accepted the cached code');
    assert.equal(statSync(file).mtimeMs, written, 'nothing new compiled: not rewritten');
    // In one process too (V8's in-memory cache answers there), the bundle runs the same.
    assert.deepEqual(loadBundle<{ answer: () => [number, string] }>(bundle, { dir, write: false }, 'test').exports.answer(), [42, 'bundle.cjs']);
  });

  it('writes nothing when told not to, and after a run that changed V8’s heap flags writes a cache the next process accepts', function () {
    this.timeout(60_000);
    loadInChild(bundle, dir, { write: false });
    assert.ok(!existsSync(dir));
    assert.deepEqual(loadInChild(bundle, undefined), { cached: false, answer: [42, 'bundle.cjs'] }, 'no folder: nothing to do, no error');
    // Why the bundle puts the heap flags back: data made under other flags is refused by an ordinary process.
    loadInChild(bundle, dir, { tight: 'kept' });
    assert.equal(loadInChild(bundle, dir).cached, false, 'made under a tightened heap: refused');
    rmSync(dir, { recursive: true });
    loadInChild(bundle, dir, { tight: 'reset' });
    assert.equal(loadInChild(bundle, dir).cached, true, 'made after the flags were put back: accepted');
  });

  it('ignores a damaged, truncated, foreign or garbage file, loads the bundle the same, and replaces the file', function () {
    this.timeout(60_000);
    loadInChild(bundle, dir);
    const file = cacheFileOf(dir, 'test', readFileSync(bundle));
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10] ^= 0xff;
    // Garbage with a valid header: the checksum passes, and V8 must refuse the data itself.
    const garbage = Buffer.alloc(4096, 0x5a);
    const framed = path.join(t.dir, 'framed.bin');
    writeCacheFile(framed, garbage, 1);
    for (const [label, bytes] of [
      ['a flipped byte', flipped],
      ['truncated', good.subarray(0, good.length >> 1)],
      ['no header', good.subarray(44)],
      ['empty', Buffer.alloc(0)],
      ['garbage that passes the checksum', readFileSync(framed)],
    ] as const) {
      writeFileSync(file, bytes);
      assert.deepEqual(loadInChild(bundle, dir), { cached: false, answer: [42, 'bundle.cjs'] }, label);
      assert.equal(loadInChild(bundle, dir).cached, true, `${label}: replaced by a good file`);
    }
  });

  it('is keyed by the bundle’s content: another build of it, even of the same length and time, gets a new file, and the old one is removed', () => {
    loadInChild(bundle, dir);
    const old = cacheFileOf(dir, 'test', readFileSync(bundle));
    // The same length and the same time, as npm installs every version of a package: V8 alone would take the old code.
    const { mtime } = statSync(bundle);
    writeFileSync(bundle, BUNDLE.replace('square(6) + 6', 'square(6) + 7'));
    utimesSync(bundle, mtime, mtime);
    assert.equal(readFileSync(bundle).length, BUNDLE.length);
    assert.deepEqual(loadInChild(bundle, dir), { cached: false, answer: [43, 'bundle.cjs'] }, 'the new code runs');
    assert.deepEqual(readdirSync(dir), [path.basename(cacheFileOf(dir, 'test', readFileSync(bundle)))]);
    assert.notEqual(cacheFileOf(dir, 'test', readFileSync(bundle)), old);
  });

  for (const [label, node] of [
    ['this Node', process.execPath],
    ['Node 24', NODE24],
  ] as const) {
  it(`the command writes its cache under --cache-dir on a scan and answers the same with it (${label})`, function () {
    if (!existsSync(node)) this.skip(); // npm run setup:node24 installs it (.ci/run does)
    const bin = path.join(ROOT, 'bin', 'lurescan.cjs');
    if (!existsSync(path.join(ROOT, 'build', 'bundle', 'lurescan.cjs'))) this.skip(); // npm run build makes it
    const cache = path.join(t.dir, 'cli-cache');
    const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    const lure = path.join(FIXTURES, 'repos', 'lure-fake-font-task');
    const env = { ...process.env, LURESCAN_CODE_CACHE: '' };
    const scan = () => {
      try {
        return execFileSync(node, [bin, lure, '--cache-dir', cache, '--format', 'json'], { encoding: 'utf8', env });
      } catch (err) {
        return (err as { stdout: string }).stdout;
      }
    };
    const shape = (out: string) => {
      const r = JSON.parse(out) as { verdict: string; findings: { ruleId: string }[] };
      return [r.verdict, r.findings.map((f) => f.ruleId)];
    };
    const first = shape(scan());
    const files = readdirSync(path.join(cache, 'code'));
    assert.equal(files.length, 1, files.join(' '));
    assert.match(files[0], new RegExp(`^cli-${version.replace(/\./g, '\\.')}-${os.arch()}@[0-9a-f]{32}\\.bin$`));
    const written = statSync(path.join(cache, 'code', files[0])).mtimeMs;
    assert.deepEqual(shape(scan()), first);
    assert.equal(statSync(path.join(cache, 'code', files[0])).mtimeMs, written, 'the second run accepted it and compiled nothing worth writing');
  });
  }
});
