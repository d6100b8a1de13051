/**
 * Region analysis of large bundles (issue 19): instead of parsing two megabytes of vendor code to analyse the few
 * places the prefilter pointed at, find the code around each place and parse only that.
 *
 * acorn's tokenizer reads the bundle once (it tells a regular expression from a division, and a template's `${`
 * from a brace, as its parser does) and matches brackets. Each place of interest ("hit") is then covered by
 * - the largest function around it of at most REGION_MAX characters (a module of a webpack bundle, a component, a
 *   helper): `function …(…) {…}` or an arrow with a block body; or, when no function that small holds it (the top
 *   level of a scope-hoisted bundle, the body of a huge wrapper),
 * - whole statements (or declarators, or sequence members) of the block or top level that holds it, split at its
 *   own `;` and `,` and at the end of a block or function that ends a statement, and widened by neighbours to about
 *   STATEMENT_CONTEXT characters each side.
 * Every region is parsed by Babel at its own offset (`startIndex`, `startLine`, `startColumn`), so line numbers and
 * offsets are those of the file. The regions are then put together as the file nests them: regions of the top
 * level go in the synthetic Program's body; regions inside a large function or method go in a function (that
 * nothing calls: its code does not run at import) holding the regions of that function, blocks in blocks. So a
 * binding written in one region (`const vm = require("vm")` in a module's body) is in scope where another region
 * uses it, as in the file.
 *
 * Anything unexpected gives `undefined`, and the caller parses the whole file as before: a tokenizer error,
 * unbalanced brackets, nesting deeper than MAX_DEPTH, a region Babel cannot parse on its own, a region over its size
 * bound, more than MAX_HITS places, or regions that add up to more than MAX_SHARE of the file (no saving left).
 */
import { tokenizer, tokTypes as tt, type Token as AcornToken, type TokenType } from 'acorn';
import { parse, parseExpression, type ParserOptions, type ParserPlugin } from '@babel/parser';
import { LENIENT, type Node } from './parse.js';
import { LineIndex } from '../text.js';

/** Bundles at least this large are analysed by region (an object, so that tests can compare with whole files). */
export const REGIONS = { minChars: 128 * 1024 };
/** The largest function taken whole as a region. */
const REGION_MAX = 64 * 1024;
/**
 * The largest statement region: more than a function, since one long string literal (an embedded base64 blob)
 * makes a statement long but costs one token; MAX_SHARE bounds what all regions cost together.
 */
const STATEMENT_MAX = 256 * 1024;
/** Statement regions take neighbouring statements up to this many characters on each side of the hit. */
const STATEMENT_CONTEXT = 2 * 1024;
/**
 * Regions covering more of the file than this are not worth it: the whole file is parsed. Measured on the 60 bundles
 * of 128 KiB or more in the evaluation corpus and verdaccio's node_modules (docs/BENCHMARKS.md, issue 19, seventh
 * round): every bundle whose regions held up to 56 % of it cost 0.29–0.78 of its whole-file analysis by region, and
 * from 59 % some cost more than the whole (axios 1.5–1.7×, pako 1.0–1.1×): the tokenizing pass and the nesting no
 * longer pay. Half the file keeps a margin below that.
 */
const MAX_SHARE = 0.5;
/** More places than this: the whole file is parsed (and the work per place stays bounded on hostile input). */
const MAX_HITS = 4000;
/** Brackets open at once: deeper nesting is hostile or generated, and Babel's recursion would not take it either. */
const MAX_DEPTH = 1000;
/** Neighbouring statements a statement region takes at most on each side. */
const MAX_NEIGHBOURS = 32;

/** acorn's tokens carry their value (a name's text), which its type declarations leave out. */
type Token = AcornToken & { value?: unknown };

/** A block, a function body or the top level: a list of statements. */
interface Container {
  id: number;
  parent: number;
  start: number;
  end: number;
  /** A function's or method's body (its code runs when called), not a block of the code around it. */
  fnBody: boolean;
  /** Where the next statement may start (just past a `;`, `,` or statement-ending `}`), and where the one before ends. */
  seps: number[];
  ends: number[];
  hits: number[];
}

