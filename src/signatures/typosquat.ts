/**
 * Look-alike names: is a package name one or two edits, a separator, a homoglyph, a scope or a brand suffix away
 * from a popular name? Candidates come from a deletion index (SymSpell style: two strings within one edit share a
 * one-deletion variant), so checking a name costs a few dozen map lookups, not 5,000 edit distances.
 *
 * A small edit distance alone is mostly noise: npm is full of established names one letter from another
 * (jsdoc/jsdom, watch/batch, listr/listr2, bare-buffer/safe-buffer). An edit candidate is therefore kept only when it
 * looks like a slip of the fingers, not another word (see typoShape): names are compared word by word (words split
 * at - _ .), whole words added or removed make a different name, an edit is judged against the length of the words it
 * touches, and a prefix or suffix changed, a first letter replaced or an unrelated letter replaced in a short name
 * make another word. Those near names are still returned, marked otherWord, for the rule to report low.
 */
import type { PopularNames } from './types.js';

export type SquatKind = 'edit-distance' | 'separator' | 'homoglyph' | 'scope-confusion' | 'brand-suffix';

export interface SquatMatch {
  /** The popular name it imitates. */
  target: string;
  kind: SquatKind;
  /** Edit distance where it applies. */
  distance?: number;
  targetDownloads: number;
  /**
   * Set when the name is within edit reach but the difference reads as another word, not a typo (typoShape): a weak
   * hint that the rule reports below the level that warns.
   */
  otherWord?: string;
}

const BRAND_SUFFIXES = ['-sdk', '-validator', '-logger', '.js', '-js'];
/** npm's limit on a package name's length (validate-npm-package-name). */
const MAX_NPM_NAME = 214;
/** Names shorter than this are only checked for homoglyphs and separators: two-letter names are all one edit apart. */
const MIN_EDIT_LEN = 5;
/** From this length, two edits still look like the target. */
const TWO_EDIT_LEN = 8;
/** A word shorter than this takes no edit at all (it/is, js/es, pg/is, css/csv are other words). */
const MIN_WORD_EDIT_LEN = 4;
/** Two edits that all fall within this many letters of a word's start or end swap an affix: re-validator, listen-er. */
const AFFIX_LEN = 4;
/**
 * A scope whose name starts at least this many popular unscoped names (babel-*, rollup-plugin-*, jest-*, eslint-*) is
 * an established unscoped namespace too: "babel-register" is the pre-scope name of "@babel/register", not a look-alike.
 */
const UNSCOPED_FAMILY_MIN = 3;

const KEYBOARD = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const pairs = (list: [string, string][]) => new Set(list.flatMap(([a, b]) => [a + b, b + a]));
/** Letters that read alike in a package list. */
const LOOKALIKE = pairs([['i', 'l'], ['l', '1'], ['i', '1'], ['o', '0'], ['s', '5'], ['u', 'v'], ['m', 'n'], ['c', 'e'], ['g', 'q']]);
/** Keys a finger slips between on a QWERTY keyboard (same row, and the staggered row below). */
const NEIGHBOUR = pairs(
  KEYBOARD.flatMap((row, r) =>
    [...row].flatMap((ch, c) => {
      const below = KEYBOARD[r + 1] ?? '';
      return [row[c + 1], below[c], c > 0 ? below[c - 1] : undefined].filter((x): x is string => !!x).map((x): [string, string] => [ch, x]);
    }),
  ),
);

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions), capped: returns max+1 early. */
export function osaDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

export interface EditOp {
  /** sub: a letter replaced; ins: the name has a letter the target lacks; del: the name lacks one; swap: two adjacent letters swapped. */
  op: 'sub' | 'ins' | 'del' | 'swap';
  /** Position in the name (for del: where the missing letter would be). */
  at: number;
  /** The name's letter (sub, ins) or the target's (del). */
  ch: string;
  /** The target's letter for sub. */
  to?: string;
}

