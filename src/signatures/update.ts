/**
 * `lurescan signatures update`: import the public OSV feed (the per-ecosystem all.zip of OSV records; only
 * malicious-package `MAL-` records, npm and PyPI) into a local cache folder, compiled into the same index format as
 * the bundled set. Scans merge it with the bundled index (loadSignatures({ cacheDir })).
 *
 * The zip is untrusted input: entries are read one at a time with a size cap, names are never used as paths, and
 * records that do not validate against the schema are counted and skipped.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { compileIndex, validateRecord, type OsvRecord } from './osv.js';
import { serialiseIndex, type CompiledIndex } from './package-db.js';
import { CACHE_INDEX, packageRoot } from './load.js';
import { OSV_ECOSYSTEMS, osvZipUrl } from './osv-feed.js';

export { OSV_ECOSYSTEMS, osvZipUrl };
export const CACHE_META = 'osv-meta.json';

export interface UpdateLimits {
  /** Largest zip accepted, bytes. */
  maxZipBytes: number;
  /** Largest single record, bytes. */
  maxEntryBytes: number;
  /** Entries read per zip. */
  maxEntries: number;
  /** Download time per URL, ms. */
  timeoutMs: number;
}

export const DEFAULT_UPDATE_LIMITS: Readonly<UpdateLimits> = Object.freeze({
  maxZipBytes: 2 * 1024 * 1024 * 1024,
  maxEntryBytes: 4 * 1024 * 1024,
  maxEntries: 2_000_000,
  timeoutMs: 10 * 60_000,
});

export interface UpdateOptions {
  /** Local zip paths or http(s) URLs; default: the OSV all.zip of each ecosystem. */
  from?: string[];
  cacheDir: string;
  limits?: Partial<UpdateLimits>;
  /** For tests: a fetch implementation. */
  fetch?: typeof fetch;
  /** Clock for the imported date. */
  now?: () => Date;
  onProgress?: (message: string) => void;
}

export interface CacheMeta {
  imported: string;
  sources: string[];
  records: number;
  counts: Partial<Record<string, number>>;
  skipped: { notMalicious: number; otherEcosystem: number; invalid: number; unreadable: number };
  /** Some invalid record ids with the reason, for the report. */
  invalidSamples: string[];
}

export interface UpdateResult extends CacheMeta {
  indexFile: string;
  indexBytes: number;
}

async function download(url: string, dest: string, limits: UpdateLimits, f: typeof fetch): Promise<void> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), limits.timeoutMs);
  try {
    const res = await f(url, { signal: ctrl.signal, redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > limits.maxZipBytes) throw new Error(`GET ${url}: ${len} bytes is over the ${limits.maxZipBytes}-byte limit`);
    let seen = 0;
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > limits.maxZipBytes) body.destroy(new Error(`GET ${url}: more than ${limits.maxZipBytes} bytes`));
    });
    await pipeline(body, createWriteStream(dest));
  } finally {
    clearTimeout(timer);
  }
}

function readZip(file: string, limits: UpdateLimits, onRecord: (text: string | undefined, name: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('cannot open zip'));
      let count = 0;
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (++count > limits.maxEntries) {
          zip.close();
          return reject(new Error(`more than ${limits.maxEntries} entries`));
        }
        if (!entry.fileName.endsWith('.json') || entry.fileName.endsWith('/')) return zip.readEntry();
        if (entry.uncompressedSize > limits.maxEntryBytes) {
          onRecord(undefined, entry.fileName);
          return zip.readEntry();
        }
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) {
            onRecord(undefined, entry.fileName);
            return zip.readEntry();
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= limits.maxEntryBytes) chunks.push(c);
          });
          stream.on('error', () => {
            onRecord(undefined, entry.fileName);
            zip.readEntry();
          });
          stream.on('end', () => {
            onRecord(size <= limits.maxEntryBytes ? Buffer.concat(chunks).toString('utf8') : undefined, entry.fileName);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Import one or more OSV zips into cacheDir/osv-index.json (replacing what was there). */
export async function updateSignatureCache(options: UpdateOptions): Promise<UpdateResult> {
  const limits = { ...DEFAULT_UPDATE_LIMITS, ...options.limits };
  const f = options.fetch ?? fetch;
  const sources = options.from?.length ? options.from : OSV_ECOSYSTEMS.map(osvZipUrl);
  const progress = options.onProgress ?? (() => {});
  mkdirSync(options.cacheDir, { recursive: true });
  const schemaDir = path.join(packageRoot(), 'signatures', 'schema');
  const records = new Map<string, OsvRecord>();
  const skipped = { notMalicious: 0, otherEcosystem: 0, invalid: 0, unreadable: 0 };
  const invalidSamples: string[] = [];
  for (const src of sources) {
    let zipFile = src;
    let temp: string | undefined;
    if (/^https?:\/\//i.test(src)) {
      temp = path.join(options.cacheDir, `download-${process.pid}-${Date.now()}.zip`);
      progress(`downloading ${src}`);
      try {
        await download(src, temp, limits, f);
      } catch (err) {
        rmSync(temp, { force: true });
        throw err;
      }
      zipFile = temp;
    } else {
      if (!existsSync(src)) throw new Error(`${src}: no such file`);
      if (statSync(src).size > limits.maxZipBytes) throw new Error(`${src}: over the ${limits.maxZipBytes}-byte limit`);
    }
    progress(`reading ${src}`);
    try {
      await readZip(zipFile, limits, (text, name) => {
        if (text === undefined) {
          skipped.unreadable++;
          return;
        }
        let rec: unknown;
        try {
          rec = JSON.parse(text);
        } catch {
          skipped.unreadable++;
          return;
        }
        const id = (rec as { id?: unknown })?.id;
        if (typeof id !== 'string' || !id.startsWith('MAL-')) {
          skipped.notMalicious++;
          return;
        }
        const problems = validateRecord(rec, schemaDir);
        if (problems.length) {
          skipped.invalid++;
          if (invalidSamples.length < 10) invalidSamples.push(`${id} (${name}): ${problems[0]}`);
          return;
        }
        const r = rec as OsvRecord;
        if (!r.affected.some((a) => a.package.ecosystem === 'npm' || a.package.ecosystem === 'PyPI')) {
          skipped.otherEcosystem++;
          return;
        }
        const prior = records.get(r.id);
        if (!prior || r.modified > prior.modified) records.set(r.id, r);
      });
    } finally {
      if (temp) rmSync(temp, { force: true });
    }
  }
  const imported = (options.now ?? (() => new Date()))().toISOString();
  const index: CompiledIndex = compileIndex({ name: 'osv', generated: imported, records: [...records.values()] });
  const text = serialiseIndex(index);
  const indexFile = path.join(options.cacheDir, CACHE_INDEX);
  const tmp = `${indexFile}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, indexFile);
  const meta: CacheMeta = { imported, sources, records: index.records, counts: index.counts, skipped, invalidSamples };
  writeFileSync(path.join(options.cacheDir, CACHE_META), `${JSON.stringify(meta, null, 2)}\n`);
  return { ...meta, indexFile, indexBytes: Buffer.byteLength(text) };
}

export function readCacheMeta(cacheDir: string): CacheMeta | undefined {
  try {
    return JSON.parse(readFileSync(path.join(cacheDir, CACHE_META), 'utf8')) as CacheMeta;
  } catch {
    return undefined;
  }
}
