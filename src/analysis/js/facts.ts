/**
 * One walk over a JS/TS AST that folds constants, runs the bounded decoders, and tracks a light taint
 * (network response, decoded literal, process.env) through variables, properties, destructuring, `.then`
 * callbacks, catch parameters and local helper functions, to the sinks that turn data into code or processes.
 * It also records where the code runs: at import (module top level, IIFEs, helpers called from there) or later
 * (request handlers, listen callbacks). Flow-insensitive and name-based per function scope: a few passes reach a
 * fixed point. Nothing here runs scanned code.
 */
import type { Node } from './parse.js';
import type { SourcePatterns } from '../../signatures/types.js';
import { solveStringArrays, type Decoder } from './string-table.js';
import { deadAtOffset } from './unreachable.js';
import { decodeBase64, decodeCharCodes, decodeHex, decodeLiteral, isReadable, reverse, MIN_ENCODED, type DecodeMethod } from '../decode.js';

export const NET = 1;
export const DEC = 2;
export const ENV = 4;
/** The whole environment object, not one variable. */
export const ENVWHOLE = 8;

export interface Step {
  line: number;
  text: string;
}

export interface Val {
  str?: string;
  num?: number;
  /** What the value is known to be: 'require', 'eval', 'Function', 'process', 'process.env', 'global', 'module:x', 'fn:x.y', 'net:api', 'localfn:N', 'strm:method', 'proto', 'ctor:N', 'xhr'. */
  ref?: string;
  recv?: Val;
  taint: number;
  steps: Step[];
  envName?: string;
  /** Replacements applied to an environment value at run time (`.replace('sot', '')`), to replay on .env values. */
  xform?: { from: string; to: string }[];
  /** A string built by split(''), so reverse() reverses it. */
  chars?: boolean;
  arr?: Val[];
}

/** A relative path or a bare package name with a subpath, and no scheme (data:, http:, node:, blob:). */
const LOCAL_SPECIFIER = /^(?:\.{0,2}\/|(?:@[\w.-]+\/)?[\w.-]+\/)(?![\w.-]*:)/;

/** The literal text an import() argument starts with: a string, a template's first part, the left end of a "+". */
function literalHead(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'StringLiteral' || (n.type === 'Literal' && typeof n.value === 'string')) return n.value as string;
  if (n.type === 'TemplateLiteral') return (n.quasis[0]?.value.cooked ?? n.quasis[0]?.value.raw) as string | undefined;
  if (n.type === 'BinaryExpression' && n.operator === '+') return literalHead(n.left as Node);
  return undefined;
}

export type SinkKind = 'eval' | 'Function' | 'AsyncFunction' | 'vm' | 'module._compile' | 'child_process' | 'require';

export interface Sink {
  kind: SinkKind;
  api: string;
  line: number;
  column: number;
  importTime: boolean;
  arg: Val;
  /** For constructed functions: one of the parameter names is `require`. */
  requireParam: boolean;
  /** … and the constructed function is called with `require` (or an alias of it). */
  requirePassed: boolean;
  /** The code argument is one constant string (then it is in `arg.str`). */
  constant: boolean;
  /**
   * import() of a specifier that starts as a module path written in the source (`import(\`./locales/${x}\`)`,
   * `import("foo/" + name)`): whatever the rest decodes to, it names a file or package already on disk, not code.
   */
  localSpecifier?: boolean;
  /** Why the sink cannot run (after a return, under `if (false)`), when it cannot. */
  unreachable?: string;
}

export interface NetCall {
  api: string;
  line: number;
  column: number;
  importTime: boolean;
  url: Val;
  /** Some argument carries the whole environment (spread, JSON.stringify(process.env), process.env itself). */
  sendsEnv: boolean;
  envSteps: Step[];
  /** Header names from the signatures' secret list found in the arguments. */
  secretHeaders: string[];
  /** The named function the request sits in, for callers in other files. */
  inFunction?: string;
  /** Why the request cannot run (after a return, under `if (false)`), when it cannot. */
  unreachable?: string;
}

/** A call, at import time, of a function imported from a relative module (`getCookie()` from './controllers/user'). */
export interface ImportedCall {
  spec: string;
  name: string;
  line: number;
}

export interface DecodedString {
  line: number;
  methods: string[];
  value: string;
}

export interface JsFacts {
  sinks: Sink[];
  net: NetCall[];
  decoded: DecodedString[];
  /** `global[...] = require`, `global.r = require`, `globalThis['!'] = …` style aliases. */
  globalAliases: { line: number; text: string; isRequire: boolean }[];
  /** Whole-environment collections (spread, stringify) with the line, whether or not they reach the network. */
  envCollect: Step[];
  secretHeaderLiterals: Step[];
  /** Count of `_0x`-style identifiers, and rotate-array loops (`while(!![])`). */
  hexIdents: number;
  rotateLoops: number[];
  /** Large arrays of string literals (obfuscator string tables), with their strings. */
  stringTables: { line: number; name: string; strings: string[] }[];
  /** Top-level statements that are calls (`initAppBootstrap();`) or IIFEs. */
  nodes: number;
  importedCalls: ImportedCall[];
  /** Strings longer than 16 characters appearing as plain literals, for IOC checks. */
  literals: { line: number; value: string }[];
}

interface FnInfo {
  node: Node;
  scope: number;
  params: string[];
  ret: Val;
  importTime: boolean;
}

interface Scope {
  id: number;
  declared: Set<string>;
  fn?: FnInfo;
  /** `${id}:${name}` by name, made once: the same string each time hashes once in the env and read-set lookups. */
  keys: Map<string, string>;
}

function scopeKey(s: Scope, name: string): string {
  let k = s.keys.get(name);
  if (k === undefined) {
    k = `${s.id}:${name}`;
    s.keys.set(name, k);
  }
  return k;
}

/**
 * Values are never changed once made (every transfer copies: union, withStep, bind), so the no-step list and the
 * value that knows nothing are shared, frozen: a literal or an unknown expression allocates nothing for them. Frozen,
 * a change by mistake throws instead of leaking into every other value.
 */
const NO_STEPS: Step[] = Object.freeze([]) as unknown as Step[];
const EMPTY: Val = Object.freeze({ taint: 0, steps: NO_STEPS });
const empty = (): Val => EMPTY;

function mergeSteps(a: Step[], b: Step[]): Step[] {
  if (!b.length) return a;
  if (!a.length) return b;
  const out = [...a];
  for (const s of b) if (!out.some((o) => o.line === s.line && o.text === s.text)) out.push(s);
  return out.slice(-8);
}

/** What the values carry together: taint, steps, the environment name and its replacements (not ref, str or num). */
function union(...vals: Val[]): Val {
  // Nothing to carry is the common case (members and calls of ordinary code): the shared empty value.
  let carries = false;
  for (const v of vals) if (v.taint || v.steps.length || v.envName !== undefined || v.xform !== undefined) carries = true;
  if (!carries) return EMPTY;
  const out: Val = { taint: 0, steps: NO_STEPS };
  for (const v of vals) {
    out.taint |= v.taint;
    out.steps = mergeSteps(out.steps, v.steps);
    out.envName ??= v.envName;
    out.xform ??= v.xform;
  }
  return out;
}

