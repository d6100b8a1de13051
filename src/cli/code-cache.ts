/**
 * Loading the CLI's bundle with a code cache. A take-home-sized scan spends a tenth or more of its CPU having V8
 * parse and compile lurescan's own code (~3.9 MB, the parser, the analysers, the rules) before any of it runs; V8 can
 * serialise what it compiled and accept it back in a later process, skipping that work. Node 22 offers this for
 * modules (`module.enableCompileCache`); Node 20 only for a `vm.Script`, so the bundle is one CommonJS function
 * (scripts/build-cli.mjs) that this module compiles as a script, with the cached data when there is one.
 *
 * The cache holds lurescan's compiled code only, never anything derived from a scanned tree. It lives in lurescan's
 * cache folder (`<cache>/code/`: `--cache-dir`, else $XDG_CACHE_HOME/lurescan or ~/.cache/lurescan), keyed by the Node
 * version, the architecture and the bundle's SHA-256; V8 checks its own version, its flags
 * and the source's length, and this module a SHA-256 of the data (V8 does not check a checksum itself in release
 * builds), so a damaged or foreign file is ignored and replaced, never loaded. `--no-cache` neither reads nor writes it;
 * LURESCAN_CODE_CACHE=off turns it off, LURESCAN_CODE_CACHE=<dir> moves it. Any failure to read or write only costs
 * the compile: the bundle always loads.
 *
 * When to write: V8's data covers the functions compiled so far, so it is written at the end of a run — when there
 * was no usable cache, or when this run compiled noticeably more than the cache held (the heap's bytecode grew more
 * than a tenth past what was recorded), so that a first run of `--help` does not stand in for a scan's code forever.
 * V8 stamps the data with a hash of its flags: the bundle's `defaultHeapFlags` puts back the heap flags a large scan
 * changed (src/cli/heap.ts) before the data is made, or the next ordinary process would refuse it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Where the code cache is, and whether this process may write it. */
export interface CodeCacheSettings {
  /** Folder of the cache files; undefined: no code cache. */
  dir?: string;
  write: boolean;
}

/** The environment variable that turns the code cache off (`off`, `0`, `false`) or names its folder. */
const CODE_CACHE_ENV = 'LURESCAN_CODE_CACHE';

const OFF = new Set(['off', '0', 'false', 'no']);

/** `--cache-dir <dir>` or `--cache-dir=<dir>` among the arguments, as the command will read it. */
function cacheDirArg(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--cache-dir' && i + 1 < argv.length) found = argv[++i];
    else if (a.startsWith('--cache-dir=')) found = a.slice('--cache-dir='.length);
  }
  return found;
}

/** The code cache of a command run with these arguments: the folder the command's own cache options point at. */
export function codeCacheFor(argv: readonly string[], env: NodeJS.ProcessEnv): CodeCacheSettings {
  const stop = argv.indexOf('--');
  const options = stop < 0 ? argv : argv.slice(0, stop);
  // --no-cache: "neither read nor write the cache folder", this part of it included.
  if (options.includes('--no-cache')) return { write: false };
  const set = env[CODE_CACHE_ENV]?.trim();
  if (set && OFF.has(set.toLowerCase())) return { write: false };
  if (set) return { dir: path.resolve(set), write: true };
  const root = cacheDirArg(options);
  if (root) return { dir: path.join(path.resolve(root), 'code'), write: true };
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(env.HOME || os.homedir(), '.cache');
  return { dir: path.join(base, 'lurescan', 'code'), write: true };
}

const MAGIC = Buffer.from('LSCODE01', 'latin1');
/** Magic, the heap's bytecode size when written (uint32), the SHA-256 of the data. */
const HEADER = MAGIC.length + 4 + 32;
/** A run writes again when the heap's bytecode grew by more than this part of what the cache was written with. */
const GROWTH = 0.1;

interface CacheFile {
  bytecode: number;
  data: Buffer;
}

