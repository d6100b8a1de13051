/**
 * Analysis results kept on disk by content, so that the same bytes are parsed and analysed once per machine: the
 * source index stores each file's facts under a hash of its bytes, and a tarball's scan can be stored under its
 * integrity. Safe by construction rather than by checks on what is stored:
 * - the key is a SHA-256 over the content (or an integrity the caller verified), what the analysis read besides it
 *   (language, extension, bundle decision) and the code that produced the entry (`codeStamp`: a hash of the
 *   analysis code and lurescan's version) — a repository cannot choose an entry another content will read, and a
 *   new version or a changed analyser never reads an old entry;
 * - every entry carries a hash of its payload; a torn, truncated or edited file is a miss, never an error;
 * - writes go to a temp file renamed into place (an entry is whole or absent), so concurrent scans can share it;
 * - the folder is bounded (least recently used entries are deleted past `maxBytes`) and may be deleted at any time.
 * Reads and writes are synchronous: entries are small and in the page cache, like the folder reads of a scan.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { VERSION } from '../version.js';
import { hashFolder } from '../folder-hash.js';

/** Bump when the stored shape changes without a change to the analysis code (the stamp covers the code). */
const FORMAT = 'lurescan-result-cache-1';
const MAGIC = Buffer.from('LSRC0001');
const HEADER = MAGIC.length + 32;
/** A hit refreshes the entry's time for the LRU order at most this often. */
const TOUCH_AFTER_MS = 60_000;
/** The folder is trimmed to this share of its bound, so a full cache is not trimmed again by the next write. */
const TRIM_TO = 0.8;
/**
 * The folder's size at its last count plus what scans wrote since, so that a scan does not stat every entry (a full
 * 512 MiB folder holds tens of thousands): counted again when the estimate passes the bound or is a day old.
 */
const USAGE_FILE = 'usage.json';
const RECOUNT_MS = 24 * 60 * 60 * 1000;

const folderStamps = new Map<string, string>();

/**
 * A hash of the code files under `dir` (`.js`/`.ts`, not declarations; subfolders named in `skip` left out) and
 * lurescan's version. Contents, not times: a fresh checkout of the same code (an Action run restoring its cache)
 * still hits. Computed once per folder and process. A folder that cannot be read gives a stamp no later run
 * reproduces, so nothing is ever reused.
 */
export function folderStamp(dir: string, skip: readonly string[] = []): string {
  const memo = `${dir}\0${skip.join('\0')}`;
  const known = folderStamps.get(memo);
  if (known) return known;
  const h = createHash('sha256').update(FORMAT).update('\0').update(VERSION);
  try {
    hashFolder(h, dir, (rel) => /\.[cm]?[jt]s$/.test(rel) && !/\.d\.[cm]?ts$/.test(rel) && !skip.some((s) => rel.startsWith(s + path.sep)));
  } catch {
    h.update(String(Math.random()));
  }
  const stamp = h.digest('hex');
  folderStamps.set(memo, stamp);
  return stamp;
}

/**
 * A hash of the code that produces cached results: the files of the folder this module was loaded from (build/analysis
 * with its subfolders, src/analysis under the tests, or the folder of a bundle: the CLI's build/bundle, the Action's
 * dist) and lurescan's version.
 */
export function codeStamp(): string {
  return folderStamp(path.dirname(fileURLToPath(import.meta.url)));
}

/** A fast content hash of bytes (SHA-256: collision-resistant, so a hostile file cannot claim another's entry). */
export function contentHash(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ResultCacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries that were there but unreadable (torn, edited, from another format): treated as misses. */
  corrupt: number;
  evicted: number;
}

/**
 * A shard folder's name: the first hex digit of the entry's key. Sixteen shards rather than 256: the first scan of a
 * repository made a folder for most of its entries (a mkdir cost about what writing the entry did), and sixteen keep
 * a full folder's shards to a few thousand entries each (docs/BENCHMARKS.md, the ninth round of issue 19). Shards of
 * two digits are what earlier versions wrote: counted and evicted with the rest, oldest first, never written to.
 */
const SHARD_DIGITS = 1;
const SHARD = /^[0-9a-f]{1,2}$/;

export class ResultCache {
  readonly stats: ResultCacheStats = { hits: 0, misses: 0, writes: 0, corrupt: 0, evicted: 0 };
  private written = 0;
  private broken = false;
  /**
   * Shard folders this instance has made or found: a recursive mkdir per write cost more than the write (~26 ms a
   * scan). The folder is listed once, so a scan into a folder that has its shards makes no mkdir call at all.
   */
  private readonly shards = new Set<string>();
  private listed = false;

