/**
 * Zip and tar(.gz) archives, read into memory and never extracted. Each entry is checked before its bytes are
 * kept: traversal (`..`), absolute paths, links, devices, encryption, entry count, total size and compression ratio.
 * The same reader expands archives found inside a scan (`nested.ts`): entry count and bytes are then counted
 * over every level together, and compression ratios multiply across levels.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import tar from 'tar-stream';
import type { Diagnostic, WorkspaceAlias } from '../types.js';
import type { Limits } from '../options.js';
import { BaseWorkspace, type ArchiveBudget, type EntrySpec } from './workspace.js';
import { tarChecksumOk } from './tar-header.js';

export type ArchiveFormat = 'zip' | 'tar' | 'tgz';

/** The file types of a zip entry's Unix mode (external attributes >> 16) other than a regular file and a symlink. */
const ZIP_ENTRY_TYPES: Readonly<Record<number, string>> = {
  0o010000: 'fifo',
  0o020000: 'character device',
  0o040000: 'directory',
  0o060000: 'block device',
  0o140000: 'socket',
};

export function archiveFormatOf(buf: Buffer, name: string): ArchiveFormat | undefined {
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) return 'zip';
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x06054b50) return 'zip'; // empty zip
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'tgz';
  if (buf.length >= 262 && buf.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  if (/\.tar$/i.test(name)) return 'tar';
  return undefined;
}

/** Why an entry name is refused, or undefined when it is a safe relative path. */
export function unsafeEntryName(name: string): string | undefined {
  if (name.includes('\0')) return 'NUL byte in name';
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[a-z]:/i.test(n)) return 'absolute path';
  if (n.split('/').some((seg) => seg === '..')) return 'path traversal (..)';
  return undefined;
}

export interface ArchiveRead {
  entries: EntrySpec[];
  diagnostics: Diagnostic[];
}

/** How one archive is read: alone (a scan target) or as a level of a nested expansion. */
export interface ReadOptions {
  /** Counts shared by every archive of the scan; maxArchiveEntries and maxArchiveBytes apply to their totals. */
  budget: ArchiveBudget;
  /** The archive's own expansion so far (EntrySpec.ratio): 1 for a scan target; entry ratios are multiplied by it. */
  ratio: number;
  /** Put before every entry path: '' for a scan target, 'assets/setup.zip!/' for an archive found inside the scan. */
  prefix: string;
  /** Where archive-level diagnostics point: the nested archive's path; unset for a scan target. */
  file?: string;
  /** The container recorded on every entry (EntrySpec.container); unset for a scan target. */
  container?: string;
}

export function freshReadOptions(): ReadOptions {
  return { budget: { entries: 0, bytes: 0 }, ratio: 1, prefix: '' };
}

class Collector {
  readonly entries: EntrySpec[] = [];
  readonly diagnostics: Diagnostic[] = [];
  stopped = false;
  constructor(
    readonly limits: Limits,
    readonly opts: ReadOptions,
  ) {}

  /** A diagnostic about one entry (name given) or, without a name, about the archive as a whole. */
  refuse(code: string, message: string, name?: string, incomplete = true): void {
    const file = name !== undefined ? this.opts.prefix + name : this.opts.file;
    this.diagnostics.push({ code, message, ...(file !== undefined ? { file } : {}), incomplete });
  }

  push(spec: EntrySpec): void {
    this.opts.budget.entries++;
    this.entries.push({ ...spec, path: this.opts.prefix + clean(spec.path), ...(this.opts.container !== undefined ? { container: this.opts.container } : {}) });
  }

