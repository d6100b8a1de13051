/**
 * Package tarballs kept on disk by the integrity the registry published: the same bytes are never fetched twice, and
 * a cached file is checked against that integrity on every read (a damaged or replaced file is a miss, never scanned).
 * Written atomically (temp file + rename). Lives beside the packument cache, under the user cache folder or --cache-dir.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import ssri from 'ssri';
import { writeAtomic } from './cache.js';

export class TarballCache {
  constructor(private readonly dir: string) {}

  private file(integrity: string): string {
    return path.join(this.dir, `${createHash('sha256').update(integrity).digest('hex').slice(0, 48)}.tgz`);
  }

  async get(integrity: string, maxBytes: number): Promise<Buffer | undefined> {
    try {
      const file = this.file(integrity);
      const st = await fs.stat(file);
      if (st.size > maxBytes) return undefined;
      const data = await fs.readFile(file);
      return ssri.checkData(data, integrity) ? data : undefined;
    } catch {
      return undefined;
    }
  }

  async put(integrity: string, data: Buffer): Promise<void> {
    try {
      await writeAtomic(this.file(integrity), data);
    } catch {
      // A cache that cannot be written costs a download next time, nothing else.
    }
  }
}