/** One cheapest OSA alignment of name against target, as the list of edits. Only for short strings (names). */
export function editOps(name: string, target: string): EditOp[] {
  const m = name.length;
  const n = target.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= n; j++) {
      const cost = name[i - 1] === target[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && name[i - 1] === target[j - 2] && name[i - 2] === target[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  const ops: EditOp[] = [];
  let i = m;
  let j = n;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && name[i - 1] === target[j - 1] && d[i][j] === d[i - 1][j - 1]) {
      i--;
      j--;
    } else if (i > 1 && j > 1 && name[i - 1] === target[j - 2] && name[i - 2] === target[j - 1] && d[i][j] === d[i - 2][j - 2] + 1) {
      ops.push({ op: 'swap', at: i - 2, ch: name.slice(i - 2, i) });
      i -= 2;
      j -= 2;
    } else if (i > 0 && j > 0 && d[i][j] === d[i - 1][j - 1] + 1) {
      ops.push({ op: 'sub', at: i - 1, ch: name[i - 1], to: target[j - 1] });
      i--;
      j--;
    } else if (i > 0 && d[i][j] === d[i - 1][j] + 1) {
      ops.push({ op: 'ins', at: i - 1, ch: name[i - 1] });
      i--;
    } else {
      ops.push({ op: 'del', at: i, ch: target[j - 1] });
      j--;
    }
  }
  return ops.reverse();
}

const splitWords = (s: string) => s.split(/[-_.]+/).filter(Boolean);

/** How a name within edit reach of a popular one differs from it. */
export interface TypoShape {
  /** Edits, counted with separators removed inside the differing words. */
  distance: number;
  /** Why the difference reads as another word rather than a typo; absent when it reads as a typo. */
  otherWord?: string;
}

/**
 * Does the name read as a slip of the fingers on the target? Both are unscoped and differ by more than separators.
 *  - Words both names share at the start and the end are set aside; when nothing is left on one side, whole words were
 *    added or removed (eslint-plugin-import-x): another package, which brand-suffix judges where it matters.
 *  - What is left (separators removed) must be long enough for its edits: none under 4 letters, one from 4, two from 8
 *    (bare-buffer is two edits in "bare", lodash-id a new word, it-glob/is-glob a new two-letter word).
 *  - One edit: a letter added or dropped at either end is a prefix or suffix (crypt/crypto, listr2, http2, ctype),
 *    unless it doubles its neighbour (expresss); a replaced first letter makes another word (tslint/eslint,
 *    watch/batch) unless the two read alike (iodash); and in a short name (under 8 letters) so does a letter replaced
 *    by one that is neither a keyboard neighbour nor a look-alike (jsdoc/jsdom, errno/errto).
 *  - Two edits that both fall within 4 letters of the start or the end swap an affix (revalidator, async-listener).
 * Transpositions, letters dropped or doubled inside a word, and slips to a neighbouring key stay typos (dotevn, expres,
 * body-praser, monent).
 */
