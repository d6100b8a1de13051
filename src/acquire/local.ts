/**
 * A folder on disk. Every entry is lstat'ed, never followed: a symlink is reported with its target and not
 * read through, so a link to ~/.ssh or / cannot pull content from outside the root into the scan.
 *
 * The walk and the reads are synchronous on purpose: they hit the page cache, and a synchronous lstat or read
 * costs a few microseconds where the promise API costs a thread-pool round trip per call (four per file read:
 * open, fstat, read, close). Measured on this project's node_modules (16,863 entries): walk 0.50 s → 0.09 s
 * (docs/BENCHMARKS.md). Only regular files are ever opened, so a read cannot block on a FIFO or a device.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, promises as fs, readSync, readdirSync, readlinkSync, type Dirent } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Diagnostic } from '../types.js';
import type { Limits } from '../options.js';
import { BaseWorkspace, type EntrySpec } from './workspace.js';
import { SNIFF_BYTES } from './bytes.js';

/** Git's own object store and LFS cache: the tree's content is already in the work tree. */
const SKIPPED_DIRS = new Set(['.git/objects', '.git/lfs', '.git/logs']);

/**
 * Opens a regular file of the folder and hands its descriptor and its size (at most `max`) to `use`. O_NOFOLLOW: a
 * file swapped for a symlink after the walk is refused, not followed; O_NONBLOCK: a file swapped for a FIFO does not
 * block the open (fstat then refuses it).
 */
function withRegularFile<T>(abs: string, max: number, use: (fd: number, len: number) => T): T {
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    return use(fd, Math.min(st.size, max));
  } finally {
    closeSync(fd);
  }
}

function readBoundedSync(abs: string, max: number): Buffer {
  return withRegularFile(abs, max, (fd, len) => {
    const buf = Buffer.allocUnsafe(len);
    let off = 0;
    while (off < len) {
      const n = readSync(fd, buf, off, len - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === len ? buf : buf.subarray(0, off);
  });
}

/** The buffer {@link SyncReader.hash} reads through (one per process: reads are synchronous). */
let hashBuffer: Buffer | undefined;

/**
 * How many leading bytes of each file the hashing read keeps: enough for every format sniff that runs on heads
 * (SNIFF_BYTES), so that those checks cost no second open of every file. 264 rather than 512: on a tree of 34,000
 * files the heads were ~17 MB of a ~95 MB heap, and no sniff needs more.
 */
const KEPT_HEAD_BYTES = SNIFF_BYTES;

function hashBoundedSync(abs: string, max: number, keepHead?: (head: Buffer) => void): string {
  return withRegularFile(abs, max, (fd, len) => {
    const buf = (hashBuffer ??= Buffer.allocUnsafe(1024 * 1024));
    const h = createHash('sha256');
    for (let off = 0; off < len; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, len - off), off);
      if (n === 0) break;
      // A copy: the buffer is reused for the next file.
      if (off === 0 && keepHead && n >= Math.min(len, KEPT_HEAD_BYTES)) keepHead(Buffer.from(buf.subarray(0, Math.min(n, KEPT_HEAD_BYTES))));
      h.update(buf.subarray(0, n));
      off += n;
    }
    return h.digest('hex');
  });
}

let reads = 0;
/**
 * Reads stay async to callers and yield to the event loop every 64 reads, so that timers still fire during a
 * long run of cached reads: the per-rule time limit (maxRuleMs) and the progress display depend on them.
 */