interface Frame {
  /** 1 paren, 2 brace, 3 bracket. */
  kind: 1 | 2 | 3;
  /** Paren: where a `function` whose parameters these are starts (-1: none); brace: where its function starts. */
  fn: number;
  /** Paren: where an arrow whose parameters these are would start. */
  arrow: number;
  /** Paren: follows `if`, `for`, `while`, `switch`, `catch` or `with` (its brace is a block, not a method body). */
  control?: boolean;
  /** Paren: the `function` keyword begins a statement (a declaration). */
  decl?: boolean;
  /** Paren: where it is, and whether it holds a call's arguments (`f(`, `a.b(`, `g()(`). */
  open?: number;
  call?: boolean;
  container?: Container;
  /** The innermost container open at this frame (its own, for a block), so that finding it costs nothing. */
  inner: Container;
}

interface Region {
  start: number;
  end: number;
  /** The container the region is a part of. */
  in: number;
  fn: boolean;
  /** A function declaration: parsed as a statement, so that its name is hoisted as in the file. */
  decl?: boolean;
  /** A function called where it is written (`(function () {…})()`). */
  iife?: boolean;
}

export interface Regions {
  program: Node;
  /** Characters parsed. */
  chars: number;
  count: number;
}

const CONTROL = new Set<TokenType>([tt._if, tt._for, tt._while, tt._switch, tt._catch, tt._with]);
/** Tokens a callee ends with: a `(` after one of them opens a call's arguments. */
const CALLEE_END = new Set<TokenType>([tt.name, tt.parenR, tt.bracketR, tt.string, tt.backQuote, tt._this, tt._super, tt._import]);

/** A brace after these opens a block (statements), not an object literal or pattern. */
function opensBlock(prev: Token | undefined): boolean {
  if (!prev) return true;
  const t = prev.type;
  return t === tt.semi || t === tt.braceL || t === tt.braceR || t === tt.parenR || t === tt.arrow || t === tt._else || t === tt._try || t === tt._finally || t === tt._do;
}

/** A token after which a statement may begin. */
function endsStatement(prev: Token | undefined): boolean {
  return !prev || prev.type === tt.semi || prev.type === tt.braceL || prev.type === tt.braceR;
}

/** Tokens that cannot continue the statement before them, after a `}` that could end it. */
function startsStatement(ty: TokenType): boolean {
  if (ty === tt._else || ty === tt._catch || ty === tt._finally || ty === tt._while || ty === tt._in || ty === tt._instanceof) return false;
  if (ty.keyword) return true;
  return ty === tt.name || ty === tt.string || ty === tt.num || ty === tt.regexp || ty === tt.braceL || ty === tt.prefix || ty === tt.privateId;
}

/** Index of the first element greater than x. */
function upperBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] <= x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** The statements of `c` around `hit`, widened by whole neighbours (never by one that would pass 4× the context). */
function statementsAround(c: Container, hit: number): { start: number; end: number } {
  const { seps, ends } = c;
  const i = upperBound(seps, hit);
  let li = i - 1;
  let left = li >= 0 ? seps[li] : c.start;
  while (li >= 0 && hit - left < STATEMENT_CONTEXT && i - li <= MAX_NEIGHBOURS) {
    const next = li > 0 ? seps[li - 1] : c.start;
    if (hit - next > 4 * STATEMENT_CONTEXT) break;
    left = next;
    li--;
  }
  let ri = i;
  let right = ri < ends.length ? ends[ri] : c.end;
  while (ri < ends.length && right - hit < STATEMENT_CONTEXT && ri - i < MAX_NEIGHBOURS) {
    const next = ri + 1 < ends.length ? ends[ri + 1] : c.end;
    if (next - hit > 4 * STATEMENT_CONTEXT) break;
    right = next;
    ri++;
  }
  return { start: left, end: right };
}

interface Scanned {
  containers: Container[];
  /** Function spans with the container they are written in. */
  fns: (Region & { fn: true })[];
}

/** One pass of acorn's tokenizer: containers (with the hits inside them) and function spans. `hits` sorted. */
function scan(text: string, hits: number[]): Scanned | undefined {
  const scanner = new Scanner(text, hits);
  try {
    const tokens = tokenizer(text, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true });
    for (const t of tokens as Iterable<Token>) if (!scanner.token(t)) return undefined;
  } catch {
    return undefined;
  }
  return scanner.finish();
}

/**
 * scan()'s state between tokens, with a method for each kind of token that changes it. Methods rather than one loop
 * body: V8's optimising compiler inlines acorn's tokenizer into the loop, and a token kind or path the compiled code had
 * not met threw the whole of it away — four recompilations of ~40 ms each on verdaccio's bundles; now a new path
 * costs the recompilation of the small method it is in.
 */