/** The cache file's data when it is whole (magic and checksum), else undefined. */
export function readCacheFile(file: string): CacheFile | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length <= HEADER || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const data = buf.subarray(HEADER);
  const sum = createHash('sha256').update(data).digest();
  if (!sum.equals(buf.subarray(MAGIC.length + 4, HEADER))) return undefined;
  return { bytecode: buf.readUInt32LE(MAGIC.length), data };
}

/** Write the cache file in one piece (a temporary file renamed over it), and remove older files of this bundle. */
export function writeCacheFile(file: string, data: Buffer, bytecode: number): void {
  const head = Buffer.alloc(HEADER);
  MAGIC.copy(head);
  head.writeUInt32LE(Math.min(bytecode, 0xffff_ffff), MAGIC.length);
  createHash('sha256').update(data).digest().copy(head, MAGIC.length + 4);
  const dir = path.dirname(file);
  // The user's own, like the result cache: code lurescan will run (SECURITY.md).
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([head, data]), { mode: 0o600 });
  renameSync(tmp, file);
  // Files of the same bundle name and runtime under another key are an older build of it; a temporary file is another
  // process's write in progress unless it is an hour old (that process died).
  const name = path.basename(file);
  const family = name.slice(0, name.indexOf('@') + 1);
  for (const other of readdirSync(dir)) {
    if (other !== name && family && other.startsWith(family)) {
      const st = statSync(path.join(dir, other), { throwIfNoEntry: false });
      if (!st || (other.endsWith('.tmp') && Date.now() - st.mtimeMs < 3_600_000)) continue;
      try {
        unlinkSync(path.join(dir, other));
      } catch {
        /* another process's file, or gone already */
      }
    }
  }
}

/**
 * The cache file of a bundle: `<name>-<node>-<arch>@<SHA-256 of the bundle>.bin`. By content, not by size and time:
 * npm gives every file it installs the same time, and V8 compares only the source's length, so two builds of one
 * length would share a file and the later one would run the earlier one's code. Hashing the bundle costs ~2 ms.
 */
export function cacheFileOf(dir: string, name: string, bundle: Buffer): string {
  const id = createHash('sha256').update(bundle).digest('hex').slice(0, 32);
  return path.join(dir, `${name}-${process.versions.node}-${process.arch}@${id}.bin`);
}

export interface LoadedBundle<T> {
  exports: T;
  /** Whether V8 accepted the cached code (false without a cache, or when it refused it). */
  cached: boolean;
  /** Write the cache when it is worth it (see above); never throws. */
  save(): void;
}

/**
 * Compile and run the bundle `file` (a CommonJS function expression, ASCII: scripts/build-cli.mjs) with the code
 * cache of `settings`, and return its exports.
 */
export function loadBundle<T extends object>(file: URL | string, settings: CodeCacheSettings, name = 'cli'): LoadedBundle<T> {
  const filename = typeof file === 'string' ? file : fileURLToPath(file);
  const bytes = readFileSync(filename);
  let cacheFile: string | undefined;
  let stored: CacheFile | undefined;
  if (settings.dir) {
    cacheFile = cacheFileOf(settings.dir, name, bytes);
    stored = readCacheFile(cacheFile);
  }
  // ASCII read as Latin-1 is the same text, and Node makes a large Latin-1 string without decoding UTF-8.
  const source = bytes.toString('latin1');
  const script = new vm.Script(source, { filename, cachedData: stored?.data });
  const cached = !!stored && !script.cachedDataRejected;
  const storedBytecode = cached ? stored!.bytecode : 0;
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;
  const module = { exports: {} as T };
  wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, path.dirname(filename));
  const exports = module.exports;
  return {
    exports,
    cached,
    save() {
      if (!cacheFile || !settings.write) return;
      try {
        (exports as { defaultHeapFlags?: () => void }).defaultHeapFlags?.();
        const bytecode = v8.getHeapCodeStatistics().bytecode_and_metadata_size;
        if (cached && bytecode <= storedBytecode * (1 + GROWTH)) return;
        writeCacheFile(cacheFile, script.createCachedData(), bytecode);
      } catch {
        /* a cache that cannot be written costs the next run its compile, nothing else */
      }
    },
  };
}
