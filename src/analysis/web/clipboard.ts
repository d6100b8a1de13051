/**
 * Which strings a script puts on the clipboard, and which strings it shows (THREATS T20). A small constant folder
 * over Babel ASTs, aimed at one question: what does this `writeText` / `execCommand('copy')` / `setData` copy?
 * It follows variables (function-scoped by name; top-level names are shared by every script of a page, as in a
 * browser), object and array members, the arguments local functions are called with, their return values, and the
 * decoders lures hide a command behind (atob, Buffer.from(…, 'base64'), String.fromCharCode, reversal, replace,
 * join). A value it cannot know (a prop, a network response, user input) is reported as dynamic, never guessed.
 * Nothing here runs scanned code. Everything is bounded: values per expression, string length, depth, steps, time.
 */
import type { Node } from '../js/parse.js';
import { decodeBase64, decodeCharCodes, reverse } from '../decode.js';
import { fragmentText } from './page.js';

export interface ScriptSource {
  program: Node;
  file: string;
  /** Added to Babel's line numbers: a `<script>` block starts further down its page. */
  lineOffset: number;
}

/** The text of an element of the page the scripts belong to, by id. */
export type ElementLookup = (id: string) => { text: string; visible: boolean } | undefined;

export interface CopiedValue {
  value: string;
  /** How the value was obtained, for the evidence: 'base64 decode', 'text of #cmd (hidden)' … */
  how: string[];
  /** The value is the text of an element the page shows. */
  shown?: boolean;
}

export interface ClipboardWrite {
  file: string;
  line: number;
  column: number;
  api: string;
  values: CopiedValue[];
  /** Part of what is copied could not be known statically. */
  dynamic: boolean;
  /** … because it comes from a network response. */
  network: boolean;
  /** … because it is the text of an element the analysis could not pin down: what the page shows (a code block). */
  pageText: boolean;
  /** The script could not be parsed: `values` are its string literals, any of which might be what is copied. */
  textLevel?: boolean;
}

export interface ScriptFacts {
  writes: ClipboardWrite[];
  /** Strings the scripts put on screen: JSX text and children, textContent/innerHTML, document.write. */
  displayed: string[];
}

const MAX_VALUES = 8;
const MAX_STR = 64 * 1024;
const MAX_DEPTH = 40;
/** Resolution steps for one clipboard write or displayed expression (memoised, so most writes take a few hundred). */
const MAX_STEPS = 50_000;

const COPY_LIBRARIES = new Set(['copy-to-clipboard', 'clipboard-copy', 'copy-text-to-clipboard', 'clipboardy', 'clipboard-polyfill']);
const ELEMENT_TEXT = new Set(['textContent', 'innerText', 'value', 'innerHTML', 'outerText']);
const DISPLAY_PROPS = new Set(['textContent', 'innerText', 'innerHTML', 'outerHTML']);
const JSX_FACTORIES = new Set(['createElement', 'h', 'jsx', 'jsxs', '_jsx', '_jsxs', 'jsxDEV', '_jsxDEV']);

interface Ref {
  node: Node;
  prog: number;
}

interface Fn {
  prog: number;
  node: Node;
  start: number;
  end: number;
  params: string[];
  returns: Ref[];
  /** The function around this one (set once every function of the script is known). */
  outer?: Fn;
}

interface Res {
  vals: CopiedValue[];
  dynamic: boolean;
  network: boolean;
  pageText: boolean;
}

const none = (): Res => ({ vals: [], dynamic: false, network: false, pageText: false });
const dyn = (network = false): Res => ({ vals: [], dynamic: true, network, pageText: false });
const pageText = (): Res => ({ vals: [], dynamic: true, network: false, pageText: true });
const lit = (value: string, how: string[] = [], shown?: boolean): Res => ({ vals: [{ value: value.slice(0, MAX_STR), how, shown }], dynamic: false, network: false, pageText: false });

function merge(...rs: Res[]): Res {
  const out = none();
  for (const r of rs) {
    out.dynamic ||= r.dynamic;
    out.network ||= r.network;
    out.pageText ||= r.pageText;
    for (const v of r.vals) if (out.vals.length < MAX_VALUES && !out.vals.some((o) => o.value === v.value)) out.vals.push(v);
  }
  return out;
}

/** Every combination of two results' values, joined by `f`. */
function combine(a: Res, b: Res, f: (x: string, y: string) => string): Res {
  const out: Res = { vals: [], dynamic: a.dynamic || b.dynamic, network: a.network || b.network, pageText: a.pageText || b.pageText };
  for (const x of a.vals) {
    for (const y of b.vals) {
      if (out.vals.length >= MAX_VALUES) break;
      const v = f(x.value, y.value);
      if (v.length <= MAX_STR) out.vals.push({ value: v, how: [...x.how, ...y.how], shown: x.shown && y.shown });
    }
  }
  return out;
}

function mapVals(r: Res, f: (s: string) => string | undefined, step?: string): Res {
  const out: Res = { vals: [], dynamic: r.dynamic, network: r.network, pageText: r.pageText };
  for (const v of r.vals) {
    const s = f(v.value);
    if (s === undefined) out.dynamic = true;
    else out.vals.push({ value: s.slice(0, MAX_STR), how: step ? [...v.how, step] : v.how });
  }
  return out;
}

