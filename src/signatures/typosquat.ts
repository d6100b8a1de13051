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

/** FNV-1a of a string's UTF-16 code units, skipping up to two positions (-1: none), without building the string. */
function hashSkipping(s: string, skipA: number, skipB: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    if (i === skipA || i === skipB) continue;
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

interface DeletionIndexState {
  names: string[];
  keys: Float64Array;
}

/**
 * What a {@link SquatIndex} is made of, as plain data that structured clone keeps (Maps, Sets, typed arrays): stored in
 * the result cache so that a scan does not build the index again (rules/typosquat-package.ts).
 */
export interface SquatIndexState {
  popular: Map<string, number>;
  distinct: Set<string>;
  del1: DeletionIndexState;
  del2: DeletionIndexState;
  bySeparatorless: Map<string, string[]>;
  byHomoglyph: Map<string, string[]>;
  scoped: Map<string, string>;
}

/**
 * SymSpell deletion indexes of the popular names without a string per variant: each variant (the name itself and its
 * one- or two-character deletions) is its 32-bit hash times 2^20 plus the name's index — exact in a double below
 * 2^53 — in a sorted array searched by binary search. As Maps of strings the two indexes (~200,000 variants) took
 * 150–280 ms to build and most of a small scan's garbage; as numbers they take a few tens of milliseconds. A hash
 * collision only adds a candidate, which the edit-distance check then rejects.
 */
class DeletionIndex {
  private readonly keys: Float64Array;
  /** An index as {@link DeletionIndex.state} gave it (a structured clone of it). */
  static restore(state: DeletionIndexState): DeletionIndex {
    if (!Array.isArray(state?.names) || !(state.keys instanceof Float64Array)) throw new Error('not a deletion index');
    return Object.assign(Object.create(DeletionIndex.prototype) as DeletionIndex, { names: state.names, keys: state.keys });
  }

  state(): DeletionIndexState {
    return { names: this.names, keys: this.keys };
  }

  constructor(
    private readonly names: string[],
    deletions: 1 | 2,
  ) {
    // 2^32 × 2^20 stays below 2^53: exact for up to a million names.
    if (names.length >= 1_048_576) throw new Error(`${names.length} popular names is more than the look-alike index holds`);
    let n = 0;
    for (const name of names) n += deletions === 1 ? name.length + 1 : (name.length * (name.length - 1)) / 2;
    const out = new Float64Array(n);
    let k = 0;
    names.forEach((name, idx) => {
      if (deletions === 1) {
        out[k++] = hashSkipping(name, -1, -1) * 1_048_576 + idx;
        for (let i = 0; i < name.length; i++) out[k++] = hashSkipping(name, i, -1) * 1_048_576 + idx;
      } else for (let i = 0; i < name.length; i++) for (let j = i + 1; j < name.length; j++) out[k++] = hashSkipping(name, i, j) * 1_048_576 + idx;
    });
    this.keys = out.sort();
  }

  /** Add every name that has a variant with one of these hashes. */
  collect(hashes: Iterable<number>, out: Set<string>): void {
    const keys = this.keys;
    for (const h of hashes) {
      const base = h * 1_048_576;
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid] < base) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < keys.length && keys[i] < base + 1_048_576; i++) out.add(this.names[keys[i] - base]);
    }
  }
}

export class SquatIndex {
  private readonly popular: ReadonlyMap<string, number>;
  private readonly distinct: ReadonlySet<string>;
  /** Popular names of MIN_EDIT_LEN - 1 or more characters with their one-deletion variants. */
  private readonly del1: DeletionIndex;
  /** Unscoped popular names of TWO_EDIT_LEN - 1 or more characters with their two-deletion variants. */
  private readonly del2: DeletionIndex;
  private readonly bySeparatorless = new Map<string, string[]>();
  private readonly byHomoglyph = new Map<string, string[]>();
  private readonly scoped = new Map<string, string>();

  /** An index from {@link SquatIndex.state}; throws on anything else. */
  static restore(state: SquatIndexState): SquatIndex {
    if (!(state?.popular instanceof Map) || !(state.distinct instanceof Set) || !(state.bySeparatorless instanceof Map) || !(state.byHomoglyph instanceof Map) || !(state.scoped instanceof Map))
      throw new Error('not a look-alike index');
    return Object.assign(Object.create(SquatIndex.prototype) as SquatIndex, {
      popular: state.popular,
      distinct: state.distinct,
      del1: DeletionIndex.restore(state.del1),
      del2: DeletionIndex.restore(state.del2),
      bySeparatorless: state.bySeparatorless,
      byHomoglyph: state.byHomoglyph,
      scoped: state.scoped,
    });
  }

