/**
 * Look-alike names: is a package name one or two edits, a separator, a homoglyph, a scope or a brand suffix away
 * from a popular name? Candidates come from a deletion index (SymSpell style: two strings within one edit share a
 * one-deletion variant), so checking a name costs a few dozen map lookups, not 5,000 edit distances.
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
}

const BRAND_SUFFIXES = ['-sdk', '-validator', '-logger', '.js', '-js'];
/** Names shorter than this are only checked for homoglyphs and separators: two-letter names are all one edit apart. */
const MIN_EDIT_LEN = 5;
/** From this length, two edits still look like the target. */
const TWO_EDIT_LEN = 8;

function deletes1(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.slice(0, i) + s.slice(i + 1));
  return out;
}

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

const stripSeparators = (s: string) => s.replace(/[-_.]/g, '');
/** Characters that read alike in a package list: 1/l/i, 0/o, rn/m, vv/w, 5/s. */
export function foldHomoglyphs(s: string): string {
  return s.replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/[1i|]/g, 'l').replace(/0/g, 'o').replace(/5/g, 's');
}

export class SquatIndex {
  private readonly popular: ReadonlyMap<string, number>;
  private readonly distinct: ReadonlySet<string>;
  private readonly del1 = new Map<string, string[]>();
  private readonly del2 = new Map<string, string[]>();
  private readonly bySeparatorless = new Map<string, string[]>();
  private readonly byHomoglyph = new Map<string, string[]>();
  private readonly scoped = new Map<string, string>();

  constructor(popular: PopularNames, distinct: Iterable<string> = []) {
    this.popular = popular.npm;
    this.distinct = new Set(distinct);
    const push = (m: Map<string, string[]>, k: string, v: string) => {
      const list = m.get(k);
      if (!list) m.set(k, [v]);
      else if (!list.includes(v)) list.push(v);
    };
    for (const name of this.popular.keys()) {
      const bare = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
      push(this.bySeparatorless, stripSeparators(name), name);
      push(this.byHomoglyph, foldHomoglyphs(stripSeparators(name)), name);
      if (name.startsWith('@')) {
        const scope = name.slice(1, name.indexOf('/'));
        for (const flat of [`${scope}-${bare}`, `${scope}${bare}`, `${scope}.${bare}`, `${scope}_${bare}`]) this.scoped.set(flat, name);
      }
      if (name.length >= MIN_EDIT_LEN - 1) {
        push(this.del1, name, name);
        for (const d of deletes1(name)) push(this.del1, d, name);
      }
      if (name.length >= TWO_EDIT_LEN - 1 && !name.startsWith('@'))
        for (let i = 0; i < name.length; i++)
          for (let j = i + 1; j < name.length; j++) {
            const d2 = name.slice(0, i) + name.slice(i + 1, j) + name.slice(j + 1);
            const list = this.del2.get(d2);
            if (!list) this.del2.set(d2, [name]);
            else if (list[list.length - 1] !== name) list.push(name);
          }
    }
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
    if (name.length >= MIN_EDIT_LEN) {
      const cands = new Set<string>();
      for (const k of [name, ...deletes1(name)]) for (const c of this.del1.get(k) ?? []) cands.add(c);
      const one = [...cands].filter((c) => !c.startsWith('@') && osaDistance(name, c, 1) === 1);
      const hit = best(one, 'edit-distance', 1);
      if (hit) return hit;
    }
    if (name.length >= TWO_EDIT_LEN) {
      const cands = new Set<string>();
      const keys = [name, ...deletes1(name)];
      for (const d of deletes1(name)) keys.push(...deletes1(d));
      for (const k of keys) for (const c of [...(this.del2.get(k) ?? []), ...(this.del1.get(k) ?? [])]) cands.add(c);
      const two = [...cands].filter((c) => !c.startsWith('@') && c.length >= TWO_EDIT_LEN - 1 && osaDistance(name, c, 2) === 2);
      const hit = best(two, 'edit-distance', 2);
      if (hit) return hit;
    }
    for (const suffix of BRAND_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const brand = name.slice(0, -suffix.length);
      if (brand.length >= 4 && this.popular.has(brand)) return { target: brand, kind: 'brand-suffix', targetDownloads: dl(brand) };
    }
    return undefined;
  }
}