export function typoShape(name: string, target: string): TypoShape {
  const a = splitWords(name);
  const b = splitWords(target);
  while (a.length && b.length && a[0] === b[0]) {
    a.shift();
    b.shift();
  }
  while (a.length && b.length && a[a.length - 1] === b[b.length - 1]) {
    a.pop();
    b.pop();
  }
  if (!a.length || !b.length) return { distance: osaDistance(name, target, 2), otherWord: 'whole words added or removed' };
  const x = a.join('');
  const y = b.join('');
  const ops = editOps(x, y);
  const distance = ops.length;
  if (!distance) return { distance, otherWord: 'only separators differ' }; // the separator check sees these first
  const len = Math.max(x.length, y.length);
  if (distance > (len >= TWO_EDIT_LEN ? 2 : len >= MIN_WORD_EDIT_LEN ? 1 : 0))
    return { distance, otherWord: `${distance === 1 ? 'an edit' : `${distance} edits`} in the ${len}-letter word "${x}"` };
  if (distance === 1) {
    const [e] = ops;
    // One number for another (bip65/bip66, es5/es6, vue2/vue3) names another standard or version, not a slip.
    if (e.op === 'sub' && /\d/.test(e.ch) && /\d/.test(e.to ?? '')) return { distance, otherWord: `the number "${e.to}" changed to "${e.ch}" (another version or standard)` };
    // A doubled letter typed once or twice (expresss, expres) is a typo even at the edge.
    const doubled = e.op === 'ins' ? x[e.at - 1] === e.ch || x[e.at + 1] === e.ch : e.op === 'del' && (x[e.at - 1] === e.ch || x[e.at] === e.ch);
    if (!doubled && ((e.op === 'ins' && (e.at === 0 || e.at === x.length - 1)) || (e.op === 'del' && (e.at === 0 || e.at === x.length))))
      return { distance, otherWord: `"${e.ch}" ${e.op === 'ins' ? 'added at' : 'dropped from'} the ${e.at === 0 ? 'start' : 'end'} of "${x}" (another prefix or suffix)` };
    const pair = e.ch + (e.to ?? '');
    if (e.op === 'sub' && e.at === 0 && !LOOKALIKE.has(pair)) return { distance, otherWord: `the first letter of "${x}" replaced ("${e.to}" → "${e.ch}")` };
    if (e.op === 'sub' && name.length < TWO_EDIT_LEN && !LOOKALIKE.has(pair) && !NEIGHBOUR.has(pair))
      return { distance, otherWord: `"${e.to}" → "${e.ch}" in a short name, neither a neighbouring key nor a look-alike` };
    return { distance };
  }
  const lo = Math.min(...ops.map((e) => e.at));
  const hi = Math.max(...ops.map((e) => e.at + (e.op === 'swap' ? 1 : 0)));
  if (hi < AFFIX_LEN || lo >= x.length - AFFIX_LEN) return { distance, otherWord: `both edits at the ${hi < AFFIX_LEN ? 'start' : 'end'} of "${x}" (another prefix or suffix)` };
  return { distance };
}

const stripSeparators = (s: string) => s.replace(/[-_.]/g, '');
/** Characters that read alike in a package list: 1/l/i, 0/o, rn/m, vv/w, 5/s. */
export function foldHomoglyphs(s: string): string {
  return s.replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/[1i|]/g, 'l').replace(/0/g, 'o').replace(/5/g, 's');
}

/**
 * String hashes that cost O(1) per deleted character: a polynomial hash mod 2^32, h(s) = Σ s[k]·B^(n-1-k), with an odd
 * B (so it has an inverse mod 2^32), finished by a bit mixer. After O(n) set-up for a string (prefix and suffix sums),
 * the hash of the string with position i, or positions i < j, removed is a few multiplications — equal, by
 * construction, to the hash of the shorter string computed directly. The look-alike index hashes every one- and
 * two-deletion variant of 17,000 names; an FNV pass per variant made that O(n³) per name.
 */
const B = 0x01000193;
const B_INV = (() => {
  let x = B; // Newton's iteration: each step doubles the correct low bits of B's inverse mod 2^32
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(B, x));
  return x >>> 0;
})();
/** murmur3's finaliser: spreads the polynomial's low-entropy bits over the whole word (the tables bucket by its low bits). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

let scratch = new Uint32Array(3 * 66);
/**
 * Set-up for the deletion hashes of one string: prefix hashes P, suffix sums S and powers of B, kept in one shared
 * `scratch` buffer — so only the Deletions made last may be asked for hashes (each use below makes one and uses it
 * before making another).
 */
class Deletions {
  readonly n: number;
  readonly w: number;
  constructor(s: string) {
    const n = (this.n = s.length);
    const w = (this.w = n + 2);
    if (scratch.length < 3 * w) scratch = new Uint32Array(3 * w * 2);
    const a = scratch; // P at [0, w), S at [w, 2w), pow at [2w, 3w)
    a[0] = 0;
    a[2 * w] = 1;
    for (let k = 0; k < n; k++) {
      a[k + 1] = (Math.imul(a[k], B) + s.charCodeAt(k)) >>> 0;
      a[2 * w + k + 1] = Math.imul(a[2 * w + k], B) >>> 0;
    }
    a[w + n] = 0;
    a[w + n + 1] = 0;
    for (let k = n - 1; k >= 0; k--) a[w + k] = (Math.imul(s.charCodeAt(k), a[2 * w + n - 1 - k]) + a[w + k + 1]) >>> 0;
  }

  whole(): number {
    return mix(scratch[this.n]);
  }

