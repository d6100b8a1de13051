/**
 * Zip and tar(.gz) archives, read into memory and never extracted. Each entry is checked before its bytes are
 * kept: traversal (`..`), absolute paths, links, devices, entry count, total size and compression ratio.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import tar from 'tar-stream';
import type { Diagnostic } from '../types.js';
import type { Limits } from '../options.js';
import { BaseWorkspace, type EntrySpec } from './workspace.js';

export type ArchiveFormat = 'zip' | 'tar' | 'tgz';

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

interface Collected {
  entries: EntrySpec[];
  diagnostics: Diagnostic[];
}

class Collector {
  readonly entries: EntrySpec[] = [];
  readonly diagnostics: Diagnostic[] = [];
  total = 0;
  stopped = false;
  constructor(readonly limits: Limits) {}

  refuse(code: string, message: string, file?: string, incomplete = true): void {
    this.diagnostics.push({ code, message, file, incomplete });
  }

  /** Returns false when the entry must not be read. */
  admit(name: string, size: number, compressed?: number): boolean {
    if (this.stopped) return false;
    if (this.entries.length >= this.limits.maxArchiveEntries) {
      this.stopped = true;
      this.refuse('archive-entry-limit', `more than ${this.limits.maxArchiveEntries} entries; the rest were not read`);
      return false;
    }
    const why = unsafeEntryName(name);
    if (why) {
      this.refuse('archive-unsafe-path', `entry refused: ${why}`, name);
      return false;
    }
    if (compressed !== undefined && compressed > 0 && size / compressed > this.limits.maxCompressionRatio) {
      this.refuse('archive-bomb', `compression ratio ${Math.round(size / compressed)}:1 is over ${this.limits.maxCompressionRatio}:1; not read`, name);
      return false;
    }
    if (size > this.limits.maxFileBytes) {
      this.entries.push({ path: clean(name), size, kind: 'file' });
      return false;
    }
    if (this.total + size > this.limits.maxArchiveBytes) {
      this.stopped = true;
      this.refuse('archive-size-limit', `more than ${this.limits.maxArchiveBytes} uncompressed bytes; the rest were not read`);
      return false;
    }
    return true;
  }

  add(name: string, data: Buffer, mode?: number): void {
    this.total += data.length;
    this.entries.push({
      path: clean(name),
      size: data.length,
      kind: 'file',
      mode: mode !== undefined && (mode & 0o111) !== 0 ? '100755' : '100644',
      load: async () => data,
      head: async (n) => data.subarray(0, n),
    });
  }
}

function clean(name: string): string {
  let n = name.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
  while (n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

function readZip(buf: Buffer, limits: Limits): Promise<Collected> {
  const c = new Collector(limits);
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
              c.entries.push({ path: clean(name), size: 0, kind: 'symlink', linkTarget: target });
              zip.readEntry();
            });
          });
          return;
        }
        if (type !== 0 && type !== 0o100000) {
          c.refuse('archive-special-entry', 'device, fifo or other special entry; not read', name, false);
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
            c.add(name, Buffer.concat(parts), unixMode);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

async function readTar(buf: Buffer, gz: boolean, limits: Limits): Promise<Collected> {
  const c = new Collector(limits);
  const extract = tar.extract();
  let source: NodeJS.ReadableStream = Readable.from([buf]);
  if (gz) {
    const gunzip = createGunzip();
    let out = 0;
    const max = Math.min(limits.maxArchiveBytes, Math.max(buf.length, 1) * limits.maxCompressionRatio) + 1024 * 1024;
    gunzip.on('data', (d: Buffer<ArrayBufferLike>) => {
      out += d.length;
      if (out > max) {
        c.refuse('archive-bomb', `gzip expands past ${max} bytes; reading stopped`);
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
          else c.entries.push({ path: clean(name), size: 0, kind: 'symlink', linkTarget: `${header.type === 'link' ? '(hard link) ' : ''}${header.linkname ?? ''}` });
          return drain();
        }
        case 'file':
        case 'contiguous-file': {
          if (!c.admit(name, header.size ?? 0)) return drain();
          const parts: Buffer[] = [];
          stream.on('data', (d: unknown) => parts.push(d as Buffer));
          stream.on('end', () => {
            c.add(name, Buffer.concat(parts), header.mode);
            next();
          });
          return;
        }
        default:
          c.refuse('archive-special-entry', `${header.type} entry; not read`, name, false);
          return drain();
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
  return c;
}

/** Drop one wrapping folder (`project-main/…`) so paths read as they would in the repository. */
function stripWrapper(entries: EntrySpec[]): string | undefined {
  if (entries.length === 0) return undefined;
  const first = entries[0].path.split('/')[0];
  if (!entries.every((e) => e.path.startsWith(`${first}/`))) return undefined;
  for (const e of entries) e.path = e.path.slice(first.length + 1);
  return first;
}

export async function acquireArchiveBuffer(buf: Buffer, name: string, limits: Limits): Promise<BaseWorkspace> {
  const format = archiveFormatOf(buf, name);
  if (!format) throw new Error(`${name} is not a zip, tar or tar.gz archive`);
  const sha = createHash('sha256').update(buf).digest('hex');
  const got = format === 'zip' ? await readZip(buf, limits) : await readTar(buf, format === 'tgz', limits);
  const wrapper = stripWrapper(got.entries);
  return new BaseWorkspace(
    wrapper ? `${name}!/${wrapper}` : `${name}!`,
    { source: name, archiveSha256: sha },
    got.entries,
    limits,
    got.diagnostics,
  );
}

export async function acquireArchive(file: string, limits: Limits): Promise<BaseWorkspace> {
  const st = await fs.stat(file);
  if (st.size > limits.maxArchiveBytes) throw new Error(`${file} is ${st.size} bytes, over the ${limits.maxArchiveBytes}-byte archive limit`);
  return acquireArchiveBuffer(await fs.readFile(file), file, limits);
}