async function readBounded(abs: string, max: number): Promise<Buffer> {
  if ((++reads & 63) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  return readBoundedSync(abs, max);
}

/**
 * Synchronous re-reads of a local workspace's files, for the source index: past its memory budget it keeps no
 * text and reads a file again when a rule asks (a page-cache read costs microseconds). Already counted against
 * the read budget by the first read; bounded and O_NOFOLLOW like every read.
 */
export interface SyncReader {
  /** Whether the path is a file of the folder itself (not an entry of a nested archive, which has no file on disk). */
  has(path: string): boolean;
  read(path: string): Buffer | undefined;
  /**
   * SHA-256 (hex) of the file's bytes up to maxFileBytes, read through one reused buffer: hashing a whole tree
   * allocates only each file's first {@link KEPT_HEAD_BYTES} bytes, which the workspace keeps so that later head
   * reads (nested archives, LFS pointers) need no second open (engine/scan-memo.ts). Undefined when it cannot be read.
   * Not counted against the read budget: the caller hashes only trees within it.
   */
  hash(path: string): string | undefined;
}

export const localSyncReaders = new WeakMap<object, SyncReader>();

/** How often the walk tells its progress: every this many entries. */
const LISTED_EVERY = 1000;

/**
 * List a folder (without following links out of it) into a workspace. `onListed`, when given, hears how many entries
 * and bytes of files the walk has listed so far, every {@link LISTED_EVERY} entries: a large tree's first seconds.
 */
export async function acquireLocal(root: string, limits: Limits, onListed?: (entries: number, bytes: number) => void): Promise<BaseWorkspace> {
  const absRoot = path.resolve(root);
  const st = await fs.lstat(absRoot);
  if (!st.isDirectory()) throw new Error(`${root} is not a folder`);
  const entries: EntrySpec[] = [];
  const diagnostics: Diagnostic[] = [];
  let capped = false;
  // Leading bytes kept by the hashing read (SyncReader.hash) or a head read of 512 bytes or more, by path:
  // EntrySpec.keptHead, which later head reads try first.
  const heads = new Map<string, Buffer>();
  let listedBytes = 0;

  function walk(dirAbs: string, rel: string, depth: number): void {
    if (capped) return;
    if (depth > limits.maxDepth) {
      diagnostics.push({ code: 'depth-limit', message: `deeper than ${limits.maxDepth} levels; not walked`, file: rel, incomplete: true });
      return;
    }
    let dirents: Dirent[];
    try {
      // Dirent types come from the directory itself (lstat semantics: a symlink is a symlink).
      dirents = readdirSync(dirAbs, { withFileTypes: true });
    } catch (err) {
      diagnostics.push({ code: 'read-error', message: `could not list: ${(err as Error).message}`, file: rel || '.', incomplete: true });
      return;
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of dirents) {
      const name = d.name;
      const childRel = rel ? `${rel}/${name}` : name;
      const childAbs = path.join(dirAbs, name);
      if (SKIPPED_DIRS.has(childRel)) continue;
      if (entries.length >= limits.maxFiles) {
        capped = true;
        diagnostics.push({ code: 'file-count-limit', message: `more than ${limits.maxFiles} entries; the rest were not scanned`, incomplete: true });
        return;
      }
      if (d.isSymbolicLink()) {
        let target = '';
        try {
          target = readlinkSync(childAbs);
        } catch {
          /* unreadable link text: reported with an empty target */
        }
        entries.push({ path: childRel, size: 0, kind: 'symlink', linkTarget: target });
      } else if (d.isDirectory()) {
        walk(childAbs, childRel, depth + 1);
      } else if (d.isFile()) {
        let cst;
        try {
          cst = lstatSync(childAbs);
        } catch (err) {
          diagnostics.push({ code: 'read-error', message: (err as Error).message, file: childRel, incomplete: true });
          continue;
        }
        if (!cst.isFile()) {
          entries.push({ path: childRel, size: 0, kind: cst.isSymbolicLink() ? 'symlink' : 'other' });
          continue;
        }
        listedBytes += cst.size;
        if (onListed && (entries.length + 1) % LISTED_EVERY === 0) onListed(entries.length + 1, listedBytes);
        entries.push({
          path: childRel,
          size: cst.size,
          kind: 'file',
          mode: (cst.mode & 0o111) !== 0 ? '100755' : '100644',
          load: () => readBounded(childAbs, limits.maxFileBytes),
          head: async (n) => {
            const b = await readBounded(childAbs, n);
            // Kept like the digest's heads, so that the next sniff of this file reads nothing.
            if (!heads.has(childRel) && (n >= KEPT_HEAD_BYTES || b.length < n)) heads.set(childRel, n > KEPT_HEAD_BYTES ? Buffer.from(b.subarray(0, KEPT_HEAD_BYTES)) : b);
            return b;
          },
          keptHead: () => heads.get(childRel),
        });
      } else {
        entries.push({ path: childRel, size: 0, kind: 'other' });
      }
    }
  }

  walk(absRoot, '', 0);
  const ws = new BaseWorkspace(absRoot, { source: root }, entries, limits, diagnostics);
  // An entry expanded from a nested archive carries its container and has no file of its own on disk.
  const has = (rel: string): boolean => {
    // Exactly this name, stored here: not a lookup a case-insensitive platform would answer, not a link's target.
    const f = ws.get(rel);
    return f?.kind === 'file' && f.path === rel && f.container === undefined && f.alias === undefined;
  };
  /** `read` of a file the folder itself holds, or undefined (not one, or unreadable). */
  const ownFile = <T>(rel: string, read: (abs: string, max: number) => T): T | undefined => {
    if (!has(rel)) return undefined;
    try {
      return read(path.join(absRoot, rel), limits.maxFileBytes);
    } catch {
      return undefined;
    }
  };
  localSyncReaders.set(ws, {
    has,
    read: (rel) => ownFile(rel, readBoundedSync),
    hash: (rel) => ownFile(rel, (abs, max) => hashBoundedSync(abs, max, (head) => heads.set(rel, head))),
  });
  return ws;
}