  /** Position i removed. */
  skip1(i: number): number {
    const a = scratch;
    const w = this.w;
    return mix((Math.imul(a[i], a[2 * w + this.n - 1 - i]) + a[w + i + 1]) >>> 0);
  }

  /** Positions i < j removed. */
  skip2(i: number, j: number): number {
    const a = scratch;
    const w = this.w;
    return mix((Math.imul(a[i], a[2 * w + this.n - 2 - i]) + Math.imul((a[w + i + 1] - a[w + j]) >>> 0, B_INV) + a[w + j + 1]) >>> 0);
  }
}
/** The whole string's hash: the same value as `new Deletions(s).whole()`, without the deletion set-up. */
export function hashOf(s: string): number {
  let h = 0;
  for (let k = 0; k < s.length; k++) h = (Math.imul(h, B) + s.charCodeAt(k)) >>> 0;
  return mix(h);
}

/** hashOf(stripSeparators(s)), without making the string. */
export function hashSeparatorless(s: string): number {
  let h = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c !== 45 && c !== 95 && c !== 46) h = (Math.imul(h, B) + c) >>> 0;
  }
  return mix(h);
}

/**
 * hashOf(foldHomoglyphs(stripSeparators(s))), without making the strings: separators dropped, then, left to right,
 * "rn" read as "m" and "vv" as "w" (neither replacement makes a pair the other reads), then 1, i and | as l, 0 as o
 * and 5 as s — the order of foldHomoglyphs' replacements.
 */
export function hashFolded(s: string): number {
  let h = 0;
  let prev = -1; // a letter held back to see whether it starts "rn" or "vv"
  const put = (c: number) => {
    h = (Math.imul(h, B) + (c === 49 || c === 105 || c === 124 ? 108 : c === 48 ? 111 : c === 53 ? 115 : c)) >>> 0;
  };
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 45 || c === 95 || c === 46) continue;
    if (prev === 114 && c === 110) {
      put(109);
      prev = -1;
    } else if (prev === 118 && c === 118) {
      put(119);
      prev = -1;
    } else {
      if (prev >= 0) put(prev);
      if (c === 114 || c === 118) prev = c;
      else {
        put(c);
        prev = -1;
      }
    }
  }
  if (prev >= 0) put(prev);
  return mix(h);
}

/** A {@link HashTable} as plain data: typed arrays, which structured clone copies in bulk. */
export interface HashTableState {
  hashes: Uint32Array;
  values: Uint32Array;
  next: Int32Array;
  heads: Int32Array;
}

/**
 * A multimap from 32-bit string hashes to small integers (indexes into the name list), sized when made: entries in
 * parallel typed arrays, chained by bucket (the hash's low bits). Adding an entry is a few array stores, so the index
 * is built in one pass over the variants, without the sort a sorted table needs (in a fresh process, before the JIT
 * has warmed up, a radix sort of 600,000 hashes cost half of the build); a stored table is four typed arrays, not
 * thousands of objects. A hash collision only adds a candidate, which every caller checks against the name itself.
 */
class HashTable {
  private length = 0;
  private constructor(
    private readonly hashes: Uint32Array,
    private readonly values: Uint32Array,
    private readonly next: Int32Array,
    private readonly heads: Int32Array,
  ) {}

  /** An empty table for `capacity` entries (a power of two of buckets, at least a quarter as many as entries). */
  static sized(capacity: number): HashTable {
    let buckets = 16;
    while (buckets < capacity / 4) buckets *= 2;
    return new HashTable(new Uint32Array(capacity), new Uint32Array(capacity), new Int32Array(capacity), new Int32Array(buckets).fill(-1));
  }

  /** A table from state(). A damaged chain cannot make a lookup loop: find() takes at most as many steps as entries. */
  static restore(state: HashTableState): HashTable {
    const { hashes, values, next, heads } = state ?? {};
    const buckets = heads instanceof Int32Array && heads.length >= 16 && (heads.length & (heads.length - 1)) === 0;
    if (!(hashes instanceof Uint32Array) || !(values instanceof Uint32Array) || !(next instanceof Int32Array) || !buckets || values.length !== hashes.length || next.length !== hashes.length)
      throw new Error('not a hash table');
    const t = new HashTable(hashes, values, next, heads);
    t.length = hashes.length;
    return t;
  }