function withStep(v: Val, step: Step): Val {
  return { ...v, steps: mergeSteps(v.steps, [step]) };
}

const MAX_NODES = 400_000;
/** Methods whose result carries the receiver's taint and whose effect on a constant string stringMethod() replays. */
const STRING_METHODS = new Set(['replace', 'replaceAll', 'split', 'reverse', 'join', 'toString', 'slice', 'substring', 'substr', 'trim', 'concat', 'charCodeAt', 'map']);
const MAX_STR = 256 * 1024;

export class BudgetExceeded extends Error {}

/** Statement-level children that hoist() looks into (not expressions, not nested functions or classes). */
const HOIST_KEYS = ['body', 'consequent', 'alternate', 'block', 'handler', 'finalizer', 'cases', 'declaration'];

/**
 * The declarations a function body or program hoists, in source order: `var`/`let`/`const` declarations (their
 * patterns), function declarations with a name, class declarations with a name — looked for in nested blocks, not
 * in nested functions or classes.
 */
function hoistedBy(body: Node[]): Node[] {
  const out: Node[] = [];
  const visit = (n: Node | null | undefined): void => {
    if (!n || typeof n !== 'object') return;
    if (n.type === 'VariableDeclaration') out.push(n);
    else if (n.type === 'FunctionDeclaration' && n.id) {
      out.push(n);
      return;
    } else if (n.type === 'ClassDeclaration' && n.id) out.push(n);
    if (/Function|Class/.test(n.type)) return;
    for (const k of HOIST_KEYS) {
      const c = n[k];
      if (Array.isArray(c)) c.forEach(visit);
      else if (c && typeof c === 'object') visit(c);
    }
  };
  body.forEach(visit);
  return out;
}

export class JsAnalyzer {
  private env = new Map<string, Val>();
  private fns = new Map<number, FnInfo>();
  private scopes: Scope[] = [];
  private scopeCounter = 0;
  private scopeIds = new Map<Node, Scope>();
  private importStack: boolean[] = [];
  private tryNet: number[] = [];
  private changed = false;
  /** Facts are recorded on every pass (each pass starts from empty facts). */
  private readonly final = true;
  /** Keys read during the current pass: a later change to one of them needs another pass. */
  private readSet = new Set<string>();
  private walkedFns = new Set<number>();
  private visited = 0;
  private readonly deadline: number;
  private facts!: JsFacts;
  private readonly netModules: Set<string>;
  private readonly netMethods: Set<string>;
  private readonly cpFns: Set<string>;
  private readonly vmFns: Set<string>;
  private readonly secretHeaders: string[];
  /** Why the code at an offset cannot run, by offset (every pass asks again for the same sinks and requests). */
  private dead = new Map<number, string | undefined>();

  private deadAt(offset: number): string | undefined {
    if (!this.dead.has(offset)) this.dead.set(offset, deadAtOffset(this.program, offset));
    return this.dead.get(offset);
  }

  constructor(
    private readonly program: Node,
    private readonly text: string,
    patterns: SourcePatterns,
    maxMs: number,
  ) {
    this.deadline = Date.now() + maxMs;
    this.netModules = new Set(patterns.networkModules);
    this.netMethods = new Set(patterns.networkMethods);
    this.cpFns = new Set(patterns.childProcessFns);
    this.vmFns = new Set(patterns.vmFns);
    this.secretHeaders = patterns.secretHeaders.map((h) => h.toLowerCase());
  }

  /**
   * Walk until a fixed point: another pass is needed only when a binding, a return value or a function's
   * import-time flag changed after this pass had already read it (use before definition, helpers defined
   * below their callers). Every pass records facts afresh; the last one is the answer.
   */
  run(maxPasses = 5): JsFacts {
    if (this.text.includes('_0x') || this.text.includes('while(!![])')) this.decoders = solveStringArrays(this.program, this.text);
    for (let pass = 0; pass < maxPasses; pass++) {
      this.changed = false;
      this.walkProgram();
      if (!this.changed) break;
    }
    return this.facts;
  }

  private walkProgram(): void {
    this.facts = { sinks: [], net: [], decoded: [], globalAliases: [], envCollect: [], secretHeaderLiterals: [], hexIdents: 0, rotateLoops: [], stringTables: [], nodes: 0, literals: [], importedCalls: [] };
    this.visited = 0;
    this.readSet = new Set();
    this.walkedFns = new Set();
    this.scopes = [this.scopeFor(this.program)];
    this.importStack = [true];
    this.tryNet = [];
    this.hoist(this.program.body ?? []);
    for (const st of this.program.body ?? []) this.walk(st);
    this.facts.nodes = this.visited;
  }

  // ── bookkeeping ────────────────────────────────────────────────────────────────────────────────────────────
  private tick(): void {
    if (++this.visited > MAX_NODES) throw new BudgetExceeded(`more than ${MAX_NODES} AST nodes`);
    if ((this.visited & 1023) === 0 && Date.now() > this.deadline) throw new BudgetExceeded('analysis time limit reached');
  }

  private get importTime(): boolean {
    return this.importStack[this.importStack.length - 1];
  }

  private scopeFor(node: Node): Scope {
    let s = this.scopeIds.get(node);
    if (!s) {
      s = { id: this.scopeCounter++, declared: new Set(), keys: new Map() };
      this.scopeIds.set(node, s);
    }
    return s;
  }

  private get scope(): Scope {
    return this.scopes[this.scopes.length - 1];
  }