class Scanner {
  readonly containers: Container[] = [];
  readonly fns: Scanned['fns'] = [];
  private readonly top: Container;
  private readonly stack: Frame[];
  /** The four tokens before this one, the nearest first. */
  private p1: Token | undefined;
  private p2: Token | undefined;
  private p3: Token | undefined;
  private p4: Token | undefined;
  private lastParen: Frame | undefined;
  private arrowStart = -1;
  private iife: { fn: Region; step: number } | undefined;
  private pendingSep: { container: Container; at: number } | undefined;
  /** The next hit to place. */
  private h = 0;

  constructor(
    private readonly text: string,
    private readonly hits: number[],
  ) {
    this.top = this.newContainer(-1, 0, false);
    this.stack = [{ kind: 2, fn: -1, arrow: -1, container: this.top, inner: this.top }];
  }

  private newContainer(parent: number, start: number, fnBody: boolean): Container {
    const c: Container = { id: this.containers.length, parent, start, end: this.text.length, fnBody, seps: [], ends: [], hits: [] };
    this.containers.push(c);
    return c;
  }

  private innermost(): Container {
    return this.stack[this.stack.length - 1].inner;
  }

  /** Takes the next token; false when the scan cannot go on (the caller then parses the whole file). */
  token(t: Token): boolean {
    // Hits up to the end of this token belong to the innermost block, body or top level open here.
    while (this.h < this.hits.length && this.hits[this.h] < t.end) this.innermost().hits.push(this.hits[this.h++]);
    const ty = t.type;
    if (this.stack.length > MAX_DEPTH) return false;
    if (this.pendingSep) this.separateAfterBlock(ty);
    if (this.iife) this.afterFunction(ty);
    if (ty === tt.parenL) this.openParen(t);
    else if (ty === tt.parenR) {
      const f = this.stack.pop();
      if (!f || f.kind !== 1) return false;
      this.lastParen = f;
    } else if (ty === tt.arrow) this.arrow();
    else if (ty === tt.braceL || ty === tt.dollarBraceL) this.openBrace(t);
    else if (ty === tt.braceR) {
      if (!this.closeBrace(t)) return false;
    } else if (ty === tt.bracketL) this.stack.push({ kind: 3, fn: -1, arrow: -1, inner: this.innermost() });
    else if (ty === tt.bracketR) {
      const f = this.stack.pop();
      if (!f || f.kind !== 3) return false;
    } else if (ty === tt.semi || ty === tt.comma) {
      const c = this.stack[this.stack.length - 1].container;
      if (c) {
        c.seps.push(t.end);
        c.ends.push(t.start);
      }
    }
    this.p4 = this.p3;
    this.p3 = this.p2;
    this.p2 = this.p1;
    this.p1 = t;
    return true;
  }

  /** After the last token: the containers and function spans, or undefined when brackets are left open. */
  finish(): Scanned | undefined {
    if (this.stack.length !== 1) return undefined;
    while (this.h < this.hits.length) this.top.hits.push(this.hits[this.h++]);
    return { containers: this.containers, fns: this.fns };
  }

  /**
   * After a block or body that may end a statement of its container: the next token starts a new statement unless
   * it continues this one (`else`, `.call(`, `, next`, an operator).
   */
  private separateAfterBlock(ty: TokenType): void {
    const pending = this.pendingSep!;
    if (startsStatement(ty)) {
      pending.container.seps.push(pending.at);
      pending.container.ends.push(pending.at);
    }
    this.pendingSep = undefined;
  }

  /**
   * A function followed by `(`, or by `)(` closing a paren around it, is called where it is written, as facts.ts
   * counts an IIFE (`.call(this)` is not one there either).
   */
  private afterFunction(ty: TokenType): void {
    const iife = this.iife!;
    const step = iife.step;
    iife.step = -1;
    if (ty === tt.parenL && step <= 1) iife.fn.iife = true;
    // `)` only when it closes a paren written around the function (`(function () {…})()`), not a call's
    // (`a(function () {…})(b)` passes the function to `a`).
    else if (ty === tt.parenR && step <= 1 && this.wraps(this.stack[this.stack.length - 1], iife.fn.start)) iife.step = 1;
    if (iife.step < 0) this.iife = undefined;
  }

  private wraps(f: Frame, fnStart: number): boolean {
    return f.kind === 1 && !f.call && f.open !== undefined && /^\s*$/.test(this.text.slice(f.open + 1, fnStart));
  }