  state(): HashTableState {
    if (this.length !== this.hashes.length) throw new Error('look-alike table not filled to its size');
    return { hashes: this.hashes, values: this.values, next: this.next, heads: this.heads };
  }

  /** Adds an entry; find() gives a hash's entries in the order they were added (ties between candidates depend on it). */
  add(hash: number, value: number): void {
    const i = this.length++;
    this.hashes[i] = hash;
    this.values[i] = value;
    const b = hash & (this.heads.length - 1);
    this.next[i] = this.heads[b];
    this.heads[b] = i;
  }

  /**
   * Adds the variants of the string `d` was made for, under `value`: the string and its one-deletion variants, or
   * (pairs) its two-deletion variants. The same hashes as d.whole(), d.skip1 and d.skip2, and the same entries as
   * add(), written inline: this is the index build's hot loop (600,000 entries), and it runs in a fresh process,
   * before the JIT has compiled anything, where each call costs.
   */
  addDeletions(d: Deletions, value: number, pairs: boolean): void {
    const a = scratch;
    const { n, w } = d;
    const { hashes, values, next, heads } = this;
    const mask = heads.length - 1;
    let at = this.length;
    const put = pairs ? (n * (n - 1)) / 2 : n + 1;
    if (at + put > hashes.length) throw new Error('look-alike table sized too small');
    for (let i = pairs ? 0 : -1; i < n; i++) {
      for (let j = pairs ? i + 1 : n; j < (pairs ? n : n + 1); j++) {
        // i = -1: the whole string; j = n: position i removed; otherwise positions i < j removed.
        let h = i < 0 ? a[n] : j === n ? (Math.imul(a[i], a[2 * w + n - 1 - i]) + a[w + i + 1]) >>> 0 : (Math.imul(a[i], a[2 * w + n - 2 - i]) + Math.imul((a[w + i + 1] - a[w + j]) >>> 0, B_INV) + a[w + j + 1]) >>> 0;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h = (h ^ (h >>> 16)) >>> 0;
        hashes[at] = h;
        values[at] = value;
        const b = h & mask;
        next[at] = heads[b];
        heads[b] = at++;
      }
    }
    this.length = at;
  }

  /**
   * Calls `each` with every value stored under this hash, in the order they were added. A chain runs from the newest
   * entry down, so matches are gathered and replayed backwards; a walk takes at most as many steps as there are
   * entries, whatever a damaged cache file holds.
   */
  find(hash: number, each: (value: number) => void): void {
    const { hashes, values, next } = this;
    const n = this.length;
    let found: number[] | undefined;
    for (let i = this.heads[hash & (this.heads.length - 1)], steps = 0; i >= 0 && i < n && steps < n; i = next[i], steps++) if (hashes[i] === hash) (found ??= []).push(values[i]);
    if (found) for (let k = found.length - 1; k >= 0; k--) each(found[k]);
  }
}

/**
 * What a {@link SquatIndex} builds from the popular names, as plain data that structured clone keeps (typed arrays and
 * one string list): stored in the result cache so that a scan does not build the index again
 * (rules/typosquat-package.ts). The popular and distinct names themselves are not part of it: a restored index is
 * given them again, and the names must match.
 */
export interface SquatIndexState {
  names: string[];
  del1: HashTableState;
  del2: HashTableState;
  separatorless: HashTableState;
  homoglyph: HashTableState;
  scoped: HashTableState;
  scopedBare: HashTableState;
}

const TABLES = ['del1', 'del2', 'separatorless', 'homoglyph', 'scoped', 'scopedBare'] as const;

/** The four unscoped spellings of "@scope/name" that scope-confusion recognises, by number (see SquatIndex.scoped). */
function flatForm(name: string, form: number): string {
  const slash = name.indexOf('/');
  const scope = name.slice(1, slash);
  return scope + ['-', '', '.', '_'][form] + name.slice(slash + 1);
}

