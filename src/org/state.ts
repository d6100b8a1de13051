/**
 * The state directory: one JSON file per repository holding its last finished entry, keyed by the repository,
 * the default branch's HEAD commit, the signature database version and the lurescan version. A repository whose
 * key still matches is reported from here without fetching. Each file is written to a temporary name and renamed
 * into place, so a run killed at any moment leaves either the old entry or the new one, never half of one; a run
 * started again finds every repository finished before the kill and scans only the rest.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HeadInfo } from '../github/repos.js';
import type { OrgEntry } from './types.js';
import { writeOutputFile } from '../output-file.js';

export interface StateKey {
  fullName: string;
  headSha: string;
  signatures: string;
  tool: string;
}

interface StateFile {
  kind: 'lurescan-org-state';
  version: 1;
  key: StateKey;
  /** The API's answer about HEAD (with its ETag: a 304 to it next time means HEAD has not moved). */
  head?: HeadInfo;
  entry: OrgEntry;
}

export interface StoredState {
  key: StateKey;
  head?: HeadInfo;
  entry: OrgEntry;
}

/** The user's cache directory for lurescan org state: XDG on Linux, ~/Library/Caches on macOS, LOCALAPPDATA on Windows. */
export function defaultStateDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'lurescan', 'Cache', 'org');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'lurescan', 'org');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'lurescan', 'org');
}

export class StateStore {
  private readonly dir: string;

  /** `scope` separates hosts and orgs sharing one directory (e.g. the API URL). */
  constructor(root: string, scope: string) {
    this.dir = path.join(root, 'v1', createHash('sha256').update(scope).digest('hex').slice(0, 16));
  }

  private file(fullName: string): string {
    return path.join(this.dir, `${createHash('sha256').update(fullName.toLowerCase()).digest('hex').slice(0, 32)}.json`);
  }

  /** Whatever is stored for a repository, whatever its key; undefined when nothing (readable) is. */
  async peek(fullName: string): Promise<StoredState | undefined> {
    let parsed: StateFile;
    try {
      parsed = JSON.parse(await fs.readFile(this.file(fullName), 'utf8')) as StateFile;
    } catch {
      return undefined;
    }
    const k = parsed?.key;
    if (parsed?.kind !== 'lurescan-org-state' || !k || typeof k.headSha !== 'string' || !parsed.entry) return undefined;
    if (k.fullName?.toLowerCase() !== fullName.toLowerCase()) return undefined;
    return { key: k, head: parsed.head?.sha === k.headSha ? parsed.head : undefined, entry: parsed.entry };
  }

  /** The stored entry when every part of the key matches; undefined otherwise (or when the file is unreadable). */
  async get(key: StateKey): Promise<OrgEntry | undefined> {
    const s = await this.peek(key.fullName);
    if (!s || s.key.headSha !== key.headSha || s.key.signatures !== key.signatures || s.key.tool !== key.tool) return undefined;
    return s.entry;
  }

  async put(key: StateKey, entry: OrgEntry, head?: HeadInfo): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const body: StateFile = { kind: 'lurescan-org-state', version: 1, key, ...(head ? { head } : {}), entry };
    await writeFileAtomic(this.file(key.fullName), JSON.stringify(body));
  }

  /** How many entries are stored (tests and progress use it). */
  async count(): Promise<number> {
    try {
      return (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json')).length;
    } catch {
      return 0;
    }
  }
}

/** Write a file atomically: a new temporary file in the same folder, then rename (never through a link at the name). */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await writeOutputFile(file, data, { refuseLinkedFolders: false });
}
