/** The popular-name lists under signatures/popular/ (TSV: name, downloads a month; '#' lines are provenance). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PopularNames } from './types.js';

export function parsePopularTsv(text: string): Map<string, number> {
  // A line at a time without splitting the text first (17,000 lines; every scan loads the lists): blank lines and
  // '#' lines are skipped, the first field is the name (trimmed), the second the count.
  const out = new Map<string, number>();
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (text.charCodeAt(start) !== 35) {
      const tab = text.indexOf('\t', start);
      const cut = tab >= 0 && tab < end ? tab : end;
      const field = text.slice(start, cut);
      const name = field.trim();
      if (name && field !== 'name') {
        const next = cut < end ? text.indexOf('\t', cut + 1) : -1;
        out.set(name, cut < end ? Number(text.slice(cut + 1, next >= 0 && next < end ? next : end)) || 0 : 0);
      }
    }
    start = end + 1;
  }
  return out;
}

/**
 * The names of a list with one name a line ('#' lines are provenance): the keys parsePopularTsv gives, in the same
 * order. Every scan loads the 17,000 high-impact names, and a loop over them runs before the JIT has compiled it
 * (~10 ms); a list in the usual shape (no tabs, carriage returns or blanks around a name) is split by the regular
 * expression engine instead, and anything else goes through parsePopularTsv.
 */
export function parseNameList(text: string): string[] {
  // Tabs, and the line ends other than \n that ^ and $ would also see, go the general way; so do blanks around a name.
  if (/[\t\r\u2028\u2029]|^[^\S\n]|[^\S\n]$/m.test(text)) return [...parsePopularTsv(text).keys()];
  const names = `${text}\n`.replace(/^(?:#[^\n\r\u2028\u2029]*|name)?\n/gm, '').split('\n');
  names.pop();
  return [...new Set(names)];
}

export function loadPopular(dir: string): PopularNames {
  const file = path.join(dir, 'popular', 'npm-popular-5000.tsv');
  const distinctFile = path.join(dir, 'popular', 'npm-known-distinct.txt');
  const highImpactFile = path.join(dir, 'popular', 'npm-high-impact.txt');
  const distinct = existsSync(distinctFile) ? parseNameList(readFileSync(distinctFile, 'utf8')) : [];
  const highImpact = existsSync(highImpactFile) ? parseNameList(readFileSync(highImpactFile, 'utf8')) : [];
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