/**
 * Candidates come from hash tables over the popular names (see {@link HashTable}):
 *  - del1, del2: SymSpell deletion indexes — each popular name of MIN_EDIT_LEN - 1 or more characters with its
 *    one-deletion variants, and unscoped names of TWO_EDIT_LEN - 1 or more characters with a download count with their
 *    two-deletion variants (two strings within one or two edits share such a variant);
 *  - separatorless, homoglyph: the name with separators removed, and with homoglyphs folded too;
 *  - scoped: "@scope/name" flattened into "scope-name", "scopename", "scope.name", "scope_name" (value: name × 4 +
 *    spelling; the hyphen spelling is left out for a scope with an unscoped family);
 *  - scopedBare: scoped names by their name after the scope.
 * As Maps of strings the indexes took 150–280 ms to build and 25 ms to read back from the cache; as sorted typed arrays
 * 110–120 ms in a fresh process (the radix sort and a call per entry, run before the JIT warmed up); as chained typed
 * arrays filled inline, 70–80 ms, and about 6 ms to read back.
 */
export class SquatIndex {
  private readonly popular: ReadonlyMap<string, number>;
  private readonly distinct: ReadonlySet<string>;
  private readonly names: string[];
  private readonly del1: HashTable;
  private readonly del2: HashTable;
  private readonly separatorless: HashTable;
  private readonly homoglyph: HashTable;
  private readonly scoped: HashTable;
  private readonly scopedBare: HashTable;

  /**
   * An index from {@link SquatIndex.state}, for the same popular names (in the same order) and distinct names as the
   * one that made it; throws on anything else.
   */
  static restore(state: SquatIndexState, popular: PopularNames, distinct: Iterable<string> = []): SquatIndex {
    const names = [...popular.npm.keys()];
    if (!Array.isArray(state?.names) || state.names.length !== names.length || state.names.some((n, i) => n !== names[i])) throw new Error('not a look-alike index of these names');
    const tables = Object.fromEntries(TABLES.map((t) => [t, HashTable.restore(state[t])]));
    return Object.assign(Object.create(SquatIndex.prototype) as SquatIndex, { popular: popular.npm, distinct: new Set(distinct), names, ...tables });
  }

  state(): SquatIndexState {
    // The same table list restore() reads back.
    return { names: this.names, ...Object.fromEntries(TABLES.map((t) => [t, this[t].state()])) } as SquatIndexState;
  }

  constructor(popular: PopularNames, distinct: Iterable<string> = []) {
    this.popular = popular.npm;
    this.distinct = new Set(distinct);
    this.names = [...this.popular.keys()];
    // 4 × names must fit the 32-bit values of the scoped table.
    if (this.names.length >= 2 ** 30) throw new Error(`${this.names.length} popular names is more than the look-alike index holds`);
    // Sizes first (the tables are not growable), then one pass that hashes every variant straight into them.
    const oneEdit = (name: string) => name.length >= MIN_EDIT_LEN - 1;
    // Two edits only against the most downloaded names (those with a count): two edits from a merely high-impact
    // name is mostly another word, and their two-deletion variants would triple the index (and its build time).
    const twoEdits = (name: string) => name.length >= TWO_EDIT_LEN - 1 && !name.startsWith('@') && (this.popular.get(name) ?? 0) > 0;
    let n1 = 0;
    let n2 = 0;
    let scopedCount = 0;
    let flatForms = 0;
    // The hyphen spelling is left out for a scope with an unscoped family (babel-register is not @babel/register's squat).
    const firstForm = (name: string) => (this.unscopedFamily(name.slice(1, name.indexOf('/'))) ? 1 : 0);
    for (const name of this.names) {
      if (oneEdit(name)) n1 += name.length + 1;
      if (twoEdits(name)) n2 += (name.length * (name.length - 1)) / 2;
      if (name.startsWith('@')) {
        scopedCount++;
        flatForms += 4 - firstForm(name);
      }
    }
    const del1 = HashTable.sized(n1);
    const del2 = HashTable.sized(n2);
    const separatorless = HashTable.sized(this.names.length);
    const homoglyph = HashTable.sized(this.names.length);
    const scoped = HashTable.sized(flatForms);
    const scopedBare = HashTable.sized(scopedCount);
    for (let idx = 0; idx < this.names.length; idx++) {
      const name = this.names[idx];
      separatorless.add(hashSeparatorless(name), idx);
      homoglyph.add(hashFolded(name), idx);
      if (name.startsWith('@')) {
        for (let form = firstForm(name); form < 4; form++) scoped.add(hashOf(flatForm(name, form)), idx * 4 + form);
        scopedBare.add(hashOf(name.slice(name.indexOf('/') + 1)), idx);
      }
      const one = oneEdit(name);
      const two = twoEdits(name);
      if (!one && !two) continue;
      const d = new Deletions(name);
      if (one) del1.addDeletions(d, idx, false);
      if (two) del2.addDeletions(d, idx, true);
    }
    this.del1 = del1;
    this.del2 = del2;
    this.separatorless = separatorless;
    this.homoglyph = homoglyph;
    this.scoped = scoped;
    this.scopedBare = scopedBare;
  }