  /** Returns false when the entry must not be read. */
  admit(name: string, size: number, compressed?: number): boolean {
    if (this.stopped) return false;
    const { budget, ratio } = this.opts;
    if (budget.entries >= this.limits.maxArchiveEntries) {
      this.stopped = true;
      this.refuse('archive-entry-limit', `more than ${this.limits.maxArchiveEntries} archive entries${this.nestedNote()}; the rest were not read`);
      return false;
    }
    const why = unsafeEntryName(name);
    if (why) {
      this.refuse('archive-unsafe-path', `entry refused: ${why}`, name);
      return false;
    }
    const own = compressed !== undefined && compressed > 0 ? size / compressed : 1;
    if (own * ratio > this.limits.maxCompressionRatio) {
      const total = ratio > 1 ? ` (${Math.round(own * ratio)}:1 with the archives around it)` : '';
      this.refuse('archive-bomb', `compression ratio ${Math.round(own)}:1${total} is over ${this.limits.maxCompressionRatio}:1; not read`, name);
      return false;
    }
    if (size > this.limits.maxFileBytes) {
      this.push({ path: name, size, kind: 'file' });
      return false;
    }
    if (budget.bytes + size > this.limits.maxArchiveBytes) {
      this.stopped = true;
      this.refuse('archive-size-limit', `more than ${this.limits.maxArchiveBytes} uncompressed archive bytes${this.nestedNote()}; the rest were not read`);
      return false;
    }
    return true;
  }

  add(name: string, data: Buffer, mode?: number, compressed?: number, alias?: WorkspaceAlias): void {
    this.opts.budget.bytes += data.length;
    const own = compressed !== undefined && compressed > 0 ? Math.max(1, data.length / compressed) : 1;
    this.push({
      ...(alias ? { alias } : {}),
      path: name,
      size: data.length,
      kind: 'file',
      mode: mode !== undefined && (mode & 0o111) !== 0 ? '100755' : '100644',
      load: async () => data,
      head: async (n) => data.subarray(0, n),
      ratio: this.opts.ratio * own,
    });
  }

  private nestedNote(): string {
    return this.opts.file !== undefined ? ' in this scan (all its archives counted together)' : '';
  }
}