  /** `maxBytes` bounds the whole folder; `stamp` replaces codeStamp() (tests). */
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly stampOf: () => string = codeStamp,
  ) {}

  /** The file an entry is kept in (the key hashed with the code stamp). */
  pathOf(namespace: string, parts: readonly string[]): string {
    const h = createHash('sha256').update(this.stampOf()).update('\0').update(namespace);
    for (const p of parts) h.update('\0').update(p);
    const k = h.digest('hex');
    return path.join(this.dir, k.slice(0, SHARD_DIGITS), `${k.slice(SHARD_DIGITS)}.bin`);
  }

  /** The value stored under this key by the same code, or undefined (absent, corrupt, or unreadable). */
  get<T>(namespace: string, parts: readonly string[]): T | undefined {
    const f = this.pathOf(namespace, parts);
    let buf: Buffer;
    try {
      buf = readFileSync(f);
    } catch {
      this.stats.misses++;
      return undefined;
    }
    const payload = buf.subarray(HEADER);
    if (buf.length < HEADER || !buf.subarray(0, MAGIC.length).equals(MAGIC) || !createHash('sha256').update(payload).digest().equals(buf.subarray(MAGIC.length, HEADER))) {
      this.stats.corrupt++;
      this.stats.misses++;
      return undefined;
    }
    let value: T;
    try {
      value = deserialize(payload) as T;
    } catch {
      this.stats.corrupt++;
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    try {
      const now = Date.now();
      if (now - statSync(f).mtimeMs > TOUCH_AFTER_MS) utimesSync(f, now / 1000, now / 1000);
    } catch {
      // Evicted meanwhile by another scan: the value read is still whole.
    }
    return value;
  }

  /** Stores a value (anything structured clone can copy); a failure to write is ignored: the cache is an optimisation. */
  put(namespace: string, parts: readonly string[], value: unknown): void {
    if (this.broken) return;
    const f = this.pathOf(namespace, parts);
    try {
      const payload = serialize(value);
      if (HEADER + payload.length > this.maxBytes / 4) return;
      const shard = path.dirname(f);
      if (!this.listed) {
        this.listed = true;
        try {
          for (const name of readdirSync(this.dir)) if (SHARD.test(name)) this.shards.add(path.join(this.dir, name));
        } catch {
          // No folder yet: every shard is made below.
        }
      }
      if (!this.shards.has(shard)) {
        mkdirSync(shard, { recursive: true });
        this.shards.add(shard);
      }
      const tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, MAGIC);
        writeSync(fd, createHash('sha256').update(payload).digest());
        writeSync(fd, payload);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, f);
      this.stats.writes++;
      this.written += HEADER + payload.length;
    } catch {
      // A read-only or full disk: stop trying for this scan.
      this.broken = true;
    }
  }

  /** The size recorded by the last count plus later writes ({@link USAGE_FILE}), or undefined when absent or unreadable. */
  private readUsage(): { bytes: number; counted: number } | undefined {
    try {
      const u = JSON.parse(readFileSync(path.join(this.dir, USAGE_FILE), 'utf8')) as { bytes: unknown; counted: unknown };
      return typeof u.bytes === 'number' && typeof u.counted === 'number' && u.bytes >= 0 ? { bytes: u.bytes, counted: u.counted } : undefined;
    } catch {
      return undefined;
    }
  }

  private writeUsage(bytes: number, counted: number): void {
    const f = path.join(this.dir, USAGE_FILE);
    const tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ bytes, counted }), { mode: 0o600 });
      renameSync(tmp, f);
    } catch {
      // Not recorded: the next scan counts the folder.
    }
  }

  /**
   * Keeps the folder under its bound: after a scan that wrote something, the least recently used entries (oldest
   * modification time: hits refresh it) are deleted until the folder holds 80 % of maxBytes. Leftover temp files of
   * killed writers go first. The folder is counted (a stat per entry) only when the recorded size plus this scan's
   * writes passes the bound, or the record is missing or a day old; concurrent scans may undercount between counts,
   * so the bound can be passed by what they wrote until the next count.
   */
  trim(): void {
    if (!this.written) return;
    const written = this.written;
    this.written = 0;
    const now = Date.now();
    const usage = this.readUsage();
    if (usage && usage.counted <= now && now - usage.counted < RECOUNT_MS && usage.bytes + written <= this.maxBytes) {
      this.writeUsage(usage.bytes + written, usage.counted);
      return;
    }
    const entries: { f: string; size: number; t: number }[] = [];
    let total = 0;
    const drop = (e: { f: string; size: number }): void => {
      try {
        unlinkSync(e.f);
        total -= e.size;
        this.stats.evicted++;
      } catch {
        // removed meanwhile
      }
    };
    try {
      for (const shard of readdirSync(this.dir)) {
        if (!SHARD.test(shard)) continue;
        for (const name of readdirSync(path.join(this.dir, shard))) {
          const f = path.join(this.dir, shard, name);
          try {
            const st = statSync(f);
            total += st.size;
            // A temp file a minute old belongs to a writer that died; a younger one to a scan still running.
            if (name.endsWith('.tmp')) {
              if (now - st.mtimeMs > 60_000) drop({ f, size: st.size });
            } else entries.push({ f, size: st.size, t: st.mtimeMs });
          } catch {
            // removed meanwhile
          }
        }
      }
    } catch {
      return;
    }
    if (total > this.maxBytes) {
      entries.sort((x, y) => x.t - y.t);
      for (const e of entries) {
        if (total <= this.maxBytes * TRIM_TO) break;
        drop(e);
      }
    }
    this.writeUsage(total, now);
  }
}
