/**
 * Loads the signature data shipped in /signatures. The data is read once per process and shared.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickFixPatterns, CommandPatterns, FileMagic, IocIndicator, Signatures, UrlPattern, BinaryKinds, SourcePatterns, VendorInstaller } from './types.js';
import { PackageDb } from './package-db.js';
import { loadPopular } from './popular.js';
import { hashFolder } from '../folder-hash.js';

export interface LoadSignaturesOptions {
  /** Folder written by `lurescan signatures update`; its OSV index is merged with the bundled one. Omit for bundled only. */
  cacheDir?: string;
}

/** Where the compiled bundled index lives inside the signatures folder. */
export const BUNDLED_INDEX = path.join('index', 'packages.idx');
/** Where `lurescan signatures update` writes the imported OSV index inside its cache folder. */
export const CACHE_INDEX = 'osv-index.idx';

/** The package root: two levels above this file, whether it runs from src/ (tests) or build/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'signatures'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('lurescan: cannot find the signatures folder next to package.json');
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const cached = new Map<string, Signatures>();

/** Where each loaded signature set came from, for {@link signaturesDigest}. */
const digestSources = new WeakMap<Signatures, { dir: string; cacheIndex?: string; digest?: string }>();

/**
 * A SHA-256 over the files a signature set was loaded from (the signatures folder and the OSV index of the cache
 * folder, as they are now), or undefined for a set this module did not load (an embedder's own object): then no
 * result keyed by signatures can be reused (engine/scan-memo.ts).
 */
export function signaturesDigest(sigs: Signatures): string | undefined {
  const src = digestSources.get(sigs);
  if (!src) return undefined;
  if (src.digest) return src.digest;
  const h = createHash('sha256');
  try {
    hashFolder(h, src.dir);
    if (src.cacheIndex) h.update('\0cache\0').update(existsSync(src.cacheIndex) ? readFileSync(src.cacheIndex) : 'absent');
  } catch {
    return undefined;
  }
  src.digest = h.digest('hex');
  return src.digest;
}

export function loadSignatures(dir = path.join(packageRoot(), 'signatures'), options: LoadSignaturesOptions = {}): Signatures {
  const cacheKey = `${dir}\0${options.cacheDir ?? ''}`;
  const hit = cached.get(cacheKey);
  if (hit) return hit;
  const iocs: IocIndicator[] = [];
  const iocDir = path.join(dir, 'iocs');
  for (const f of readdirSync(iocDir).filter((n) => n.endsWith('.json')).sort()) {
    const data = readJson<{ campaign: string; indicators: Omit<IocIndicator, 'campaign'>[] }>(path.join(iocDir, f));
    for (const i of data.indicators) iocs.push({ ...i, campaign: data.campaign });
  }
  const urlPatterns = readJson<{ patterns: UrlPattern[] }>(path.join(dir, 'patterns', 'c2-urls.json')).patterns;
  const commands = readJson<CommandPatterns>(path.join(dir, 'patterns', 'commands.json'));
  const installerFile = path.join(dir, 'patterns', 'installers.json');
  const installers = existsSync(installerFile) ? readJson<{ installers: VendorInstaller[] }>(installerFile).installers : [];
  const fileMagic = readJson<{ formats: FileMagic[] }>(path.join(dir, 'patterns', 'file-magic.json')).formats;
  const binaries = readJson<BinaryKinds>(path.join(dir, 'patterns', 'binaries.json'));
  const source = readJson<SourcePatterns>(path.join(dir, 'patterns', 'source.json'));
  const clickfix = readJson<ClickFixPatterns>(path.join(dir, 'patterns', 'clickfix.json'));
  const pkg = readJson<{ version: string }>(path.join(dir, '..', 'package.json'));
  const packages = new PackageDb([
    { file: path.join(dir, BUNDLED_INDEX), optional: false },
    ...(options.cacheDir ? [{ file: path.join(options.cacheDir, CACHE_INDEX), optional: true }] : []),
  ]);
  const popular = loadPopular(dir);
  const sigs: Signatures = { version: `${pkg.version}+${iocs.length}i`, iocs, urlPatterns, commands, installers, fileMagic, binaries, source, clickfix, packages, popular };
  digestSources.set(sigs, { dir, cacheIndex: options.cacheDir ? path.join(options.cacheDir, CACHE_INDEX) : undefined });
  if (dir === path.join(packageRoot(), 'signatures')) cached.set(cacheKey, sigs);
  return sigs;
}
