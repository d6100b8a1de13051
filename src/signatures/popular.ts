/** The popular-name lists under signatures/popular/ (TSV: name, downloads a month; '#' lines are provenance). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PopularNames } from './types.js';

export function parsePopularTsv(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [name, downloads] = line.split('\t');
    if (!name || name === 'name') continue;
    out.set(name.trim(), Number(downloads) || 0);
  }
  return out;
}

export function loadPopular(dir: string): PopularNames {
  const file = path.join(dir, 'popular', 'npm-popular-5000.tsv');
  const distinctFile = path.join(dir, 'popular', 'npm-known-distinct.txt');
  const highImpactFile = path.join(dir, 'popular', 'npm-high-impact.txt');
  const distinct = existsSync(distinctFile) ? [...parsePopularTsv(readFileSync(distinctFile, 'utf8')).keys()] : [];
  const highImpact = existsSync(highImpactFile) ? [...parsePopularTsv(readFileSync(highImpactFile, 'utf8')).keys()] : [];
  return { npm: existsSync(file) ? parsePopularTsv(readFileSync(file, 'utf8')) : new Map(), npmDistinct: new Set(distinct), npmHighImpact: new Set(highImpact) };
}

/** A name that is popular or established in its own right: never a look-alike, and its own dependencies were chosen. */
export function isEstablished(p: PopularNames, name: string): boolean {
  return p.npm.has(name) || p.npmDistinct.has(name) || p.npmHighImpact.has(name);
}

/** The names a look-alike check must not report: the known-distinct list and the high-impact names. */
export function establishedNames(p: PopularNames): string[] {
  return [...p.npmDistinct, ...p.npmHighImpact];
}