  /** Popular names whose key (keyOf) equals `key`, in list order. */
  private namesBy(table: HashTable, key: string, keyOf: (name: string) => string): string[] {
    const out: string[] = [];
    table.find(hashOf(key), (v) => {
      if (keyOf(this.names[v]) === key) out.push(this.names[v]);
    });
    return out;
  }

  /** The scoped popular name that flattens to this name ("types-node" → "@types/node"); the last in list order wins. */
  private scopedFlat(name: string): string | undefined {
    let found: string | undefined;
    this.scoped.find(hashOf(name), (v) => {
      const target = this.names[Math.floor(v / 4)];
      if (flatForm(target, v % 4) === name) found = target;
    });
    return found;
  }

  /** Add every popular name that has a variant with one of these hashes. */
  private collect(table: HashTable, hashes: Iterable<number>, out: Set<string>): void {
    for (const h of hashes) table.find(h, (v) => out.add(this.names[v]));
  }

  private familySize?: Map<string, number>;
  /** Is "<scope>-…" an established unscoped namespace (UNSCOPED_FAMILY_MIN popular names start with it)? */
  private unscopedFamily(scope: string): boolean {
    if (!this.familySize) {
      this.familySize = new Map();
      for (const p of this.popular.keys()) {
        if (p.startsWith('@')) continue;
        for (let i = p.indexOf('-'); i > 0; i = p.indexOf('-', i + 1)) this.familySize.set(p.slice(0, i), (this.familySize.get(p.slice(0, i)) ?? 0) + 1);
      }
    }
    return (this.familySize.get(scope) ?? 0) >= UNSCOPED_FAMILY_MIN;
  }

  /**
   * A name within typo reach of a popular one that is nevertheless built as a name of its own (both cases are common
   * for long-established packages, while lures copy a name nearly letter for letter):
   *  - the same stem with another language tag: "bcrypt-ts" next to "bcryptjs", "lovable-ts" next to "lovable-js" (a
   *    port to TypeScript or JavaScript names itself that way);
   *  - an established name plus a word of its own, one edit from a different popular name: "esm-utils" is esm's utils,
   *    not a slip on "esutils" (a target that starts with the same established word, vite-plugin-svgr, is still a typo).
   * Brand names plus a lure suffix (is-buffer-validator) are judged by the brand-suffix check, not here.
   */
  private ownName(name: string, target: string, distance: number): string | undefined {
    const tag = /^(.{3,}?)[-.]?([jt]s)$/;
    const a = tag.exec(name);
    const b = tag.exec(target);
    if (a && b && a[1] === b[1] && a[2] !== b[2]) return `the same name "${a[1]}" with another language tag ("${b[2]}" → "${a[2]}"), a port rather than a typo`;
    if (distance !== 1) return undefined;
    for (let i = name.search(/[-_.]/); i >= 0; ) {
      const word = name.slice(0, i);
      if (word.length >= 3 && !target.startsWith(word) && this.isPopular(word)) return `it is the established name "${word}" plus a word of its own ("${name.slice(i + 1)}")`;
      const next = name.slice(i + 1).search(/[-_.]/);
      i = next < 0 ? -1 : i + 1 + next;
    }
    return undefined;
  }

  isPopular(name: string): boolean {
    return this.popular.has(name) || this.distinct.has(name);
  }