  state(): SquatIndexState {
    return {
      popular: this.popular as Map<string, number>,
      distinct: this.distinct as Set<string>,
      del1: this.del1.state(),
      del2: this.del2.state(),
      bySeparatorless: this.bySeparatorless,
      byHomoglyph: this.byHomoglyph,
      scoped: this.scoped,
    };
  }

  constructor(popular: PopularNames, distinct: Iterable<string> = []) {
    this.popular = popular.npm;
    this.distinct = new Set(distinct);
    const push = (m: Map<string, string[]>, k: string, v: string) => {
      const list = m.get(k);
      if (!list) m.set(k, [v]);
      else if (!list.includes(v)) list.push(v);
    };
    const editable: string[] = [];
    const long: string[] = [];
    for (const name of this.popular.keys()) {
      const bare = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
      push(this.bySeparatorless, stripSeparators(name), name);
      push(this.byHomoglyph, foldHomoglyphs(stripSeparators(name)), name);
      if (name.startsWith('@')) {
        const scope = name.slice(1, name.indexOf('/'));
        const family = this.unscopedFamily(scope);
        for (const flat of [`${scope}-${bare}`, `${scope}${bare}`, `${scope}.${bare}`, `${scope}_${bare}`])
          if (!(family && flat === `${scope}-${bare}`)) this.scoped.set(flat, name);
      }
      if (name.length >= MIN_EDIT_LEN - 1) editable.push(name);
      // Two edits only against the most downloaded names (those with a count): two edits from a merely high-impact
      // name is mostly another word, and their two-deletion variants would triple the index (and its build time).
      if (name.length >= TWO_EDIT_LEN - 1 && !name.startsWith('@') && (this.popular.get(name) ?? 0) > 0) long.push(name);
    }
    this.del1 = new DeletionIndex(editable, 1);
    this.del2 = new DeletionIndex(long, 2);
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

  /** The best look-alike of a name that is not itself popular, or undefined. */
  check(name: string): SquatMatch | undefined {
    if (this.isPopular(name)) return undefined;
    const dl = (t: string) => this.popular.get(t) ?? 0;
    const best = (targets: string[], kind: SquatKind, distance?: number): SquatMatch | undefined => {
      const t = targets.filter((x) => x !== name).sort((a, b) => dl(b) - dl(a))[0];
      return t ? { target: t, kind, distance, targetDownloads: dl(t) } : undefined;
    };
    const flatScoped = this.scoped.get(name);
    if (flatScoped) return { target: flatScoped, kind: 'scope-confusion', targetDownloads: dl(flatScoped) };
    if (name.startsWith('@')) {
      // "@typescirpt-eslint/parser": a scope one edit from a popular scope, same package name.
      const slash = name.indexOf('/');
      const scope = name.slice(1, slash);
      const bare = name.slice(slash + 1);
      for (const p of this.popular.keys()) {
        if (!p.startsWith('@') || p.slice(p.indexOf('/') + 1) !== bare) continue;
        const ps = p.slice(1, p.indexOf('/'));
        if (ps !== scope && ps.length >= 4 && osaDistance(ps, scope, 1) <= 1) return { target: p, kind: 'scope-confusion', distance: 1, targetDownloads: dl(p) };
      }
      return undefined; // other scoped names: a scope is an owner, not a look-alike
    }
    const sep = best(this.bySeparatorless.get(stripSeparators(name)) ?? [], 'separator');
    if (sep) return sep;
    const homo = best(this.byHomoglyph.get(foldHomoglyphs(stripSeparators(name))) ?? [], 'homoglyph');
    if (homo && /[01|5]|rn|vv/.test(name)) return homo;
    // Edit candidates (one edit; two for long names). Typo-shaped ones win; the others are kept as a weak fallback.
    let weak: SquatMatch | undefined;
    if (name.length >= MIN_EDIT_LEN) {
      const cands = new Set<string>();
      // The name and its one-deletion variants against the popular names and theirs (within one edit); long names
      // also with their two-deletion variants, against both indexes (within two edits).
      const hashes = new Set<number>([hashSkipping(name, -1, -1)]);
      for (let i = 0; i < name.length; i++) hashes.add(hashSkipping(name, i, -1));
      this.del1.collect(hashes, cands);
      if (name.length >= TWO_EDIT_LEN) {
        for (let i = 0; i < name.length; i++) for (let j = i + 1; j < name.length; j++) hashes.add(hashSkipping(name, i, j));
        this.del1.collect(hashes, cands);
        this.del2.collect(hashes, cands);
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