  private openParen(t: Token): void {
    const { p1, p2, p3, p4 } = this;
    // `function (`, `function name (`, `function* name (`, and `async` before any of them.
    let kw: Token | undefined;
    let before: Token | undefined;
    let before2: Token | undefined;
    if (p1?.type === tt._function) [kw, before, before2] = [p1, p2, p3];
    else if ((p1?.type === tt.name || p1?.type === tt.star) && p2?.type === tt._function) [kw, before, before2] = [p2, p3, p4];
    else if (p1?.type === tt.name && p2?.type === tt.star && p3?.type === tt._function) [kw, before, before2] = [p3, p4, undefined];
    const isAsync = before?.type === tt.name && before.value === 'async';
    const fn = !kw ? -1 : isAsync ? before!.start : kw.start;
    const decl = !!kw && p1?.type === tt.name && endsStatement(isAsync ? before2 : before);
    this.stack.push({ kind: 1, fn, decl, inner: this.innermost(), open: t.start, call: !!p1 && CALLEE_END.has(p1.type), arrow: p1?.type === tt.name && p1.value === 'async' ? p1.start : t.start, control: !!p1 && CONTROL.has(p1.type) });
  }

  private arrow(): void {
    const { p1, p2 } = this;
    if (p1?.type === tt.parenR && this.lastParen) this.arrowStart = this.lastParen.arrow;
    else if (p1?.type === tt.name) this.arrowStart = p2?.type === tt.name && p2.value === 'async' ? p2.start : p1.start;
    else this.arrowStart = -1;
  }

  private openBrace(t: Token): void {
    const p1 = this.p1;
    const ty = t.type;
    let fn = -1;
    let fnBody = false;
    let decl = false;
    if (ty === tt.braceL && p1?.type === tt.parenR && this.lastParen) {
      fn = this.lastParen.fn;
      decl = !!this.lastParen.decl;
      // After `)`: a function's body, a method's body (`name(…) {`), or a block of `if (…) {`.
      fnBody = fn >= 0 || !this.lastParen.control;
    } else if (ty === tt.braceL && p1?.type === tt.arrow) {
      fn = this.arrowStart;
      fnBody = true;
    }
    const block = ty === tt.braceL && opensBlock(p1);
    const container = block ? this.newContainer(this.innermost().id, t.end, fnBody) : undefined;
    this.stack.push({ kind: 2, fn, arrow: -1, decl, inner: container ?? this.innermost(), ...(container ? { container } : {}) });
  }

  private closeBrace(t: Token): boolean {
    const f = this.stack.pop();
    if (!f || f.kind !== 2 || !this.stack.length) return false;
    const parent = this.innermost();
    if (f.container) {
      f.container.end = t.start;
      if (this.stack[this.stack.length - 1].container) this.pendingSep = { container: parent, at: t.end };
    }
    if (f.fn >= 0) {
      const span: Region & { fn: true } = { start: f.fn, end: t.end, in: parent.id, fn: true, decl: f.decl };
      this.fns.push(span);
      this.iife = { fn: span, step: 0 };
    }
    return true;
  }
}

/**
 * Errors a region gives only because its context is cut away: a private name of the enclosing class, a `break`
 * or `continue` of an enclosing loop or label. Any other error means the region was cut wrong: no region analysis.
 */
const CONTEXT_ERRORS = new Set(['InvalidPrivateFieldResolution', 'IllegalBreakContinue', 'UnknownLabel']);

function onlyContextErrors(errors: unknown): boolean {
  return !Array.isArray(errors) || errors.every((e: { reasonCode?: string }) => !!e.reasonCode && CONTEXT_ERRORS.has(e.reasonCode));
}