function propName(n: Node): string | undefined {
  if (!n) return undefined;
  if (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') {
    if (!n.computed) return n.property.name;
    if (n.property.type === 'StringLiteral') return n.property.value;
  }
  return undefined;
}

function keyName(p: Node): string | undefined {
  if (p.computed) return p.key.type === 'StringLiteral' ? p.key.value : undefined;
  return p.key?.name ?? (typeof p.key?.value === 'string' ? p.key.value : undefined);
}

function unwrap(n: Node): Node {
  while (n && /^(?:TSAsExpression|TSNonNullExpression|TSTypeAssertion|TSSatisfiesExpression|ParenthesizedExpression|TypeCastExpression|AwaitExpression)$/.test(n.type)) n = n.expression ?? n.argument;
  return n;
}

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const k of Object.keys(n)) {
    if (k === 'loc' || k === 'type' || k === 'extra' || k === 'start' || k === 'end' || k.endsWith('Comments')) continue;
    const c = n[k];
    if (Array.isArray(c)) {
      for (const x of c) if (x && typeof x.type === 'string') out.push(x);
    } else if (c && typeof c === 'object' && typeof c.type === 'string') out.push(c);
  }
  return out;
}

const isFn = (n: Node): boolean => n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'ObjectMethod' || n.type === 'ClassMethod';

export class BudgetExceeded extends Error {}
/** One write took too many steps to resolve: it is reported as dynamic, and the next write starts afresh. */
class StepsExceeded extends Error {}

class Resolver {
  private fns: Fn[][] = [];
  private fnByName = new Map<string, Fn[]>();
  private fnByNode = new Map<Node, Fn>();
  private declared = new Set<string>();
  private bindings = new Map<string, Ref[]>();
  private appends = new Map<string, Ref[]>();
  /** `obj.key = value` and object literals bound to a name: scope key of the name → key → values. */
  private memberBindings = new Map<string, Map<string, Ref[]>>();
  /** Per script, its functions sorted by start (outer first on a tie): the scope chain of a position in O(log n). */
  private byStart: Fn[][] = [];
  /** `.value` / `.textContent` assignments (what a hidden textarea holds before `execCommand('copy')`). */
  private textAssigns: { ref: Ref; fn?: Fn }[] = [];
  /** Elements selected before a copy: `el.select()`, `range.selectNodeContents(el)`. */
  private selections: { ref: Ref; fn?: Fn }[] = [];
  private copyLibs = new Set<string>();
  private sinks: { ref: Ref; api: string; arg?: Ref; fn?: Fn; kind: 'arg' | 'execCommand' | 'clipboardjs' }[] = [];
  private displayRefs: { ref: Ref; html: boolean }[] = [];
  private displayedText: string[] = [];
  private steps = 0;

  constructor(
    private readonly sources: ScriptSource[],
    private readonly element: ElementLookup | undefined,
    private readonly deadline: number,
  ) {}

  run(): ScriptFacts {
    this.sources.forEach((s, i) => this.declare(s.program, i));
    this.sources.forEach((_, i) => this.nest(i));
    this.sources.forEach((s, i) => this.collect(s.program, i));
    const writes: ClipboardWrite[] = [];
    for (const s of this.sinks) {
      const src = this.sources[s.ref.prog];
      let r: Res;
      this.steps = 0;
      try {
        if (s.kind === 'execCommand') r = this.execCopy(s.fn, s.ref.prog);
        else if (s.kind === 'clipboardjs') r = s.arg ? this.textOption(s.arg) : dyn();
        else r = s.arg ? this.eval(s.arg, 0) : dyn();
      } catch (err) {
        if (!(err instanceof StepsExceeded)) throw err;
        // Only finished results are memoised, so what is there stays true for the next write.
        r = dyn();
      }
      const loc = s.ref.node.loc?.start;
      writes.push({ file: src.file, line: (loc?.line ?? 1) + src.lineOffset, column: (loc?.column ?? 0) + 1, api: s.api, values: r.vals.filter((v) => v.value.trim() !== ''), dynamic: r.dynamic, network: r.network, pageText: r.pageText });
    }
    const displayed = [...this.displayedText];
    for (const d of this.displayRefs) {
      this.steps = 0;
      try {
        for (const v of this.eval(d.ref, 0).vals) displayed.push(d.html ? fragmentText(v.value) : v.value);
      } catch (err) {
        if (!(err instanceof StepsExceeded)) throw err;
      }
    }
    return { writes, displayed };
  }

  /** One resolution step; the step budget is per clipboard write, the time budget for the whole run. */
  private tick(): void {
    if (++this.steps > MAX_STEPS) throw new StepsExceeded();
    this.clock();
  }

  private visited = 0;
  private clock(): void {
    if ((++this.visited & 1023) === 0 && Date.now() > this.deadline) throw new BudgetExceeded('clipboard analysis time limit reached');
  }

