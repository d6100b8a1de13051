/**
 * Content hashes of whole folders, for cache keys: lurescan's own code (analysis/result-cache.ts `folderStamp`) and the
 * signature files a scan loaded (signatures/load.ts `signaturesDigest`).
 */
import type { Hash } from 'node:crypto';
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';

/**
 * Feeds `h` every file under `dir` that `keep` accepts — its path relative to `dir`, then its bytes — in sorted order,
 * so the same files give the same stream wherever the folder lives. Throws when the folder cannot be read.
 */
export function hashFolder(h: Hash, dir: string, keep: (rel: string) => boolean = () => true): void {
  const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)))
    .filter(keep)
    .sort();
  for (const rel of files) h.update('\0').update(rel).update('\0').update(readFileSync(path.join(dir, rel)));
}