function clean(name: string): string {
  let n = name.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
  while (n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

function readZip(buf: Buffer, limits: Limits, opts: ReadOptions): Promise<ArchiveRead> {
  const c = new Collector(limits, opts);
  return new Promise((resolve, reject) => {
    // decodeStrings: false — yauzl would stop the whole archive at the first hostile name; we refuse that
    // entry alone (with a diagnostic) and keep reading the rest.
    yauzl.fromBuffer(buf, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return reject(new Error(`not a readable zip: ${err?.message ?? 'unknown error'}`));
      zip.on('error', (e: Error) => {
        c.refuse('archive-corrupt', `zip stopped being readable: ${e.message}`);
        resolve(c);
      });
      zip.on('end', () => resolve(c));
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileName as unknown as Buffer;
        const name = (entry.generalPurposeBitFlag & 0x800) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        // The Info-ZIP Unicode Path field names the file unzip writes; Python and most readers use the header name.
        // Both are presented: the entry under its header name, and the same bytes at the other name.
        const other = unicodePath(entry, name);
        const otherWhy = other !== undefined ? unsafeEntryName(other) : undefined;
        if (otherWhy) c.refuse('archive-unsafe-path', `the Info-ZIP Unicode Path field names it ${JSON.stringify(other)}: ${otherWhy}; not presented there`, name);
        const upath = otherWhy ? undefined : other;
        const aliasOf = (): WorkspaceAlias => ({ of: c.opts.prefix + clean(name), how: 'name', note: `stored as ${JSON.stringify(name)} with an Info-ZIP Unicode Path field naming it ${JSON.stringify(upath)}, which unzip writes instead` });
        const type = unixMode & 0o170000;
        if (name.endsWith('/')) return zip.readEntry();
        if (type === 0o120000) {
          // A symlink entry: its data is the link text. Record it, never resolve it.
          if (unsafeEntryName(name)) {
            c.refuse('archive-unsafe-path', `entry refused: ${unsafeEntryName(name)}`, name);
            return zip.readEntry();
          }
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) {
              c.refuse('archive-corrupt', `symlink entry unreadable: ${e?.message}`, name);
              return zip.readEntry();
            }
            const parts: Buffer[] = [];
            let n = 0;
            stream.on('data', (d: Buffer) => {
              n += d.length;
              if (n <= 4096) parts.push(d);
            });
            stream.on('error', () => zip.readEntry());
            stream.on('end', () => {
              const target = Buffer.concat(parts).toString('utf8');
              c.push({ path: name, size: 0, kind: 'symlink', linkTarget: target });
              if (upath !== undefined) c.push({ path: upath, size: 0, kind: 'symlink', linkTarget: target, alias: aliasOf() });
              zip.readEntry();
            });
          });
          return;
        }
        // unzip and Python's zipfile write every entry that is not a symlink or a slash-ended directory as a regular
        // file with its content, whatever its mode says (fifo, device, socket, a directory without its slash): so it
        // is read as one. An empty directory-typed entry holds nothing to hide.
        if (type === 0o040000 && entry.uncompressedSize === 0) return zip.readEntry();
        const odd = type !== 0 && type !== 0o100000 ? (ZIP_ENTRY_TYPES[type] ?? `type 0${type.toString(8)}`) : undefined;
        if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
          // A password-protected entry: a known way to ship a payload past scanners, with the password in the README.
          c.refuse('archive-encrypted', 'encrypted entry: its content cannot be read without the password and was not scanned', name);
          return zip.readEntry();
        }
        if (!c.admit(name, entry.uncompressedSize, entry.compressedSize)) {
          if (c.stopped) {
            zip.close();
            return resolve(c);
          }
          return zip.readEntry();
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            c.refuse('archive-corrupt', `entry unreadable: ${e?.message}`, name);
            return zip.readEntry();
          }
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('error', (se: Error) => {
            c.refuse('archive-corrupt', `entry unreadable: ${se.message}`, name);
            zip.readEntry();
          });
          stream.on('end', () => {
            const data = Buffer.concat(parts);
            c.add(name, data, unixMode, entry.compressedSize);
            if (upath !== undefined) c.add(upath, data, unixMode, entry.compressedSize, aliasOf());
            if (odd) c.refuse('archive-odd-entry', `its mode says ${odd}, but unzip and Python write it as a regular file with this content; read as one`, name, false);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Most bytes a gzip stream of `compressed` bytes may expand to at this nesting level (with 1 MiB of slack for tiny streams). */
function gzipCap(compressed: number, limits: Limits, opts: ReadOptions): number {
  return Math.min(limits.maxArchiveBytes, (Math.max(compressed, 1) * limits.maxCompressionRatio) / opts.ratio) + 1024 * 1024;
}

async function readTar(buf: Buffer, gz: boolean, limits: Limits, opts: ReadOptions): Promise<ArchiveRead> {
  const c = new Collector(limits, opts);
  const extract = tar.extract();
  let source: NodeJS.ReadableStream = Readable.from([buf]);
  let out = 0;
  if (gz) {
    const gunzip = createGunzip();
    const max = gzipCap(buf.length, limits, opts);
    gunzip.on('data', (d: Buffer<ArrayBufferLike>) => {
      out += d.length;
      if (out > max) {
        c.refuse('archive-bomb', `gzip expands past ${Math.round(max)} bytes; reading stopped`);
        c.stopped = true;
        gunzip.destroy();
      }
    });
    source = source.pipe(gunzip);
  }
  await new Promise<void>((resolve) => {
    extract.on('entry', (header, stream, next) => {
      const name = header.name;
      // A body cut short (a truncated tar) errors on the entry's own stream; unhandled, that error crashed the process.
      stream.on('error', (e: Error) => {
        if (!c.stopped) c.refuse('archive-corrupt', `entry unreadable: ${e.message}`, name);
      });
      const drain = () => {
        stream.on('end', () => next());
        stream.resume();
      };
      if (c.stopped) {
        stream.resume();
        return next(new Error('stopped'));
      }
      switch (header.type) {
        case 'directory':
          return drain();
        case 'symlink':
        case 'link': {
          const why = unsafeEntryName(name);
          if (why) c.refuse('archive-unsafe-path', `entry refused: ${why}`, name);
          else c.push({ path: name, size: 0, kind: 'symlink', linkTarget: header.linkname ?? '', ...(header.type === 'link' ? { hardLink: true } : {}) });
          return drain();
        }
        case 'character-device':
        case 'block-device':
        case 'fifo':
          if (!header.size) {
            c.refuse('archive-special-entry', `${header.type} entry; not read`, name, false);
            return drain();
          }
          // A special entry that carries bytes: whatever an extractor makes of them, they are read.
          return readFile(`a ${header.type} entry that carries ${header.size} bytes; read as a regular file`);
        case 'file':
          return readFile();
        case 'contiguous-file':
          // POSIX: extracted as a regular file where contiguous files are not supported (everywhere in practice).
          return readFile('a contiguous-file entry (type 7), which tar extracts as a regular file; read as one', false);
        default:
          // tar-stream names no type for GNU sparse ('S'), vendor or unknown flags ('8', 'A'–'Z'); POSIX says to extract
          // them as regular files and GNU tar does. Read as one; a sparse file's holes are not rebuilt, so its layout
          // on disk may differ from what was read.
          return readFile('an entry of a type this reader does not know (GNU sparse, vendor or unknown flag), which tar extracts as a regular file; read as one, its on-disk layout may differ', true);
      }
      function readFile(odd?: string, incomplete = false): void {
        if (!c.admit(name, header.size ?? 0)) return drain();
        const parts: Buffer[] = [];
        stream.on('data', (d: unknown) => parts.push(d as Buffer));
        stream.on('end', () => {
          c.add(name, Buffer.concat(parts), header.mode);
          if (odd) c.refuse('archive-odd-entry', odd, name, incomplete);
          next();
        });
      }
    });
    extract.on('finish', () => resolve());
    extract.on('error', (e: Error) => {
      if (!c.stopped) c.refuse('archive-corrupt', `tar stopped being readable: ${e.message}`);
      resolve();
    });
    source.on('error', (e: Error) => {
      if (!c.stopped) c.refuse('archive-corrupt', `archive stopped being readable: ${e.message}`);
      resolve();
    });
    // The gzip cap destroys the stream without an error: neither 'finish' nor 'error' follows, so settle on close
    // (without this the promise never settled and the process exited with Node's code 13).
    source.on('close', () => {
      if (c.stopped) resolve();
    });
    source.pipe(extract);
  });
  // A tar.gz has no per-entry compressed size: every entry takes the expansion of the whole stream.
  if (gz && out > buf.length) for (const e of c.entries) if (e.ratio !== undefined) e.ratio *= out / Math.max(buf.length, 1);
  return c;
}

/**
 * A gzip stream that is not a tar (`data.json.gz`, `.svgz`): one entry, named after the file without `.gz`, read
 * under the same expansion cap as a tar.gz.
 */
async function readGzipMember(buf: Buffer, name: string, limits: Limits, opts: ReadOptions): Promise<ArchiveRead> {
  const c = new Collector(limits, opts);
  const max = gzipCap(buf.length, limits, opts);
  const parts: Buffer[] = [];
  let out = 0;
  let failed: string | undefined;
  await new Promise<void>((resolve) => {
    const gunzip = createGunzip();
    gunzip.on('data', (d: Buffer) => {
      out += d.length;
      if (out > max) {
        c.stopped = true;
        gunzip.destroy();
        resolve();
        return;
      }
      parts.push(d);
    });
    gunzip.on('end', () => resolve());
    gunzip.on('close', () => resolve());
    gunzip.on('error', (e: Error) => {
      failed = e.message;
      resolve();
    });
    gunzip.end(buf);
  });
  const inner = memberName(name);
  if (c.stopped) c.refuse('archive-bomb', `gzip expands past ${Math.round(max)} bytes; not read`);
  else if (failed) c.refuse('archive-corrupt', `gzip stream unreadable: ${failed}`);
  else if (c.admit(inner, out, buf.length)) c.add(inner, Buffer.concat(parts), undefined, buf.length);
  return c;
}

function memberName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
  if (ext === 'gz' || ext === 'gzip' || ext === 'z') return base.slice(0, dot);
  if (ext === 'svgz') return base.slice(0, -1);
  return base || 'content';
}

/** Does the first output of a gzip stream look like a tar? (A peek at the decompressed head, bounded.) */
export function gzipHoldsTar(buf: Buffer, name: string): boolean {
  if (/\.(?:tgz|tar\.gz|taz)$/i.test(name)) return true;
  let head: Buffer;
  try {
    head = gunzipSync(buf.subarray(0, 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return false;
  }
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar' && tarChecksumOk(head);
}

/** The name in an entry's Info-ZIP Unicode Path extra field (0x7075, version 1) when it differs from the header name. */
function unicodePath(entry: yauzl.Entry, headerName: string): string | undefined {
  for (const f of entry.extraFields ?? []) {
    if (f.id !== 0x7075 || f.data.length < 6 || f.data[0] !== 1) continue;
    const name = f.data.subarray(5).toString('utf8');
    return name !== '' && clean(name) !== clean(headerName) ? name : undefined;
  }
  return undefined;
}

/** Drop one wrapping folder (`project-main/…`) so paths read as they would in the repository. */
function stripWrapper(entries: EntrySpec[]): string | undefined {
  if (entries.length === 0) return undefined;
  const first = entries[0].path.split('/')[0];
  if (!entries.every((e) => e.path.startsWith(`${first}/`))) return undefined;
  for (const e of entries) {
    e.path = e.path.slice(first.length + 1);
    if (e.alias?.of.startsWith(`${first}/`)) e.alias = { ...e.alias, of: e.alias.of.slice(first.length + 1) };
    // A hard link names its target from the archive's root, so it loses the wrapper too.
    if (e.hardLink && e.linkTarget !== undefined) {
      const t = clean(e.linkTarget);
      if (t.startsWith(`${first}/`)) e.linkTarget = t.slice(first.length + 1);
    }
  }
  return first;
}

export type NestedFormat = ArchiveFormat | 'gzip';

/**
 * Read one archive's entries. Throws only when the archive cannot be opened at all (a zip without a readable
 * directory); damage further in, refused entries and caps are diagnostics.
 */
export async function readArchive(buf: Buffer, format: NestedFormat, name: string, limits: Limits, opts: ReadOptions): Promise<ArchiveRead> {
  switch (format) {
    case 'zip':
      return readZip(buf, limits, opts);
    case 'gzip':
      return readGzipMember(buf, name, limits, opts);
    default:
      return readTar(buf, format === 'tgz', limits, opts);
  }
}

export async function acquireArchiveBuffer(buf: Buffer, name: string, limits: Limits): Promise<BaseWorkspace> {
  const format = archiveFormatOf(buf, name);
  if (!format) throw new Error(`${name} is not a zip, tar or tar.gz archive`);
  const sha = createHash('sha256').update(buf).digest('hex');
  const opts = freshReadOptions();
  const got = await readArchive(buf, format, name, limits, opts);
  const wrapper = stripWrapper(got.entries);
  const ws = new BaseWorkspace(
    wrapper ? `${name}!/${wrapper}` : `${name}!`,
    { source: name, archiveSha256: sha },
    got.entries,
    limits,
    got.diagnostics,
  );
  // Archives inside this one are expanded later (nested.ts) against what this one already used.
  ws.archiveBudget = opts.budget;
  return ws;
}

export async function acquireArchive(file: string, limits: Limits): Promise<BaseWorkspace> {
  const st = await fs.stat(file);
  if (st.size > limits.maxArchiveBytes) throw new Error(`${file} is ${st.size} bytes, over the ${limits.maxArchiveBytes}-byte archive limit`);
  return acquireArchiveBuffer(await fs.readFile(file), file, limits);
}