  // ── pass 1: functions and declarations ─────────────────────────────────────────────────────────────────────
  /** Every node in source order with its innermost enclosing function; iterative, so depth cannot overflow. */
  private walk(root: Node, prog: number, visit: (n: Node, fn: Fn | undefined) => void): void {
    const stack: { n: Node; fn: Fn | undefined }[] = [{ n: root, fn: undefined }];
    while (stack.length) {
      const { n, fn } = stack.pop()!;
      this.clock();
      visit(n, fn);
      const inner = isFn(n) ? this.fnOf(n, prog) : fn;
      const kids = children(n);
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ n: kids[i], fn: inner });
    }
  }

  private scope(prog: number, fn: Fn | undefined): string {
    return fn ? `${prog}:${fn.start}` : 'g';
  }

  /**
   * Functions nest (they are AST nodes), so sorting them by start and keeping a stack of the open ones gives each its
   * enclosing function; a position's innermost function is then found by binary search instead of a scan of all.
   */
  private nest(prog: number): void {
    const sorted = [...(this.fns[prog] ?? [])].sort((a, b) => a.start - b.start || b.end - a.end);
    const open: Fn[] = [];
    for (const f of sorted) {
      while (open.length && open[open.length - 1].end <= f.start) open.pop();
      f.outer = open[open.length - 1];
      open.push(f);
    }
    this.byStart[prog] = sorted;
  }

  /** The innermost function of a script whose range holds `pos`. */
  private innermost(prog: number, pos: number): Fn | undefined {
    const fns = this.byStart[prog] ?? [];
    let lo = 0;
    let hi = fns.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (fns[mid].start <= pos) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let f: Fn | undefined = at >= 0 ? fns[at] : undefined;
    while (f && !(pos < f.end)) f = f.outer;
    return f;
  }

  /** The scope key a name refers to from `pos`: the nearest enclosing function that declares it, else global. */
  private keyOf(prog: number, pos: number, name: string): string {
    for (let f = this.innermost(prog, pos); f; f = f.outer) if (this.declared.has(`${prog}:${f.start}:${name}`)) return `${prog}:${f.start}:${name}`;
    return `g:${name}`;
  }

  /** Values bound to `obj.prop` for the object named by scope key `obj`; every key's values when prop is undefined. */
  private members(obj: string, prop: string | undefined): Ref[] | undefined {
    const props = this.memberBindings.get(obj);
    if (!props) return undefined;
    return prop !== undefined ? props.get(prop) : [...props.values()].flat();
  }

  private pushMember(obj: string, prop: string, ref: Ref): void {
    let props = this.memberBindings.get(obj);
    if (!props) this.memberBindings.set(obj, (props = new Map()));
    this.push(props, prop, ref);
  }

  private declare(program: Node, prog: number): void {
    this.fns[prog] = [];
    this.walk(
      program,
      prog,
      (n, fn) => {
        if (isFn(n)) {
          const f = this.fnOf(n, prog);
          for (const p of f.params) if (p) this.declared.add(`${prog}:${f.start}:${p}`);
          const name = n.id?.name ?? (n.key ? keyName(n) : undefined);
          // A function declaration's name belongs to the scope around it.
          if (name) this.addFnName(name, f);
          if (n.type === 'FunctionDeclaration' && n.id && fn) this.declared.add(`${prog}:${fn.start}:${n.id.name}`);
        } else if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') {
          if (fn) this.declared.add(`${prog}:${fn.start}:${n.id.name}`);
          if (n.init && isFn(n.init)) this.addFnName(n.id.name, this.fnOf(n.init, prog));
          const init = n.init ? unwrap(n.init) : undefined;
          if (init?.type === 'CallExpression' && init.callee.type === 'Identifier' && init.callee.name === 'require' && COPY_LIBRARIES.has(init.arguments[0]?.value)) this.copyLibs.add(n.id.name);
        } else if (n.type === 'AssignmentExpression' && n.right && isFn(n.right)) {
          const name = n.left.type === 'Identifier' ? n.left.name : propName(n.left);
          if (name) this.addFnName(name, this.fnOf(n.right, prog));
        } else if (n.type === 'ObjectProperty' && n.value && isFn(n.value)) {
          const name = keyName(n);
          if (name) this.addFnName(name, this.fnOf(n.value, prog));
        } else if (n.type === 'ImportDeclaration' && COPY_LIBRARIES.has(n.source.value)) {
          for (const s of n.specifiers) this.copyLibs.add(s.local.name);
        }
      },
    );
  }

  /**
   * The record of a function node, made the first time the walk (or a declaration naming it, before the walk
   * reaches it) needs it: one traversal finds functions and declarations together.
   */
  private fnOf(n: Node, prog: number): Fn {
    let f = this.fnByNode.get(n);
    if (!f) {
      const params = (n.params ?? []).map((p: Node) => (p.type === 'Identifier' ? p.name : p.type === 'AssignmentPattern' && p.left.type === 'Identifier' ? p.left.name : ''));
      f = { prog, node: n, start: n.start, end: n.end, params, returns: [] };
      this.fns[prog].push(f);
      this.fnByNode.set(n, f);
      if (n.body && n.body.type !== 'BlockStatement') f.returns.push({ node: n.body, prog });
    }
    return f;
  }

  private addFnName(name: string, f: Fn): void {
    const list = this.fnByName.get(name) ?? [];
    if (list.length < 16) list.push(f);
    this.fnByName.set(name, list);
  }

  private push(map: Map<string, Ref[]>, key: string, ref: Ref): void {
    const list = map.get(key) ?? [];
    if (list.length < 64) list.push(ref);
    map.set(key, list);
  }

  // ── pass 2: bindings, sinks, displayed text ────────────────────────────────────────────────────────────────
  private collect(program: Node, prog: number): void {
    this.walk(
      program,
      prog,
      (n, fn) => {
        switch (n.type) {
          case 'VariableDeclarator':
            if (n.id.type === 'Identifier' && n.init) {
              const key = fn ? `${prog}:${fn.start}:${n.id.name}` : `g:${n.id.name}`;
              this.push(this.bindings, key, { node: n.init, prog });
              if (n.init.type === 'ObjectExpression') this.bindObject(key, n.init, prog);
            }
            return;
          case 'AssignmentExpression': {
            const left = n.left;
            if (left.type === 'Identifier') {
              const key = this.keyOf(prog, n.start, left.name);
              if (n.operator === '=') this.push(this.bindings, key, { node: n.right, prog });
              else if (n.operator === '+=') this.push(this.appends, key, { node: n.right, prog });
            } else if (left.type === 'MemberExpression' && n.operator === '=') {
              const prop = propName(left);
              if (prop && ELEMENT_TEXT.has(prop)) this.textAssigns.push({ ref: { node: n.right, prog }, fn });
              if (prop && DISPLAY_PROPS.has(prop)) this.displayRefs.push({ ref: { node: n.right, prog }, html: prop.endsWith('HTML') });
              const base = unwrap(left.object);
              if (prop && base.type === 'Identifier') this.pushMember(this.keyOf(prog, n.start, base.name), prop, { node: n.right, prog });
            }
            return;
          }
          case 'ReturnStatement':
            if (fn && n.argument && fn.returns.length < 32) fn.returns.push({ node: n.argument, prog });
            return;
          case 'JSXText': {
            const t = n.value.trim();
            if (t) this.displayedText.push(t);
            return;
          }
          case 'JSXElement':
          case 'JSXFragment':
            for (const c of n.children ?? []) if (c.type === 'JSXExpressionContainer' && c.expression.type !== 'JSXEmptyExpression') this.displayRefs.push({ ref: { node: c.expression, prog }, html: false });
            return;
          case 'NewExpression': {
            const callee = n.callee.type === 'Identifier' ? n.callee.name : propName(n.callee);
            if ((callee === 'ClipboardJS' || callee === 'Clipboard') && n.arguments[1]?.type === 'ObjectExpression') {
              const text = n.arguments[1].properties.find((p: Node) => keyName(p) === 'text');
              if (text) this.sinks.push({ ref: { node: n, prog }, api: 'clipboard.js text()', arg: { node: text.type === 'ObjectMethod' ? text : text.value, prog }, fn, kind: 'clipboardjs' });
            }
            return;
          }
          case 'CallExpression':
          case 'OptionalCallExpression':
            this.call(n, prog, fn);
            return;
        }
      },
    );
  }

  private bindObject(key: string, obj: Node, prog: number): void {
    for (const p of obj.properties) {
      const k = p.type === 'ObjectProperty' ? keyName(p) : undefined;
      if (k !== undefined) this.pushMember(key, k, { node: p.value, prog });
    }
  }

  private call(n: Node, prog: number, fn: Fn | undefined): void {
    const callee = unwrap(n.callee);
    const name = callee.type === 'Identifier' ? callee.name : propName(callee);
    const args: Node[] = n.arguments;
    const ref = { node: n, prog };
    // Arguments bind the parameters of local functions of that name.
    if (name) {
      for (const f of this.fnByName.get(name) ?? []) {
        f.params.forEach((p, i) => {
          if (p && args[i] && args[i].type !== 'SpreadElement') this.push(this.bindings, `${f.prog}:${f.start}:${p}`, { node: args[i], prog });
        });
      }
    }
    if (!name) return;
    const objText = callee.type !== 'Identifier' ? this.text(callee.object) : '';
    if (name === 'writeText' && args[0]) this.sinks.push({ ref, api: `${objText || 'clipboard'}.writeText`, arg: { node: args[0], prog }, fn, kind: 'arg' });
    else if (name === 'setData' && /clipboardData/.test(objText) && args.length) this.sinks.push({ ref, api: 'clipboardData.setData', arg: { node: args[args.length >= 2 ? 1 : 0], prog }, fn, kind: 'arg' });
    else if (name === 'write' && /clipboard$/i.test(objText) && args[0]) this.sinks.push({ ref, api: `${objText}.write`, arg: { node: args[0], prog }, fn, kind: 'arg' });
    else if (name === 'execCommand' && args[0]?.type === 'StringLiteral' && args[0].value.toLowerCase() === 'copy') this.sinks.push({ ref, api: 'document.execCommand("copy")', fn, kind: 'execCommand' });
    else if (callee.type === 'Identifier' && this.copyLibs.has(name) && args[0]) this.sinks.push({ ref, api: `${name}() (clipboard library)`, arg: { node: args[0], prog }, fn, kind: 'arg' });
    else if ((name === 'write' || name === 'writeSync') && callee.type !== 'Identifier' && unwrap(callee.object).type === 'Identifier' && this.copyLibs.has(unwrap(callee.object).name) && args[0])
      this.sinks.push({ ref, api: `${objText}.${name}() (clipboard library)`, arg: { node: args[0], prog }, fn, kind: 'arg' });
    else if (name === 'select' && callee.type !== 'Identifier') this.selections.push({ ref: { node: callee.object, prog }, fn });
    else if ((name === 'selectNodeContents' || name === 'selectNode' || name === 'selectAllChildren') && args[0]) this.selections.push({ ref: { node: args[0], prog }, fn });
    else if ((name === 'write' || name === 'writeln') && objText === 'document' && args[0]) this.displayRefs.push({ ref: { node: args[0], prog }, html: true });
    else if (name === 'insertAdjacentHTML' && args[1]) this.displayRefs.push({ ref: { node: args[1], prog }, html: true });
    else if ((name === 'text' || name === 'html') && callee.type !== 'Identifier' && args[0] && /^(?:\$|jQuery)\(/.test(objText)) this.displayRefs.push({ ref: { node: args[0], prog }, html: name === 'html' });
    else if (JSX_FACTORIES.has(name)) {
      for (const a of args.slice(2)) if (a.type !== 'SpreadElement') this.displayRefs.push({ ref: { node: a, prog }, html: false });
      const props = args[1];
      if (props?.type === 'ObjectExpression') {
        const kids = props.properties.find((p: Node) => p.type === 'ObjectProperty' && keyName(p) === 'children');
        if (kids) this.displayRefs.push({ ref: { node: kids.value, prog }, html: false });
      }
    }
  }

  /** A short dotted path rebuilt from the AST (`navigator.clipboard`, `$('#cmd')`): all the sink checks need. */
  private text(n: Node, depth = 0): string {
    if (!n || depth > 8) return '';
    if (n.type === 'Identifier') return n.name;
    if (n.type === 'ThisExpression') return 'this';
    if (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') return `${this.text(n.object, depth + 1)}.${propName(n) ?? '[]'}`;
    if (n.type === 'CallExpression') return `${this.text(n.callee, depth + 1)}(${n.arguments[0]?.type === 'StringLiteral' ? `'${n.arguments[0].value.slice(0, 40)}'` : ''})`;
    return '';
  }

  // ── resolution ────────────────────────────────────────────────────────────────────────────────────────────
  private execCopy(fn: Fn | undefined, prog: number): Res {
    const inScope = <T extends { ref: Ref; fn?: Fn }>(list: T[]): T[] => {
      const local = list.filter((x) => x.ref.prog === prog && x.fn === fn);
      return local.length ? local : list.filter((x) => x.ref.prog === prog);
    };
    const parts = [...inScope(this.textAssigns).map((t) => this.eval(t.ref, 0)), ...inScope(this.selections).map((s) => this.elementOf(s.ref, 'value'))];
    return parts.length ? merge(...parts) : dyn();
  }

  /** clipboard.js `text: (trigger) => …`: what the function returns. */
  private textOption(ref: Ref): Res {
    const f = this.fnByNode.get(ref.node);
    if (f) return f.returns.length ? merge(...f.returns.map((r) => this.eval(r, 1))) : dyn();
    return this.eval(ref, 0);
  }

  /** The text of the element an expression denotes (`document.getElementById('cmd')`, or a name bound to it). */
  private elementOf(ref: Ref, prop: string, depth = 0): Res {
    const n = unwrap(ref.node);
    if (depth > 4) return dyn();
    if (n.type === 'Identifier') {
      const bound = this.bindings.get(this.keyOf(ref.prog, n.start, n.name)) ?? [];
      return bound.length ? merge(...bound.map((b) => this.elementOf(b, prop, depth + 1))) : dyn();
    }
    if (n.type === 'CallExpression' && n.arguments[0]?.type === 'StringLiteral') {
      const fname = propName(unwrap(n.callee)) ?? (n.callee.type === 'Identifier' ? n.callee.name : undefined);
      const arg = n.arguments[0].value as string;
      const id = fname === 'getElementById' ? arg : (fname === 'querySelector' || fname === '$' || fname === 'jQuery') && /^#[\w-]+$/.test(arg) ? arg.slice(1) : undefined;
      const el = id !== undefined ? this.element?.(id) : undefined;
      if (el) return lit(el.text, [`${prop} of #${id} (${el.visible ? 'shown on the page' : 'hidden on the page'})`], el.visible);
    }
    return dyn();
  }

  /** Results per node, whatever path reached it: keeps shared bindings from multiplying the work. */
  private memo = new Map<Node, Res>();

  private eval(ref: Ref, depth: number, seen: Set<Node> = new Set()): Res {
    const n = unwrap(ref.node);
    if (!n || seen.has(n)) return dyn();
    const hit = this.memo.get(n);
    if (hit) return hit;
    const r = this.evalUncached(ref, n, depth, seen);
    // Memoised even inside a cycle: a cut cycle only makes the answer more dynamic, never wrong.
    this.memo.set(n, r);
    return r;
  }

  private evalUncached(ref: Ref, n: Node, depth: number, seen: Set<Node>): Res {
    this.tick();
    if (!n || depth > MAX_DEPTH || seen.has(n)) return dyn();
    const at = (node: Node): Ref => ({ node, prog: ref.prog });
    const sub = (node: Node) => this.eval(at(node), depth + 1, new Set(seen).add(n));
    switch (n.type) {
      case 'StringLiteral':
        return lit(n.value);
      case 'NumericLiteral':
        return lit(String(n.value));
      case 'TemplateLiteral': {
        let acc = lit('');
        n.quasis.forEach((q: Node, i: number) => {
          acc = combine(acc, lit(q.value.cooked ?? q.value.raw), (a, b) => a + b);
          if (i < n.expressions.length) acc = combine(acc, sub(n.expressions[i]), (a, b) => a + b);
        });
        return acc;
      }
      case 'BinaryExpression':
        return n.operator === '+' ? combine(sub(n.left), sub(n.right), (a, b) => a + b) : dyn();
      case 'ConditionalExpression':
        return merge(sub(n.consequent), sub(n.alternate));
      case 'LogicalExpression':
        return merge(sub(n.left), sub(n.right));
      case 'SequenceExpression':
        return sub(n.expressions[n.expressions.length - 1]);
      case 'AssignmentExpression':
        return sub(n.right);
      case 'ArrayExpression':
        return merge(...n.elements.filter((e: Node | null) => e && e.type !== 'SpreadElement').map((e: Node) => sub(e)));
      case 'Identifier': {
        const key = this.keyOf(ref.prog, n.start, n.name);
        const bound = this.bindings.get(key) ?? [];
        if (!bound.length) return dyn();
        let r = merge(...bound.map((b) => this.eval(b, depth + 1, new Set(seen).add(n))));
        for (const a of this.appends.get(key) ?? []) r = combine(r, this.eval(a, depth + 1, new Set(seen).add(n)), (x, y) => x + y);
        return r;
      }
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        return this.member(ref, n, depth, seen);
      case 'NewExpression': {
        const name = n.callee.type === 'Identifier' ? n.callee.name : propName(n.callee);
        if (name === 'Blob' && n.arguments[0]?.type === 'ArrayExpression') {
          let acc = lit('');
          for (const e of n.arguments[0].elements) if (e && e.type !== 'SpreadElement') acc = combine(acc, sub(e), (a, b) => a + b);
          return acc;
        }
        if (name === 'ClipboardItem' && n.arguments[0]?.type === 'ObjectExpression') {
          const texts = n.arguments[0].properties.filter((p: Node) => p.type === 'ObjectProperty' && /^text\//.test(keyName(p) ?? ''));
          return texts.length ? merge(...texts.map((p: Node) => sub(p.value))) : dyn();
        }
        if (name === 'String' && n.arguments[0]) return sub(n.arguments[0]);
        return dyn();
      }
      case 'CallExpression':
      case 'OptionalCallExpression':
        return this.callValue(ref, n, depth, seen);
      case 'ObjectMethod':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const f = this.fnByNode.get(n);
        return f?.returns.length ? merge(...f.returns.map((r) => this.eval(r, depth + 1, new Set(seen).add(n)))) : dyn();
      }
      default:
        return dyn();
    }
  }

  private member(ref: Ref, n: Node, depth: number, seen: Set<Node>): Res {
    const at = (node: Node): Ref => ({ node, prog: ref.prog });
    const sub = (node: Node) => this.eval(at(node), depth + 1, new Set(seen).add(n));
    const prop = propName(n);
    const obj = unwrap(n.object);
    if (prop && ELEMENT_TEXT.has(prop)) {
      const el = this.elementOf(at(obj), prop);
      if (!el.dynamic) return el;
      // Some element's text or value: whatever the page shows there (a code block's copy button).
      const bound = obj.type === 'Identifier' ? this.members(this.keyOf(ref.prog, obj.start, obj.name), prop) : undefined;
      if (!bound?.length) return pageText();
    }
    if (prop === 'length') return dyn();
    // obj.key of an object literal bound to a name, or of one assigned key by key.
    if (obj.type === 'Identifier') {
      const key = this.keyOf(ref.prog, obj.start, obj.name);
      if (prop !== undefined) {
        const bound = this.members(key, prop);
        if (bound?.length) return merge(...bound.map((b) => this.eval(b, depth + 1, new Set(seen).add(n))));
      } else {
        // obj[os]: any of its keys.
        const all = this.members(key, undefined) ?? [];
        if (all.length) return merge(...all.slice(0, MAX_VALUES).map((b) => this.eval(b, depth + 1, new Set(seen).add(n))));
      }
    }
    if (obj.type === 'ObjectExpression') {
      const p = obj.properties.find((x: Node) => x.type === 'ObjectProperty' && keyName(x) === prop);
      return p ? sub(p.value) : dyn();
    }
    if (obj.type === 'ArrayExpression' && n.computed && n.property.type === 'NumericLiteral') {
      const e = obj.elements[n.property.value];
      return e ? sub(e) : dyn();
    }
    if (n.computed) {
      const base = sub(obj);
      if (!base.dynamic && base.vals.length) return base;
    }
    return dyn(/^(?:responseText|response|data|body)$/.test(prop ?? ''));
  }

  private numbers(ref: Ref, depth: number): number[] | undefined {
    const n = unwrap(ref.node);
    if (depth > 8) return undefined;
    if (n.type === 'NumericLiteral') return [n.value];
    if (n.type === 'UnaryExpression' && n.operator === '-' && n.argument.type === 'NumericLiteral') return [-n.argument.value];
    if (n.type === 'ArrayExpression' && n.elements.length <= 100_000) {
      const out: number[] = [];
      for (const e of n.elements) {
        const v = e && e.type !== 'SpreadElement' ? this.numbers({ node: e, prog: ref.prog }, depth + 1) : undefined;
        if (!v) return undefined;
        out.push(...v);
      }
      return out;
    }
    if (n.type === 'Identifier') {
      const bound = this.bindings.get(this.keyOf(ref.prog, n.start, n.name));
      return bound?.length === 1 ? this.numbers(bound[0], depth + 1) : undefined;
    }
    return undefined;
  }

  private callValue(ref: Ref, n: Node, depth: number, seen: Set<Node>): Res {
    const at = (node: Node): Ref => ({ node, prog: ref.prog });
    const sub = (node: Node) => this.eval(at(node), depth + 1, new Set(seen).add(n));
    const callee = unwrap(n.callee);
    const args: Node[] = n.arguments;
    const name = callee.type === 'Identifier' ? callee.name : propName(callee);
    const objText = callee.type !== 'Identifier' ? this.text(callee.object) : '';
    if (name === 'atob' && args[0]) return mapVals(sub(args[0]), (s) => decodeBase64(s.replace(/\s+/g, ''), false), 'base64 decode');
    if ((name === 'decodeURIComponent' || name === 'decodeURI' || name === 'unescape') && args[0])
      return mapVals(sub(args[0]), (s) => {
        try {
          return name === 'unescape' ? unescape(s) : decodeURIComponent(s);
        } catch {
          return undefined;
        }
      }, 'URI decode');
    if (name === 'fromCharCode' && /String$/.test(objText)) {
      const codes = args.length === 1 && args[0].type === 'SpreadElement' ? this.numbers(at(args[0].argument), 0) : args.flatMap((a) => this.numbers(at(a), 0) ?? [NaN]);
      const s = codes ? decodeCharCodes(codes) : undefined;
      return s !== undefined ? lit(s, ['String.fromCharCode']) : dyn();
    }
    if (name === 'fetch' || /^(?:axios|\$)\.(?:get|post|ajax)$|^\$\.ajax$/.test(`${objText}.${name}`)) return dyn(true);
    if (callee.type !== 'Identifier' && name) {
      const recvNode = unwrap(callee.object);
      // Buffer.from(x, 'base64').toString()
      if (name === 'toString' && recvNode.type === 'CallExpression' && propName(unwrap(recvNode.callee)) === 'from' && this.text(unwrap(recvNode.callee).object) === 'Buffer') {
        const enc = recvNode.arguments[1]?.type === 'StringLiteral' ? recvNode.arguments[1].value.toLowerCase() : 'utf8';
        const inner = sub(recvNode.arguments[0]);
        if (enc === 'base64' || enc === 'base64url') return mapVals(inner, (s) => decodeBase64(s.replace(/\s+/g, ''), false), 'base64 decode');
        if (enc === 'hex') return mapVals(inner, (s) => (/^(?:[0-9a-f]{2})+$/i.test(s) ? Buffer.from(s, 'hex').toString('utf8') : undefined), 'hex decode');
        return inner;
      }
      if ((name === 'val' || name === 'text' || name === 'html') && !args.length && /^(?:\$|jQuery)\(/.test(objText)) {
        const el = this.elementOf(at(recvNode), name === 'val' ? 'value' : 'text');
        return el.dynamic ? pageText() : el;
      }
      // response.text() / .json() of fetch.
      if (name === 'text' || name === 'json') return dyn(true);
      // [..codes].map(c => String.fromCharCode(c)).join('')
      if (name === 'join' && recvNode.type === 'CallExpression' && propName(unwrap(recvNode.callee)) === 'map') {
        const codes = this.numbers(at(unwrap(unwrap(recvNode.callee).object)), 0);
        const body = recvNode.arguments[0]?.body;
        const call = body?.type === 'BlockStatement' ? body.body.find((st: Node) => st.type === 'ReturnStatement')?.argument : body;
        if (codes && call?.type === 'CallExpression' && this.text(call.callee) === 'String.fromCharCode') {
          const s = decodeCharCodes(codes);
          if (s !== undefined) return lit(s, ['String.fromCharCode']);
        }
      }
      if (name === 'join' && recvNode.type === 'CallExpression' && propName(unwrap(recvNode.callee)) === 'reverse') {
        const inner = unwrap(unwrap(recvNode.callee).object);
        if (inner.type === 'CallExpression' && propName(unwrap(inner.callee)) === 'split') return mapVals(sub(unwrap(inner.callee).object), (s) => reverse(s), 'reversed');
      }
      if (name === 'join') {
        const sep = args[0] ? sub(args[0]) : lit(',');
        const arrays = this.arrays(at(recvNode), 0);
        if (!arrays.length || sep.vals.length !== 1) return dyn();
        return merge(
          ...arrays.map((arr) => {
            let acc = lit('');
            arr.node.elements.forEach((e: Node | null, i: number) => {
              if (i > 0) acc = combine(acc, sep, (a, b) => a + b);
              acc = combine(acc, e && e.type !== 'SpreadElement' ? this.eval({ node: e, prog: arr.prog }, depth + 1, new Set(seen).add(n)) : dyn(), (a, b) => a + b);
            });
            return acc;
          }),
        );
      }
      const recv = () => sub(recvNode);
      switch (name) {
        case 'trim':
        case 'toString':
        case 'valueOf':
          return mapVals(recv(), (s) => (name === 'trim' ? s.trim() : s));
        case 'replace':
        case 'replaceAll': {
          const from = args[0]?.type === 'RegExpLiteral' ? args[0] : undefined;
          const to = args[1] ? sub(args[1]) : dyn();
          if (to.vals.length !== 1) return dyn();
          const t = to.vals[0].value;
          if (from) {
            // Only plain-token patterns (junk-token removal): a pattern from the scanned file is never compiled
            // unless it is a literal run of word characters, which is linear to match.
            if (!/^[\w%$!@#&\s-]{1,64}$/.test(from.pattern)) return dyn();
            const re = new RegExp(from.pattern, from.flags.includes('g') ? 'g' : '');
            return mapVals(recv(), (s) => s.replace(re, () => t));
          }
          const f = args[0] ? sub(args[0]) : dyn();
          if (f.vals.length !== 1) return dyn();
          const fs = f.vals[0].value;
          return mapVals(recv(), (s) => (name === 'replace' ? s.replace(fs, () => t) : s.split(fs).join(t)));
        }
        case 'concat':
          return args.reduce((acc: Res, a: Node) => combine(acc, sub(a), (x, y) => x + y), recv());
        case 'slice':
        case 'substring':
        case 'substr': {
          const a = args[0]?.type === 'NumericLiteral' ? args[0].value : undefined;
          const b = args[1]?.type === 'NumericLiteral' ? args[1].value : undefined;
          if (a === undefined) return dyn();
          return mapVals(recv(), (s) => (name === 'substr' ? s.substr(a, b) : name === 'slice' ? s.slice(a, b) : s.substring(a, b)));
        }
        case 'resolve':
          if (objText === 'Promise' && args[0]) return sub(args[0]);
      }
    }
    // A local function: what it returns (its parameters were bound at every call site).
    if (name) {
      const fs = (this.fnByName.get(name) ?? []).filter((f) => f.returns.length);
      if (fs.length) return merge(...fs.map((f) => merge(...f.returns.map((r) => this.eval(r, depth + 1, new Set(seen).add(n))))));
    }
    if (callee.type === 'Identifier' && callee.name === 'String' && args[0]) return sub(args[0]);
    return dyn();
  }

  /** arrays() per node and depth: the bindings are fixed by then, so an answer never changes. */
  private arrayMemo = new Map<Node, Ref[][]>();

  /** The array literals an expression can denote: `parts`, `parts.w`, `mac ? parts.m : parts.w`. */
  private arrays(ref: Ref, depth: number): Ref[] {
    const n = unwrap(ref.node);
    if (!n || depth > 6) return [];
    let byDepth = this.arrayMemo.get(n);
    if (!byDepth) this.arrayMemo.set(n, (byDepth = []));
    const hit = byDepth[depth];
    if (hit) return hit;
    this.clock();
    const r = this.arraysUncached(ref, n, depth);
    byDepth[depth] = r;
    return r;
  }

  /** The first MAX_VALUES arrays the bindings denote, in order, without resolving the rest. */
  private firstArrays(refs: Ref[], depth: number): Ref[] {
    const out: Ref[] = [];
    for (const b of refs) {
      if (out.length >= MAX_VALUES) break;
      out.push(...this.arrays(b, depth));
    }
    return out.slice(0, MAX_VALUES);
  }

  private arraysUncached(ref: Ref, n: Node, depth: number): Ref[] {
    const at = (node: Node): Ref => ({ node, prog: ref.prog });
    switch (n.type) {
      case 'ArrayExpression':
        return [{ node: n, prog: ref.prog }];
      case 'ConditionalExpression':
        return [...this.arrays(at(n.consequent), depth + 1), ...this.arrays(at(n.alternate), depth + 1)];
      case 'LogicalExpression':
        return [...this.arrays(at(n.left), depth + 1), ...this.arrays(at(n.right), depth + 1)];
      case 'Identifier':
        return this.firstArrays(this.bindings.get(this.keyOf(ref.prog, n.start, n.name)) ?? [], depth + 1);
      case 'MemberExpression': {
        const obj = unwrap(n.object);
        const prop = propName(n);
        if (obj.type === 'Identifier') {
          const key = this.keyOf(ref.prog, obj.start, obj.name);
          const refs = this.members(key, prop) ?? [];
          return this.firstArrays(refs, depth + 1);
        }
        if (obj.type === 'ObjectExpression' && prop !== undefined) {
          const p = obj.properties.find((x: Node) => x.type === 'ObjectProperty' && keyName(x) === prop);
          return p ? this.arrays(at(p.value), depth + 1) : [];
        }
        return [];
      }
      default:
        return [];
    }
  }
}

/**
 * Clipboard writes and displayed strings of scripts that run together (the scripts of one page, or one module).
 * Throws BudgetExceeded past the step or time budget; the caller records a diagnostic.
 */
export function clipboardFacts(sources: ScriptSource[], element: ElementLookup | undefined, maxMs: number): ScriptFacts {
  return new Resolver(sources, element, Date.now() + maxMs).run();
}

/**
 * The fallback for a script that cannot be parsed: its quoted string literals (8 to 4,000 characters, one line),
 * found by a linear scan rather than a regex, at most `max`.
 */
export function quotedStrings(text: string, max = 200): { value: string; offset: number }[] {
  const out: { value: string; offset: number }[] = [];
  for (let i = 0; i < text.length && out.length < max; i++) {
    const q = text[i];
    if (q !== '"' && q !== "'" && q !== '`') continue;
    let j = i + 1;
    while (j < text.length && j - i <= 4000 && text[j] !== q && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
    if (text[j] === q && j - i - 1 >= 8) out.push({ value: text.slice(i + 1, j), offset: i });
    if (text[j] === q) i = j;
  }
  return out;
}

/** Cheap test before parsing: could this script write to the clipboard at all? */
export function mayWriteClipboard(text: string): boolean {
  return text.includes('lipboard') || text.includes('execCommand') || text.includes('copy-to-clipboard');
}