/** The regions to parse: one per hit, overlapping ones merged; undefined when one is too large. */
function chooseRegions(text: string, hits: number[], scanned: Scanned): Region[] | undefined {
  // Outermost functions of at most REGION_MAX characters: by start, longer first, nested ones skipped.
  const fns = scanned.fns.filter((s) => s.end - s.start <= REGION_MAX).sort((a, b) => a.start - b.start || b.end - a.end);
  const outer: Region[] = [];
  for (const s of fns) if (!outer.length || s.start >= outer[outer.length - 1].end) outer.push(s);
  const starts = outer.map((s) => s.start);
  const wanted: Region[] = [];
  for (const c of scanned.containers)
    for (const hit of c.hits) {
      const i = upperBound(starts, hit) - 1;
      if (i >= 0 && outer[i].end > hit) wanted.push(outer[i]);
      else {
        const st = statementsAround(c, hit);
        if (st.end - st.start > STATEMENT_MAX) return undefined;
        wanted.push({ ...st, in: c.id, fn: false });
      }
    }
  // Regions are nested or apart, except statement regions of one container widened into each other: a union is
  // statements of the container of the region that starts first (the outer one).
  wanted.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Region[] = [];
  for (const r of wanted) {
    const last = merged[merged.length - 1];
    if (!last || r.start >= last.end) merged.push({ ...r });
    else if (r.end > last.end || (r.start === last.start && r.fn !== last.fn)) {
      last.end = Math.max(last.end, r.end);
      last.fn = false;
      last.decl = last.iife = undefined;
    }
  }
  return merged.reduce((n, r) => n + r.end - r.start, 0) > MAX_SHARE * text.length ? undefined : merged;
}

/**
 * The regions of `text` around `hits` (offsets, any order), parsed into one Program (see the file comment).
 * Undefined when region analysis does not apply: the caller parses the whole file.
 */
export function parseRegions(text: string, hits: number[], plugins: ParserPlugin[]): Regions | undefined {
  if (!hits.length) return undefined;
  const sorted = [...new Set(hits)].sort((a, b) => a - b);
  if (sorted.length > MAX_HITS) return undefined;
  const scanned = scan(text, sorted);
  const regions = scanned && chooseRegions(text, sorted, scanned);
  if (!scanned || !regions) return undefined;
  const lines = new LineIndex(text);
  const options = (start: number): ParserOptions => {
    const pos = lines.position(start);
    return {
      startIndex: start,
      startLine: pos.line,
      // LineIndex counts columns from 1, Babel from 0.
      startColumn: pos.column - 1,
      // LENIENT recovers from errors instead of throwing, so that those of a cut context (a private name) can be told apart.
      ...LENIENT,
      sourceType: 'script',
      plugins,
    };
  };
  const syn = (from: Node, to: Node, type: string, fields: Record<string, unknown>): Node =>
    ({ type, start: from.start, end: to.end, loc: { start: from.loc.start, end: (to.loc as unknown as { end: unknown }).end }, ...fields }) as unknown as Node;
  // Parsed regions by container, in source order.
  const parts = new Map<number, Node[]>();
  const add = (c: number, nodes: Node[]): void => {
    const list = parts.get(c) ?? [];
    list.push(...nodes);
    parts.set(c, list);
  };
  try {
    for (const r of regions) {
      const code = text.slice(r.start, r.end);
      if (r.fn && !r.decl) {
        const fn = parseExpression(code, options(r.start)) as unknown as Node & { errors?: unknown };
        if (fn.end !== r.end || !onlyContextErrors(fn.errors)) return undefined;
        add(r.in, [syn(fn, fn, 'ExpressionStatement', { expression: r.iife ? syn(fn, fn, 'CallExpression', { callee: fn, arguments: [] }) : fn })]);
      } else {
        const file = parse(code, options(r.start));
        if (!onlyContextErrors(file.errors)) return undefined;
        const body = file.program.body as unknown as Node[];
        if (r.decl && (body.length !== 1 || body[0].type !== 'FunctionDeclaration')) return undefined;
        add(r.in, body);
      }
    }
  } catch {
    return undefined;
  }
  // Each container that holds regions, directly or below, becomes a block (a function's body: a function nothing
  // calls) inside its parent's, at its place in the source.
  const { containers } = scanned;
  for (const c of [...containers].reverse()) {
    const list = parts.get(c.id);
    if (!list?.length || c.parent < 0) continue;
    list.sort((a, b) => a.start - b.start);
    const block = syn(list[0], list[list.length - 1], 'BlockStatement', { body: list, directives: [] });
    add(c.parent, [c.fnBody ? syn(block, block, 'ExpressionStatement', { expression: syn(block, block, 'FunctionExpression', { id: null, params: [], body: block, generator: false, async: false }) }) : block]);
  }
  const body = (parts.get(0) ?? []).sort((a, b) => a.start - b.start);
  if (!body.length) return undefined;
  const program = syn(body[0], body[body.length - 1], 'Program', { body, directives: [], sourceType: 'script' });
  return { program, chars: regions.reduce((n, r) => n + r.end - r.start, 0), count: regions.length };
}