  private key(name: string): string {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].declared.has(name)) return scopeKey(this.scopes[i], name);
    return scopeKey(this.undeclared, name);
  }

  /** Names no scope declares share the keys of scope 0 (`0:name`), as the program's own top-level names do. */
  private readonly undeclared: Scope = { id: 0, declared: new Set(), keys: new Map() };

  /** The function the walk is in (the innermost scope that is a function's), if any. */
  private innermostFn(): FnInfo | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].fn) return this.scopes[i].fn;
    return undefined;
  }

  private declared(name: string): boolean {
    return this.scopes.some((s) => s.declared.has(name));
  }

  private bind(k: string, v: Val): void {
    const old = this.env.get(k);
    if (!old) {
      this.env.set(k, { ...v, steps: v.steps.slice(-8) });
      if ((v.taint || v.ref || v.str !== undefined) && this.readSet.has(k)) this.changed = true;
      return;
    }
    const taint = old.taint | v.taint;
    const steps = mergeSteps(old.steps, v.steps);
    const ref = old.ref ?? v.ref;
    const str = old.str ?? v.str;
    if (taint !== old.taint || ref !== old.ref || str !== old.str || steps.length !== old.steps.length) {
      if (this.readSet.has(k) && (taint !== old.taint || ref !== old.ref || str !== old.str)) this.changed = true;
      this.env.set(k, { ...old, ...v, taint, steps, ref, str, envName: old.envName ?? v.envName });
    }
  }

  private bindName(name: string, v: Val): void {
    this.bind(this.key(name), v);
  }

  private line(n: Node): number {
    return n.loc?.start.line ?? 1;
  }

  private src(n: Node, max = 80): string {
    const s = this.text.slice(n.start, Math.min(n.end, n.start + max)).replace(/\s+/g, ' ');
    return n.end - n.start > max ? `${s}…` : s;
  }

  private noteDecoded(n: Node, methods: string[], value: string): void {
    if (this.final && this.facts.decoded.length < 500) this.facts.decoded.push({ line: this.line(n), methods, value: value.slice(0, 4096) });
  }

  /** var and function declarations are visible in the whole function: declare them before walking. */
  private hoist(body: Node[]): void {
    // What a body declares depends on the body alone: found once, replayed on every walk of it (every pass, every call).
    let found = this.hoisted.get(body);
    if (!found) {
      found = hoistedBy(body);
      this.hoisted.set(body, found);
    }
    for (const n of found) {
      if (n.type === 'VariableDeclaration') {
        for (const d of n.declarations) this.declarePattern(d.id);
      } else if (n.type === 'FunctionDeclaration') {
        this.scope.declared.add(n.id.name);
        // Function declarations are hoisted: callers above them see them in the same pass.
        this.bindName(n.id.name, { taint: 0, steps: NO_STEPS, ref: `localfn:${n.start}` });
      } else {
        this.scope.declared.add(n.id.name);
      }
    }
  }

  private readonly hoisted = new WeakMap<Node[], Node[]>();

  private declarePattern(p: Node | null | undefined): void {
    if (!p) return;
    if (p.type === 'Identifier') this.scope.declared.add(p.name);
    else if (p.type === 'ObjectPattern') for (const pr of p.properties) this.declarePattern(pr.type === 'RestElement' ? pr.argument : pr.value);
    else if (p.type === 'ArrayPattern') for (const e of p.elements) this.declarePattern(e);
    else if (p.type === 'AssignmentPattern') this.declarePattern(p.left);
    else if (p.type === 'RestElement') this.declarePattern(p.argument);
  }

  private bindPattern(p: Node | null | undefined, v: Val): void {
    if (!p) return;
    if (p.type === 'Identifier') this.bindName(p.name, v);
    else if (p.type === 'ObjectPattern') {
      for (const pr of p.properties) {
        if (pr.type === 'RestElement') this.bindPattern(pr.argument, union(v));
        else this.bindPattern(pr.value, this.member(v, pr.computed ? this.eval(pr.key).str : (pr.key.name ?? pr.key.value), pr));
      }
    } else if (p.type === 'ArrayPattern') for (const e of p.elements) this.bindPattern(e, union(v));
    else if (p.type === 'AssignmentPattern') this.bindPattern(p.left, union(v, this.eval(p.right)));
    else if (p.type === 'RestElement') this.bindPattern(p.argument, v);
    else if (p.type === 'MemberExpression') this.assignMember(p, v);
  }

  // ── statements ─────────────────────────────────────────────────────────────────────────────────────────────
  private walk(n: Node | null | undefined): void {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const c of n) this.walk(c);
      return;
    }
    if (typeof n.type !== 'string') return;
    this.tick();
    switch (n.type) {
      case 'VariableDeclaration':
        this.variables(n);
        return;
      case 'FunctionDeclaration': {
        if (n.id) {
          this.scope.declared.add(n.id.name);
          // Bind before walking: obfuscator decoders reassign their own name inside.
          this.bindName(n.id.name, { taint: 0, steps: NO_STEPS, ref: `localfn:${n.start}` });
        }
        this.func(n);
        return;
      }
      case 'ClassMethod':
      case 'ClassPrivateMethod':
      case 'ObjectMethod':
        this.importStack.push(false);
        try {
          this.func(n);
        } finally {
          this.importStack.pop();
        }
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        // Methods run when called, never at import.
        this.importStack.push(false);
        this.walk(n.body);
        this.importStack.pop();
        return;
      case 'ReturnStatement': {
        const v = n.argument ? this.eval(n.argument) : empty();
        const fn = this.innermostFn();
        if (fn) this.mergeRet(fn, v);
        return;
      }
      case 'TryStatement':
        this.tryStatement(n);
        return;
      case 'WhileStatement':
        if (this.final && this.src(n.test, 10) === '!![]') this.facts.rotateLoops.push(this.line(n));
        this.eval(n.test);
        this.walk(n.body);
        return;
      case 'ExpressionStatement':
        this.eval(n.expression);
        return;
      case 'ImportDeclaration':
        this.importDeclaration(n);
        return;
      default:
        this.otherStatement(n);
    }
  }

  private variables(n: Node): void {
    for (const d of n.declarations) {
      this.declarePattern(d.id);
      if (d.id.type === 'Identifier' && d.init && /Function/.test(d.init.type)) this.fnNames.set(d.init.start, d.id.name);
      const v = d.init ? this.eval(d.init) : empty();
      this.bindPattern(d.id, v);
      if (d.id.type === 'Identifier' && d.init?.type === 'ArrayExpression') this.noteTable(d.id.name, d.init);
    }
  }

  private tryStatement(n: Node): void {
    const before = this.netSeen;
    this.walk(n.block);
    const sawNet = this.netSeen > before;
    if (n.handler) {
      if (n.handler.param) {
        this.declarePattern(n.handler.param);
        if (sawNet) this.bindPattern(n.handler.param, { taint: NET, envName: this.lastNetVal?.envName, xform: this.lastNetVal?.xform, steps: [...this.lastNet.slice(-3), { line: this.line(n.handler), text: `catch (${this.src(n.handler.param, 20)}): error of that request, ${this.src(n.handler.param, 20)}.response.data is the server’s body` }] });
      }
      this.walk(n.handler.body);
    }
    this.walk(n.finalizer);
  }

  private importDeclaration(n: Node): void {
    const mod = n.source.value as string;
    for (const s of n.specifiers) {
      const local = s.local.name as string;
      this.scope.declared.add(local);
      if (s.type === 'ImportSpecifier') this.bindName(local, this.member({ taint: 0, steps: NO_STEPS, ref: `module:${mod}` }, s.imported.name ?? s.imported.value, s));
      else this.bindName(local, { taint: 0, steps: NO_STEPS, ref: `module:${mod}` });
    }
  }

  /** Any other statement or node: its children, each walked or evaluated as what it is. */
  private otherStatement(n: Node): void {
    for (const k of Object.keys(n)) {
      if (k === 'loc' || k === 'type' || k === 'start' || k === 'end' || k === 'leadingComments' || k === 'trailingComments' || k === 'innerComments' || k === 'extra') continue;
      const c = n[k];
      if (c && typeof c === 'object') {
        if (Array.isArray(c)) for (const x of c) this.walkOrEval(x);
        else this.walkOrEval(c);
      }
    }
  }

  private walkOrEval(n: Node | null | undefined): void {
    if (!n || typeof n !== 'object' || typeof n.type !== 'string') return;
    if (isExpression(n)) this.eval(n);
    else this.walk(n);
  }

  private netSeen = 0;
  private decoders = new Map<number, Decoder>();
  private lastNet: Step[] = [];
  private lastNetVal: Val | undefined;
  private fnNames = new Map<number, string>();

  private mergeRet(fn: FnInfo, v: Val): void {
    const t = fn.ret.taint | v.taint;
    if (t !== fn.ret.taint || (v.ref && !fn.ret.ref) || (v.str !== undefined && fn.ret.str === undefined)) {
      if (this.readSet.has(`ret:${fn.node.start}`)) this.changed = true;
      fn.ret = { ...union(fn.ret, v), ref: fn.ret.ref ?? v.ref, str: fn.ret.str ?? v.str };
    }
  }

  private noteTable(name: string, arr: Node): void {
    if (!this.final || arr.elements.length < 8) return;
    const strings = arr.elements.filter((e: Node | null) => e?.type === 'StringLiteral').map((e: Node) => e.value as string);
    if (strings.length >= 8 && strings.length >= arr.elements.length * 0.9) this.facts.stringTables.push({ line: this.line(arr), name, strings: strings.slice(0, 5000) });
  }

  // ── functions ──────────────────────────────────────────────────────────────────────────────────────────────
  private func(n: Node, opts: { importTime?: boolean; args?: Val[] } = {}): Val {
    let info = this.fns.get(n.start);
    if (!info) {
      info = { node: n, scope: 0, params: [], ret: empty(), importTime: false };
      this.fns.set(n.start, info);
    }
    if (opts.importTime && !info.importTime) info.importTime = true;
    this.walkedFns.add(n.start);
    const scope = this.scopeFor(n);
    scope.fn = info;
    info.scope = scope.id;
    this.scopes.push(scope);
    this.importStack.push(info.importTime);
    try {
      for (const p of n.params ?? []) this.declarePattern(p.type === 'TSParameterProperty' ? p.parameter : p);
      info.params = (n.params ?? []).map((p: Node) => (p.type === 'Identifier' ? p.name : p.type === 'AssignmentPattern' && p.left.type === 'Identifier' ? p.left.name : ''));
      if (opts.args) this.bindArgs(info, opts.args);
      if (n.id && n.type === 'FunctionExpression') this.scope.declared.add(n.id.name);
      if (n.body?.type === 'BlockStatement') {
        this.hoist(n.body.body);
        for (const st of n.body.body) this.walk(st);
      } else if (n.body) {
        this.mergeRet(info, this.eval(n.body));
      }
    } finally {
      this.importStack.pop();
      this.scopes.pop();
    }
    return { taint: 0, steps: NO_STEPS, ref: `localfn:${n.start}` };
  }

  private bindArgs(info: FnInfo, args: Val[], line?: number): void {
    args.forEach((a, i) => {
      const p = info.params[i];
      if (p && (a.taint || a.ref)) this.bind(`${info.scope}:${p}`, a.taint && line ? withStep(a, { line, text: `passed as ${p} to ${info.node.id?.name ?? info.node.key?.name ?? this.fnNames.get(info.node.start) ?? 'an inline function'}()` }) : a);
    });
  }

  // ── expressions ────────────────────────────────────────────────────────────────────────────────────────────
  /**
   * The value of an expression. A small dispatcher: the cases that take more than a line are methods of their own. One
   * large switch was recompiled by TurboFan again and again (70–100 ms each) as AST nodes of new shapes reached its
   * property loads, each time in whole; split, a new shape costs the recompilation of the one small method it reached.
   */
  eval(n: Node | null | undefined): Val {
    if (!n || typeof n !== 'object') return empty();
    this.tick();
    switch (n.type) {
      case 'StringLiteral':
        return this.stringLiteral(n);
      case 'NumericLiteral':
        return { taint: 0, steps: NO_STEPS, num: n.value };
      case 'TemplateLiteral':
        return this.templateLiteral(n);
      case 'Identifier':
        return this.ident(n);
      case 'TSAsExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TSSatisfiesExpression':
      case 'ParenthesizedExpression':
      case 'AwaitExpression':
      case 'TypeCastExpression':
        return this.eval(n.expression ?? n.argument);
      case 'SequenceExpression':
        return this.sequence(n);
      case 'BinaryExpression':
        return this.binary(n);
      case 'UnaryExpression':
        return this.unary(n);
      case 'LogicalExpression':
      case 'ConditionalExpression':
        return this.branches(n);
      case 'AssignmentExpression':
        return this.assignment(n);
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        return this.memberExpression(n);
      case 'CallExpression':
      case 'OptionalCallExpression':
        return this.call(n);
      case 'NewExpression':
        return this.construct(n);
      case 'ObjectExpression':
        return this.object(n);
      case 'ArrayExpression':
        return this.array(n);
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return this.functionExpression(n);
      case 'ClassExpression':
        this.walk(n);
        return empty();
      case 'TaggedTemplateExpression':
        this.eval(n.tag);
        return this.eval(n.quasi);
      case 'RegExpLiteral':
        return { taint: 0, steps: NO_STEPS, ref: `regex:${n.flags}:${n.pattern}` };
      case 'ImportExpression':
      case 'Import':
        return { taint: 0, steps: NO_STEPS, ref: 'import' };
      default:
        return this.otherExpression(n);
    }
  }

  private stringLiteral(n: Node): Val {
    if (this.final && n.value.length >= MIN_ENCODED && this.facts.literals.length < 2000) this.facts.literals.push({ line: this.line(n), value: n.value });
    return { taint: 0, steps: NO_STEPS, str: n.value };
  }

  private templateLiteral(n: Node): Val {
    const parts = n.expressions.map((e: Node) => this.eval(e));
    let s: string | undefined = '';
    n.quasis.forEach((q: Node, i: number) => {
      if (s !== undefined) s += q.value.cooked ?? q.value.raw;
      if (i < parts.length) s = s !== undefined && parts[i].str !== undefined ? s + parts[i].str : undefined;
    });
    return { ...union(...parts), str: s !== undefined && s.length <= MAX_STR ? s : undefined };
  }

  private sequence(n: Node): Val {
    const vals = n.expressions.map((e: Node) => this.eval(e));
    return vals[vals.length - 1] ?? empty();
  }

  private binary(n: Node): Val {
    const l = this.eval(n.left);
    const r = this.eval(n.right);
    const out = { ...union(l, r) };
    if (n.operator === '+') {
      const ls = l.str ?? (l.num !== undefined ? String(l.num) : undefined);
      const rs = r.str ?? (r.num !== undefined ? String(r.num) : undefined);
      if (ls !== undefined && rs !== undefined && (l.str !== undefined || r.str !== undefined) && ls.length + rs.length <= MAX_STR) out.str = ls + rs;
      else if (l.num !== undefined && r.num !== undefined) out.num = l.num + r.num;
    } else if (l.num !== undefined && r.num !== undefined) {
      const v = arith(n.operator, l.num, r.num);
      if (v !== undefined) out.num = v;
    }
    return out;
  }

  private unary(n: Node): Val {
    const a = this.eval(n.argument);
    if (n.operator === '-' && a.num !== undefined) return { ...a, num: -a.num };
    return union(a);
  }

  /** A logical or conditional expression: either branch's value (a ref or a string from the first that has one). */
  private branches(n: Node): Val {
    const vals = [n.test, n.left, n.right, n.consequent, n.alternate].filter(Boolean).map((e: Node) => this.eval(e));
    const out = { ...union(...vals) };
    const branch = n.type === 'LogicalExpression' ? [vals[0], vals[1]] : [vals[1], vals[2]];
    out.ref = branch.find((b) => b?.ref)?.ref;
    out.str = branch.find((b) => b?.str !== undefined)?.str;
    return out;
  }

  private assignment(n: Node): Val {
    const v = this.eval(n.right);
    if (n.left.type === 'Identifier') this.bindName(n.left.name, v);
    else if (n.left.type === 'MemberExpression') this.assignMember(n.left, v);
    else this.bindPattern(n.left, v);
    return v;
  }

  private memberExpression(n: Node): Val {
    const obj = this.eval(n.object);
    const prop = n.computed ? this.eval(n.property) : undefined;
    const name = n.computed ? (prop!.str ?? (prop!.num !== undefined ? String(prop!.num) : undefined)) : n.property.name;
    // process.env[key] where key is a parameter of a named helper (getEnv(key, fallback)) reads the one variable
    // its callers name, not the whole environment (a callback over Object.keys(process.env) is unnamed: unchanged).
    if (obj.ref === 'process.env' && prop && name === undefined && n.property.type === 'Identifier' && !(prop.taint & ENVWHOLE)) {
      const fn = this.innermostFn();
      const named = fn && (fn.node.id?.name ?? fn.node.key?.name ?? this.fnNames.get(fn.node.start));
      if (named && fn.params.includes(n.property.name as string))
        return { taint: ENV | prop.taint, steps: mergeSteps([{ line: this.line(n), text: `process.env[${n.property.name as string}] in ${named as string}()` }], prop.steps) };
    }
    const out = this.member(obj, name, n);
    if (obj.arr && prop?.num !== undefined) return union(out, obj.arr[prop.num] ?? empty());
    return prop ? { ...out, taint: out.taint | prop.taint, steps: mergeSteps(out.steps, prop.steps) } : out;
  }

  private object(n: Node): Val {
    const vals: Val[] = [];
    for (const p of n.properties) {
      if (p.type === 'SpreadElement') {
        const v = this.eval(p.argument);
        if (v.ref === 'process.env' && this.final) this.facts.envCollect.push({ line: this.line(p), text: `spread of the whole environment: ${this.src(p)}` });
        vals.push(v);
        continue;
      }
      const key = p.computed ? this.eval(p.key).str : (p.key?.name ?? p.key?.value);
      if (typeof key === 'string' && this.final && this.secretHeaders.includes(key.toLowerCase())) this.facts.secretHeaderLiterals.push({ line: this.line(p), text: `header ${key}` });
      if (p.type === 'ObjectMethod') this.walk(p);
      else vals.push(this.eval(p.value));
    }
    return union(...vals);
  }

  private array(n: Node): Val {
    const vals = n.elements.map((e: Node | null) => (e ? this.eval(e.type === 'SpreadElement' ? e.argument : e) : empty()));
    return { ...union(...vals), arr: vals.length <= 10_000 ? vals : undefined };
  }

  private functionExpression(n: Node): Val {
    this.importStack.push(false);
    try {
      return this.func(n);
    } finally {
      this.importStack.pop();
    }
  }

  /** Any other expression: the values of its expression children, its other children walked. */
  private otherExpression(n: Node): Val {
    const vals: Val[] = [];
    for (const k of Object.keys(n)) {
      if (k === 'loc' || k === 'type' || k === 'extra' || k.endsWith('Comments')) continue;
      const c = n[k];
      if (c && typeof c === 'object') {
        for (const x of Array.isArray(c) ? c : [c]) {
          if (x && typeof x.type === 'string') {
            if (isExpression(x)) vals.push(this.eval(x));
            else this.walk(x);
          }
        }
      }
    }
    return union(...vals);
  }

  private ident(n: Node): Val {
    const name = n.name as string;
    if (this.final && name.length >= 6 && name.charCodeAt(0) === 95 && name.charCodeAt(1) === 48 && /^_0x[\da-f]{3,}$/i.test(name)) this.facts.hexIdents++;
    const k = this.key(name);
    this.readSet.add(k);
    const bound = this.env.get(k);
    if (bound) return bound;
    if (this.declared(name)) return empty();
    switch (name) {
      case 'require':
      case 'eval':
      case 'Function':
      case 'process':
      case 'module':
      case 'Buffer':
      case 'String':
      case 'JSON':
      case 'Object':
      case 'Reflect':
      case 'atob':
      case 'decodeURIComponent':
      case 'unescape':
      case 'XMLHttpRequest':
        return { taint: 0, steps: NO_STEPS, ref: name };
      case 'global':
      case 'globalThis':
      case 'window':
      case 'self':
        return { taint: 0, steps: NO_STEPS, ref: 'global' };
      case 'fetch':
        return { taint: 0, steps: NO_STEPS, ref: 'net:fetch' };
      case 'axios':
        return { taint: 0, steps: NO_STEPS, ref: 'module:axios' };
      default:
        return empty();
    }
  }

  private assignMember(left: Node, v: Val): void {
    const obj = this.eval(left.object);
    const name = left.computed ? this.eval(left.property).str : left.property.name;
    if (obj.ref === 'global' && name !== undefined) {
      this.bind(`global:${name}`, v);
      if (this.final) this.facts.globalAliases.push({ line: this.line(left), text: this.src(left.object.type === 'Identifier' ? left : left, 60), isRequire: v.ref === 'require' });
      return;
    }
    // Taint flows into the object that holds it (`obj.payload = res.data; eval(obj.payload)`).
    let base = left.object;
    while (base.type === 'MemberExpression') base = base.object;
    if (base.type === 'Identifier' && (v.taint || v.ref === 'require')) this.bindName(base.name, union(v));
  }

  member(obj: Val, name: string | undefined, n: Node): Val {
    const ref = obj.ref;
    if (name === undefined) return union(obj);
    if (ref === 'global') {
      this.readSet.add(`global:${name}`);
      const alias = this.env.get(`global:${name}`);
      if (alias) return alias;
      return this.ident({ ...n, type: 'Identifier', name } as Node);
    }
    if (ref === 'process' && name === 'env') return { taint: ENV | ENVWHOLE, steps: [{ line: this.line(n), text: 'process.env' }], ref: 'process.env' };
    if (ref === 'process.env') return { taint: ENV, steps: [{ line: this.line(n), text: `process.env.${name}` }], envName: name };
    if (ref === 'module' && name === '_compile') return { taint: 0, steps: NO_STEPS, ref: 'module._compile' };
    if (name === '_compile') return { taint: 0, steps: NO_STEPS, ref: 'module._compile' };
    if (name === 'constructor' && (ref === 'Function' || ref?.startsWith('localfn:') || ref === 'proto')) return { taint: 0, steps: NO_STEPS, ref: ref === 'proto' ? 'AsyncFunction' : 'Function' };
    if (ref?.startsWith('module:')) {
      const mod = ref.slice(7).replace(/^node:/, '');
      if (mod === 'child_process' && this.cpFns.has(name)) return { taint: 0, steps: NO_STEPS, ref: `fn:child_process.${name}` };
      if (mod === 'vm' && this.vmFns.has(name)) return { taint: 0, steps: NO_STEPS, ref: `fn:vm.${name}` };
      if (mod === 'module' && name === 'prototype') return { taint: 0, steps: NO_STEPS, ref: 'module' };
      if (this.netModules.has(mod) && (this.netMethods.has(name) || name === 'default')) return { taint: 0, steps: NO_STEPS, ref: `net:${mod}.${name}` };
      if (mod === 'buffer' && name === 'Buffer') return { taint: 0, steps: NO_STEPS, ref: 'Buffer' };
      return { taint: 0, steps: NO_STEPS, ref: `module:${mod}.${name}` };
    }
    if (ref?.startsWith('net:') && this.netMethods.has(name)) return { taint: 0, steps: NO_STEPS, ref: `${ref}.${name}` };
    if (ref === 'Buffer' && name === 'from') return { taint: 0, steps: NO_STEPS, ref: 'fn:Buffer.from' };
    if (ref === 'String' && name === 'fromCharCode') return { taint: 0, steps: NO_STEPS, ref: 'fn:String.fromCharCode' };
    if (ref === 'JSON' && (name === 'stringify' || name === 'parse')) return { taint: 0, steps: NO_STEPS, ref: `fn:JSON.${name}` };
    if (ref === 'Object' && name === 'getPrototypeOf') return { taint: 0, steps: NO_STEPS, ref: 'fn:Object.getPrototypeOf' };
    if (ref === 'Reflect' && name === 'construct') return { taint: 0, steps: NO_STEPS, ref: 'fn:Reflect.construct' };
    if (ref === 'xhr' && /^response(?:Text|XML)?$/.test(name)) return { taint: NET, steps: [{ line: this.line(n), text: `XMLHttpRequest.${name}` }] };
    if (STRING_METHODS.has(name))
      return { taint: obj.taint, steps: obj.steps, ref: `strm:${name}`, recv: obj };
    if ((name === 'call' || name === 'apply') && ref) return { ...obj, ref: `${ref}#${name}` };
    if (name === 'then' || name === 'catch' || name === 'finally') return { ...obj, ref: `promise:${name}`, recv: obj };
    if (name === 'json' || name === 'text' || name === 'data' || name === 'body' || name === 'response') return union(obj);
    return union(obj);
  }

  private call(n: Node): Val {
    const calleeNode = n.callee as Node;
    const isIIFE = calleeNode.type === 'FunctionExpression' || calleeNode.type === 'ArrowFunctionExpression' || (calleeNode.type === 'ParenthesizedExpression' && /Function/.test(calleeNode.expression?.type));
    if (isIIFE) {
      const fnNode = calleeNode.type === 'ParenthesizedExpression' ? calleeNode.expression : calleeNode;
      const args = n.arguments.map((a: Node) => this.eval(a));
      this.func(fnNode, { importTime: this.importTime, args });
      const info = this.fns.get(fnNode.start)!;
      this.readSet.add(`ret:${fnNode.start}`);
      return info.ret;
    }
    let callee = this.eval(calleeNode);
    // `.then(cb)` / `.catch(cb)`: the callback's first parameter is the settled value (or the error body).
    if (callee.ref?.startsWith('promise:')) {
      const recv = callee.recv ?? empty();
      for (const a of n.arguments) {
        if (a.type === 'FunctionExpression' || a.type === 'ArrowFunctionExpression') {
          const v = recv.taint ? withStep(recv, { line: this.line(a), text: callee.ref === 'promise:catch' ? 'error of a network request (.catch)' : 'response (.then)' }) : recv;
          this.importStack.push(this.importTime);
          try {
            this.func(a, { importTime: this.importTime, args: [v] });
          } finally {
            this.importStack.pop();
          }
          const info = this.fns.get(a.start)!;
          callee = union(recv, info.ret);
        } else {
          const v = this.eval(a);
          if (v.ref === 'eval' || v.ref === 'Function') this.recordSink(a, v.ref === 'eval' ? 'eval' : 'Function', `.then(${v.ref})`, recv, false);
          if (v.ref?.startsWith('localfn:')) {
            const info = this.fns.get(Number(v.ref.slice(8)));
            if (info) this.bindArgs(info, [recv]);
          }
        }
      }
      return union(callee);
    }
    const args: Val[] = [];
    const r = callee.ref ?? '';
    const netCallee = r.startsWith('net:') || r === 'module:axios' || /^module:(?:node-fetch|cross-fetch|got|request|needle|superagent)$/.test(r);
    for (const a of n.arguments) {
      const isCallback = a.type === 'FunctionExpression' || a.type === 'ArrowFunctionExpression';
      // Callbacks of a request, or of a method on a response (`res.on('data', c => …)`), receive network data.
      if (isCallback && (netCallee || callee.taint & NET)) {
        const v: Val = netCallee ? { taint: NET, steps: [{ line: this.line(n), text: `response of ${r.replace(/^(?:net|module):/, '')}() (callback)` }] } : union(callee);
        this.importStack.push(false);
        try {
          this.func(a, { args: [v, v, v] }); // (err, res, body) in request-style callbacks
        } finally {
          this.importStack.pop();
        }
        args.push({ taint: 0, steps: NO_STEPS, ref: `localfn:${a.start}` });
        continue;
      }
      // setTimeout/nextTick callbacks at import still run at import; request handlers do not.
      const deferredButImport = isCallback && this.importTime && /^(?:setTimeout|setImmediate|process\.nextTick|queueMicrotask)$/.test(this.src(calleeNode, 40));
      if (isCallback && deferredButImport) {
        this.func(a, { importTime: true });
        args.push({ taint: 0, steps: NO_STEPS, ref: `localfn:${a.start}` });
      } else args.push(this.eval(a.type === 'SpreadElement' ? a.argument : a));
    }
    return this.apply(n, callee, args, false);
  }

  private construct(n: Node): Val {
    const callee = this.eval(n.callee);
    const args = (n.arguments ?? []).map((a: Node) => this.eval(a.type === 'SpreadElement' ? a.argument : a));
    if (callee.ref === 'XMLHttpRequest') {
      this.recordNet(n, 'XMLHttpRequest', empty(), []);
      return { taint: 0, steps: NO_STEPS, ref: 'xhr' };
    }
    return this.apply(n, callee, args, true);
  }

  private apply(n: Node, callee: Val, args: Val[], isNew: boolean): Val {
    let ref = callee.ref ?? '';
    if (ref.endsWith('#call')) {
      ref = ref.slice(0, -5);
      args = args.slice(1);
    } else if (ref.endsWith('#apply')) {
      ref = ref.slice(0, -6);
      args = args[1]?.arr ?? [union(...args.slice(1))];
    }
    const a0 = args[0] ?? empty();
    const line = this.line(n);
    switch (ref) {
      case 'require': {
        if (a0.str !== undefined) return { taint: 0, steps: NO_STEPS, ref: `module:${a0.str}` };
        if (a0.taint & (NET | DEC)) this.recordSink(n, 'require', 'require', a0, isNew);
        return union(a0);
      }
      case 'eval':
        this.recordSink(n, 'eval', 'eval', a0, false);
        return union(a0);
      case 'Function':
      case 'AsyncFunction':
        return this.ctorSink(n, ref, args);
      case 'fn:Reflect.construct': {
        if (callee.ref && (a0.ref === 'Function' || a0.ref === 'AsyncFunction')) return this.ctorSink(n, a0.ref, args[1]?.arr ?? [union(...args.slice(1))]);
        return empty();
      }
      case 'module._compile':
        this.recordSink(n, 'module._compile', 'module._compile', a0, false);
        return empty();
      case 'atob':
      case 'fn:Buffer.from':
      case 'decodeURIComponent':
      case 'unescape':
        return this.decodeCall(n, ref, a0, args[1]);
      case 'fn:String.fromCharCode': {
        const codes = args.map((a) => a.num);
        if (codes.every((c) => c !== undefined)) {
          const s = decodeCharCodes(codes as number[]);
          if (s !== undefined) {
            if (s.length >= 4) this.noteDecoded(n, ['charcode'], s);
            return { taint: union(...args).taint | (s.length >= 4 ? DEC : 0), steps: s.length >= 4 ? [{ line, text: `String.fromCharCode → "${short(s)}"` }] : [], str: s };
          }
        }
        return { ...union(...args), taint: union(...args).taint | DEC };
      }
      case 'fn:JSON.stringify':
        return union(a0);
      case 'fn:JSON.parse':
        return union(a0);
      case 'fn:Object.getPrototypeOf':
        return { taint: 0, steps: NO_STEPS, ref: a0.ref?.startsWith('localfn:') && this.isAsyncFn(a0.ref) ? 'proto' : undefined };
      case 'import':
        if (a0.taint & (NET | DEC)) {
          const idx = this.recordSink(n, 'require', 'import()', a0, false);
          const head = literalHead(n.arguments?.[0] ?? n.source);
          if (idx >= 0 && head !== undefined && LOCAL_SPECIFIER.test(head)) this.facts.sinks[idx].localSpecifier = true;
        }
        return empty();
    }
    if (ref.startsWith('strm:')) return this.stringMethod(ref.slice(5), callee.recv ?? empty(), args, n);
    if (ref.startsWith('fn:child_process.')) {
      const cmd = a0;
      const api = ref.slice(3);
      // execFile/spawn take the program and its arguments apart: the program is what matters.
      this.recordSink(n, 'child_process', api, { ...union(cmd, ...(api.startsWith('spawn') || api.startsWith('execFile') ? args.slice(1, 2) : [])), str: cmd.str }, false, cmd.str !== undefined);
      return empty();
    }
    if (ref.startsWith('fn:vm.')) {
      this.recordSink(n, 'vm', ref.slice(3), a0, false);
      return empty();
    }
    if (ref.startsWith('net:') || ref === 'module:axios' || /^module:(?:node-fetch|cross-fetch|got|request|needle|superagent|isomorphic-fetch|make-fetch-happen)$/.test(ref)) {
      return this.recordNet(n, ref.replace(/^(?:net|module):/, ''), a0, args);
    }
    if (ref.startsWith('ctor:')) {
      // Calling a constructed function: was `require` handed in?
      const idx = Number(ref.slice(5));
      const sink = this.facts.sinks[idx];
      if (sink && args.some((a) => a.ref === 'require')) sink.requirePassed = true;
      return empty();
    }
    if (ref.startsWith('localfn:')) {
      const decoder = this.decoders.get(Number(ref.slice(8)));
      if (decoder && a0.num !== undefined) {
        const s = decoder(a0.num);
        if (s !== undefined) {
          this.noteDecoded(n, ['string-table'], s);
          return { taint: DEC, steps: [{ line, text: `string table → "${short(s, 60)}"` }], str: s };
        }
      }
      const info = this.fns.get(Number(ref.slice(8)));
      if (info) {
        this.bindArgs(info, args, line);
        if (this.importTime && !info.importTime) {
          info.importTime = true;
          if (this.walkedFns.has(info.node.start)) this.changed = true;
        }
        this.readSet.add(`ret:${info.node.start}`);
        return withStep(info.ret, { line, text: `${this.src(n.callee, 40)}(…) returns it` });
      }
    }
    if (this.importTime && ref.startsWith('module:.')) {
      const body = ref.slice(7);
      const dot = body.lastIndexOf('.');
      const [spec, name] = dot > 0 && !body.slice(dot).includes('/') ? [body.slice(0, dot), body.slice(dot + 1)] : [body, 'default'];
      if (this.final && this.facts.importedCalls.length < 200) this.facts.importedCalls.push({ spec, name, line });
    }
    // Unknown function: its result may carry what went in (taint-lite), but no constant value survives.
    const out = union(callee.recv ?? empty(), ...args);
    if (callee.taint & NET) return union(out, callee);
    return out;
  }

  private isAsyncFn(ref: string): boolean {
    return !!this.fns.get(Number(ref.slice(8)))?.node.async;
  }

  private ctorSink(n: Node, kind: string, args: Val[]): Val {
    const params = args.slice(0, -1).map((a) => a.str ?? '');
    const body = args[args.length - 1] ?? empty();
    const requireParam = params.some((p) => /(?:^|,)\s*require\s*(?:,|$)/.test(p));
    const idx = this.recordSink(n, kind === 'AsyncFunction' ? 'AsyncFunction' : 'Function', kind === 'AsyncFunction' ? 'AsyncFunction constructor' : 'Function constructor', body, false, body.str !== undefined, requireParam);
    return { taint: 0, steps: NO_STEPS, ref: idx >= 0 ? `ctor:${idx}` : undefined };
  }

  private recordSink(n: Node, kind: SinkKind, api: string, arg: Val, _isNew: boolean, constant = arg.str !== undefined, requireParam = false): number {
    if (!this.final) return -1;
    const sink: Sink = { kind, api, line: this.line(n), column: (n.loc?.start.column ?? 0) + 1, importTime: this.importTime, arg, requireParam, requirePassed: false, constant };
    const dead = this.deadAt(n.start);
    if (dead) sink.unreachable = dead;
    this.facts.sinks.push(sink);
    return this.facts.sinks.length - 1;
  }

  private recordNet(n: Node, api: string, url: Val, args: Val[]): Val {
    this.netSeen++;
    const line = this.line(n);
    const envArg = args.find((a) => a.taint & ENVWHOLE);
    const headers: string[] = [];
    if (this.final) {
      const src = this.text.slice(n.start, Math.min(n.end, n.start + 4000)).toLowerCase();
      for (const h of this.secretHeaders) if (src.includes(h)) headers.push(h);
      const fn = this.innermostFn();
      const inFunction = fn ? (fn.node.id?.name ?? fn.node.key?.name ?? this.fnNames.get(fn.node.start)) : undefined;
      const dead = this.deadAt(n.start);
      this.facts.net.push({ api, line, column: (n.loc?.start.column ?? 0) + 1, importTime: this.importTime, url, sendsEnv: !!envArg, envSteps: envArg?.steps ?? [], secretHeaders: headers, inFunction, ...(dead ? { unreachable: dead } : {}) });
    }
    const urlText = url.str ?? (url.envName ? `process.env.${url.envName}` : this.src(n.arguments?.[0] ?? n, 60));
    const steps = mergeSteps(url.steps, [{ line, text: `response of ${api}(${short(urlText, 80)})` }]);
    this.lastNet = steps;
    this.lastNetVal = { taint: NET, steps, envName: url.envName, xform: url.xform };
    return this.lastNetVal;
  }

  private decodeCall(n: Node, ref: string, a0: Val, enc: Val | undefined): Val {
    const line = this.line(n);
    let method: DecodeMethod | undefined;
    let out: string | undefined;
    if (ref === 'atob') method = 'base64';
    else if (ref === 'fn:Buffer.from') {
      const e = (enc?.str ?? 'utf8').toLowerCase();
      method = e === 'base64' ? 'base64' : e === 'base64url' ? 'base64url' : e === 'hex' ? 'hex' : undefined;
      if (!method) return { ...union(a0), str: a0.str };
    } else method = 'uri';
    if (a0.str !== undefined) {
      if (method === 'base64' || method === 'base64url') out = decodeBase64(a0.str, false);
      else if (method === 'hex') out = decodeHex(a0.str);
      else {
        try {
          out = decodeURIComponent(a0.str);
        } catch {
          out = undefined;
        }
      }
    }
    const base = { ...union(a0) };
    // URL decoding is everyday web code, not hiding: only base64/hex mark a value as decoded.
    if (method !== 'uri') base.taint |= DEC;
    if (out !== undefined && isReadable(out)) {
      this.noteDecoded(n, [method], out);
      return { ...base, str: out, steps: mergeSteps(base.steps, [{ line, text: `${method} decode → "${short(out)}"` }]) };
    }
    return { ...base, steps: mergeSteps(base.steps, [{ line, text: `${method} decode of ${a0.envName ? `process.env.${a0.envName}` : 'a value'}` }]) };
  }

  private stringMethod(m: string, recv: Val, args: Val[], n: Node): Val {
    const s = recv.str;
    const base: Val = { taint: recv.taint | union(...args).taint, steps: mergeSteps(recv.steps, union(...args).steps), envName: recv.envName, xform: recv.xform };
    if (s === undefined) {
      if ((m === 'replace' || m === 'replaceAll') && recv.envName && args[1]?.str !== undefined) {
        const from = args[0]?.str ?? args[0]?.ref?.match(/^regex:[a-z]*:([\w%$!@#&-]+)$/)?.[1];
        if (from !== undefined) return { ...base, xform: [...(recv.xform ?? []), { from, to: args[1].str }], steps: mergeSteps(base.steps, [{ line: this.line(n), text: `junk token '${from}' removed` }]) };
      }
      return base;
    }
    const a0 = args[0];
    switch (m) {
      case 'replace':
      case 'replaceAll': {
        if (a0?.str !== undefined && args[1]?.str !== undefined) return { ...base, str: m === 'replace' ? s.replace(a0.str, () => args[1].str!) : s.split(a0.str).join(args[1].str) };
        const re = a0?.ref?.match(/^regex:([a-z]*):(.*)$/s);
        if (re && args[1]?.str !== undefined && /^[\w%$!@#&-]+$/.test(re[2])) return { ...base, str: re[1].includes('g') ? s.split(re[2]).join(args[1].str) : s.replace(re[2], () => args[1].str!) };
        return base;
      }
      case 'split':
        return a0?.str === '' ? { ...base, str: s, chars: true } : base;
      case 'reverse':
        if (recv.chars) {
          const r = reverse(s);
          this.noteDecoded(n, ['reverse'], r);
          return { ...base, str: r, chars: true, taint: base.taint | DEC, steps: mergeSteps(base.steps, [{ line: this.line(n), text: `reversed → "${short(r)}"` }]) };
        }
        return base;
      case 'join':
        return recv.chars && (a0?.str === '' || a0 === undefined) ? { ...base, str: recv.chars && a0?.str === '' ? s : s.split('').join(',') } : base;
      case 'toString':
        return { ...base, str: s };
      case 'trim':
        return { ...base, str: s.trim() };
      case 'slice':
      case 'substring':
        return a0?.num !== undefined ? { ...base, str: s.slice(a0.num, args[1]?.num) } : base;
      case 'concat':
        return args.every((a) => a.str !== undefined) ? { ...base, str: s + args.map((a) => a.str).join('') } : base;
      default:
        return base;
    }
  }
}

function arith(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : a / b;
    case '%':
      return b === 0 ? undefined : a % b;
    case '^':
      return a ^ b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    default:
      return undefined;
  }
}

export function short(s: string, max = 120): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

const exprTypes = new Map<string, boolean>();
function isExpression(n: Node): boolean {
  let e = exprTypes.get(n.type);
  if (e === undefined) {
    e = /Expression$|Literal$|^Identifier$|^Super$|^ThisExpression$|^Import$/.test(n.type) && n.type !== 'ExpressionStatement';
    exprTypes.set(n.type, e);
  }
  return e;
}

/** Decode the standalone literals of a file (no call told us how): base64/hex blobs of 16+ characters. */
export function decodeLiterals(literals: { line: number; value: string }[]): DecodedString[] {
  const out: DecodedString[] = [];
  for (const l of literals) {
    for (const d of decodeLiteral(l.value)) out.push({ line: l.line, methods: d.methods, value: d.value });
    if (out.length > 500) break;
  }
  return out;
}