  /**
   * The best look-alike of a name that is not itself popular, or undefined. A name longer than npm allows (214
   * characters) cannot be published, so it imitates nothing; and its two-deletion variants would be quadratic in it.
   */
  check(name: string): SquatMatch | undefined {
    if (name.length > MAX_NPM_NAME || this.isPopular(name)) return undefined;
    const dl = (t: string) => this.popular.get(t) ?? 0;
    const best = (targets: string[], kind: SquatKind, distance?: number): SquatMatch | undefined => {
      const t = targets.filter((x) => x !== name).sort((a, b) => dl(b) - dl(a))[0];
      return t ? { target: t, kind, distance, targetDownloads: dl(t) } : undefined;
    };
    const flatScoped = this.scopedFlat(name);
    if (flatScoped) return { target: flatScoped, kind: 'scope-confusion', targetDownloads: dl(flatScoped) };
    if (name.startsWith('@')) {
      // "@typescirpt-eslint/parser": a scope one edit from a popular scope, same package name.
      const slash = name.indexOf('/');
      const scope = name.slice(1, slash);
      const bare = name.slice(slash + 1);
      for (const p of this.namesBy(this.scopedBare, bare, (n) => n.slice(n.indexOf('/') + 1))) {
        const ps = p.slice(1, p.indexOf('/'));
        if (ps !== scope && ps.length >= 4 && osaDistance(ps, scope, 1) <= 1) return { target: p, kind: 'scope-confusion', distance: 1, targetDownloads: dl(p) };
      }
      return undefined; // other scoped names: a scope is an owner, not a look-alike
    }
    const sep = best(this.namesBy(this.separatorless, stripSeparators(name), stripSeparators), 'separator');
    if (sep) return sep;
    const fold = (n: string) => foldHomoglyphs(stripSeparators(n));
    const homo = best(this.namesBy(this.homoglyph, fold(name), fold), 'homoglyph');
    if (homo && /[01|5]|rn|vv/.test(name)) return homo;
    // Edit candidates (one edit; two for long names). Typo-shaped ones win; the others are kept as a weak fallback.
    let weak: SquatMatch | undefined;
    if (name.length >= MIN_EDIT_LEN) {
      const cands = new Set<string>();
      // The name and its one-deletion variants against the popular names and theirs (within one edit); long names
      // also with their two-deletion variants, against both indexes (within two edits).
      const d = new Deletions(name);
      const hashes = new Set<number>([d.whole()]);
      for (let i = 0; i < name.length; i++) hashes.add(d.skip1(i));
      this.collect(this.del1, hashes, cands);
      if (name.length >= TWO_EDIT_LEN) {
        for (let i = 0; i < name.length; i++) for (let j = i + 1; j < name.length; j++) hashes.add(d.skip2(i, j));
        this.collect(this.del1, hashes, cands);
        this.collect(this.del2, hashes, cands);
      }
      let strong: SquatMatch | undefined;
      const better = (m: SquatMatch, than?: SquatMatch) => !than || m.distance! < than.distance! || (m.distance === than.distance && m.targetDownloads > than.targetDownloads);
      for (const c of cands) {
        if (c === name || c.startsWith('@')) continue;
        const osa = osaDistance(name, c, 2);
        if (osa > 2 || (osa === 2 && (name.length < TWO_EDIT_LEN || c.length < TWO_EDIT_LEN - 1))) continue;
        const shape = typoShape(name, c);
        if (!shape.otherWord) {
          const other = this.ownName(name, c, shape.distance);
          if (other) shape.otherWord = other;
        }
        const m: SquatMatch = { target: c, kind: 'edit-distance', distance: shape.otherWord ? osa : shape.distance, targetDownloads: dl(c), otherWord: shape.otherWord };
        if (shape.otherWord) {
          if (better(m, weak)) weak = m;
        } else if (better(m, strong)) strong = m;
      }
      if (strong) return strong;
    }
    for (const suffix of BRAND_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const brand = name.slice(0, -suffix.length);
      if (brand.length >= 4 && this.popular.has(brand)) return { target: brand, kind: 'brand-suffix', targetDownloads: dl(brand) };
    }
    return weak;
  }
}
