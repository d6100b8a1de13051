/**
 * Archives inside the scanned tree: `assets/setup.zip` in a repository, a `.tgz` inside a mailed zip, a zip inside an
 * npm tarball. A lure can keep its loader in one and have a script or the README unpack it, so every file whose
 * first bytes are a zip, tar or gzip (whatever its name) is read with the archive reader and its entries join the
 * workspace as `assets/setup.zip!/install.js`, to maxArchiveDepth levels. Entry count and bytes are counted over
 * the scanned archive and every nested one together, and compression ratios multiply across levels, so a bomb
 * spread over levels is refused like a flat one. An archive that cannot be read (a format lurescan does not read,
 * encrypted, damaged, too deep, over a cap) is a diagnostic that makes the scan incomplete: its content was hidden.
 */
import type { WorkspaceFile } from '../types.js';
import type { NestedFormat } from './archive.js';
import { tarChecksumOk } from './tar-header.js';
import { bytesOf, SNIFF_BYTES } from './bytes.js';
import type { BaseWorkspace } from './workspace.js';

/** Formats recognised by their magic that lurescan cannot read (no reader in Node's standard library). */
const UNREADABLE: readonly { name: string; magic: Buffer; offset?: number }[] = [
  { name: '7z', magic: Buffer.from('377abcaf271c', 'hex') },
  { name: 'RAR', magic: Buffer.from('526172211a07', 'hex') },
  { name: 'xz', magic: Buffer.from('fd377a585a00', 'hex') },
  { name: 'zstd', magic: Buffer.from('28b52ffd', 'hex') },
  // bzip2: 'BZh', a block size digit, then the block magic (pi), so that text starting "BZh9" is not taken for one.
  { name: 'bzip2', magic: Buffer.from('314159265359', 'hex'), offset: 4 },
];

/** The smallest file worth a look: a gzip header and trailer are 18 bytes, an empty zip 22. */
const MIN_ARCHIVE_BYTES = 18;
/** A tar header: its checksum covers all of it. */
const TAR_HEADER = 512;

/** A POSIX tar header's magic, `ustar` at offset 257. */
const hasUstarMagic = (head: Buffer): boolean => head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';

/** What a file's first bytes say it is, as far as nested expansion cares. */
export function nestedFormatOf(head: Buffer, name: string): NestedFormat | { unreadable: string } | undefined {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  // A gzip member with the deflate method (the only one defined).
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) return 'gzip';
  if (hasUstarMagic(head) && tarChecksumOk(head)) return 'tar';
  for (const u of UNREADABLE) {
    const at = u.offset ?? 0;
    if (head.length >= at + u.magic.length && head.subarray(at, at + u.magic.length).equals(u.magic)) {
      if (u.name === 'bzip2' && !(head.subarray(0, 3).toString('latin1') === 'BZh' && head[3] >= 0x31 && head[3] <= 0x39)) continue;
      return { unreadable: u.name };
    }
  }
  // Old (v7) tars have no magic; only the name and the header checksum tell.
  if (/\.tar$/i.test(name) && tarChecksumOk(head)) return 'tar';
  return undefined;
}

/** Expand every archive inside the workspace, level by level. Safe to call twice (the second call does nothing). */
export async function expandNestedArchives(ws: BaseWorkspace): Promise<void> {
  if (ws.nestedExpanded) return;
  ws.nestedExpanded = true;
  const limits = ws.limits;
  const note = (code: string, message: string, file: string) => ws.diagnostics.push({ code, message, file, incomplete: true });
  let level: readonly WorkspaceFile[] = ws.files.filter((f) => f.kind === 'file');
  for (let depth = 0; level.length > 0; depth++) {
    const next: WorkspaceFile[] = [];
    for (const f of level) {
      if (f.kind !== 'file' || f.size < MIN_ARCHIVE_BYTES) continue;
      let head = await ws.headOf(f, SNIFF_BYTES);
      if (!head) continue; // over the file limit without a partial read, or unreadable: already a diagnostic
      // A tar header's checksum covers all of its 512 bytes: read them only for what may be a tar.
      if (head.length === SNIFF_BYTES && (hasUstarMagic(head) || /\.tar$/i.test(f.path))) head = (await ws.headOf(f, TAR_HEADER)) ?? head;
      const format = nestedFormatOf(head, f.path);
      if (!format) continue;
      if (typeof format === 'object') {
        note('archive-unsupported', `${format.unreadable} archive: lurescan cannot read this format, so its content was not scanned`, f.path);
        continue;
      }
      if (depth + 1 > limits.maxArchiveDepth) {
        note('archive-depth-limit', `archive inside ${depth} archive${depth === 1 ? '' : 's'}: its content would be level ${depth + 1} (maxArchiveDepth ${limits.maxArchiveDepth}); not expanded, its content was not scanned`, f.path);
        continue;
      }
      if (f.size > limits.maxFileBytes) {
        note('archive-not-expanded', `archive of ${f.size} bytes is over the ${limits.maxFileBytes}-byte file limit; not expanded, its content was not scanned`, f.path);
        continue;
      }
      const budget = ws.archiveBudget;
      if (budget.entries >= limits.maxArchiveEntries || budget.bytes >= limits.maxArchiveBytes) {
        note('archive-not-expanded', `the archive caps of this scan are used up (maxArchiveEntries ${limits.maxArchiveEntries}, maxArchiveBytes ${limits.maxArchiveBytes}); not expanded, its content was not scanned`, f.path);
        continue;
      }
      const bytes = await bytesOf(f);
      if (!bytes) continue; // the read budget or a read error: bytes() recorded why
      // The archive reader (yauzl, tar-stream) loads with the first archive found, not with every scan.
      const { gzipHoldsTar, readArchive } = await import('./archive.js');
      const kind = format === 'gzip' && gzipHoldsTar(bytes, f.path) ? 'tgz' : format;
      let got;
      try {
        got = await readArchive(bytes, kind, f.path, limits, {
          budget,
          ratio: ws.ratioOf(f),
          prefix: `${f.path}!/`,
          file: f.path,
          container: f.container ?? f.path,
        });
      } catch (err) {
        note('archive-corrupt', `looks like a ${kind === 'tgz' ? 'tar.gz' : kind} archive but cannot be opened (${(err as Error).message}); its content was not scanned`, f.path);
        continue;
      }
      ws.diagnostics.push(...got.diagnostics);
      next.push(...ws.addEntries(got.entries).filter((e) => e.kind === 'file'));
    }
    level = next;
  }
}
