/**
 * An on-disk cache of reduced packuments for online lookups: one JSON file per registry + name, written
 * atomically (temp file + rename), trusted for a TTL. A missing or corrupt entry is a miss, never an error.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Packument } from './client.js';

export interface CacheEntry {
  fetchedAt: number;
  /** Undefined when the registry did not serve the package. */
  packument?: Packument;
  /** What the registry answered instead (`HTTP 404`, `HTTP 403: "…"`); absent in entries written before it was kept. */
  unserved?: string;
}

const KEEP_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];

/** Keep only what the facts need: a popular packument is megabytes, its facts are a few kilobytes. */
export function reducePackument(p: Packument): Packument {
  const versions: Packument['versions'] = {};
  for (const [v, doc] of Object.entries(p.versions ?? {})) {
    const d = doc as Record<string, unknown> & { scripts?: Record<string, unknown>; dist?: Record<string, unknown> };
    const scripts: Record<string, unknown> = {};
    for (const k of KEEP_SCRIPTS) if (d.scripts && typeof d.scripts[k] === 'string') scripts[k] = d.scripts[k];
    versions[v] = {
      scripts,
      maintainers: d.maintainers,
      _npmUser: d._npmUser,
      deprecated: d.deprecated,
      repository: d.repository,
      dist: { tarball: d.dist?.tarball as string | undefined, integrity: d.dist?.integrity as string | undefined, attestations: d.dist?.attestations ? true : undefined },
    } as never;
  }
  return { name: p.name, 'dist-tags': p['dist-tags'], time: p.time, versions };
}

export class PackumentCache {
  constructor(
    private readonly dir: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private file(registry: string, name: string): string {
    return path.join(this.dir, `${createHash('sha256').update(`${registry}\0${name}`).digest('hex').slice(0, 40)}.json`);
  }

  async get(registry: string, name: string, allowStale = false): Promise<CacheEntry | undefined> {
    try {
      const e = JSON.parse(await fs.readFile(this.file(registry, name), 'utf8')) as CacheEntry;
      if (typeof e.fetchedAt !== 'number') return undefined;
      if (!allowStale && this.now() - e.fetchedAt > this.ttlMs) return undefined;
      return e;
    } catch {
      return undefined;
    }
  }

  async put(registry: string, name: string, entry: CacheEntry): Promise<void> {
    await writeAtomic(this.file(registry, name), JSON.stringify(entry));
  }
}

/** Write a cache file whole or not at all: a temp file beside it, renamed into place (concurrent scans share caches). */
export async function writeAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, target);
}
