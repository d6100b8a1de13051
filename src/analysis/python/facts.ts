/**
 * Python source facts (THREATS T13) from a @lezer/python tree: constant folding of string literals, the inline
 * decoders lures use (base64, zlib, bytes.fromhex, [::-1]), network sources, and the sinks exec/eval/compile,
 * marshal/pickle/yaml loaders, subprocess/os.system (pip install at run time) and writes to hidden home paths.
 * Where code runs is tracked: module top level (import time), setup.py cmdclass, or inside functions.
 */
import { parser } from '@lezer/python';
import type { SyntaxNode } from '@lezer/common';
import { decodeBase64, decodeHex, inflateText, isReadable, reverse } from '../decode.js';
import { short, type Step } from '../js/facts.js';

const NET = 1;
const DEC = 2;

interface PVal {
  str?: string;
  bin?: Buffer;
  taint: number;
  steps: Step[];
}

export interface PySink {
  kind: 'exec' | 'deserialize' | 'process' | 'hidden-write';
  api: string;
  line: number;
  topLevel: boolean;
  taint: number;
  steps: Step[];
  /** Argument text (bounded) and decoded value where known. */
  argText: string;
  decoded?: string;
  pipInstall?: boolean;
  safeLoader?: boolean;
}

export interface PyNet {
  api: string;
  line: number;
  topLevel: boolean;
  url?: string;
}

export interface PyFacts {
  sinks: PySink[];
  net: PyNet[];
  decoded: { line: number; methods: string[]; value: string }[];
  /** setup.py passes cmdclass= (custom install commands). */
  cmdclass: boolean;
  literals: { line: number; value: string }[];
}

const NET_CALLS = /^(?:requests\.(?:get|post|put|request|Session)|urllib\.request\.(?:urlopen|urlretrieve|Request)|urllib2?\.urlopen|urlopen|urlretrieve|http\.client\.HTTPS?Connection|HTTPS?Connection|socket\.(?:socket|create_connection)|httpx\.(?:get|post|Client|AsyncClient)|aiohttp\.ClientSession|session\.(?:get|post)|s\.(?:get|post))$/;
const PROCESS_CALLS = /^(?:subprocess\.(?:run|call|check_call|check_output|Popen|getoutput)|os\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)|run|call|Popen|check_call|check_output)$/;

function pyString(raw: string): string | undefined {
  const m = /^([rbuf]{0,2})('''|"""|'|")/i.exec(raw);
  if (!m) return undefined;
  const q = m[2];
  if (!raw.endsWith(q) || raw.length < m[0].length + q.length) return undefined;
  const body = raw.slice(m[0].length, raw.length - q.length);
  if (/r/i.test(m[1])) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[nrt'"\\0\n])/g, (_, e: string) => {
    if (e[0] === 'x' || e[0] === 'u') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', "'": "'", '"': '"', '\\': '\\', '0': '\0', '\n': '' } as Record<string, string>)[e] ?? e;
  });
}

export class PyAnalyzer {
  private env = new Map<string, PVal>();
  private aliases = new Map<string, string>();
  private facts!: PyFacts;
  private final = false;
  private changed = false;
  private lineStarts: number[] = [0];
  private visited = 0;
  private readonly deadline: number;

  constructor(
    private readonly text: string,
    private readonly hiddenPaths: string[],
    maxMs: number,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    this.deadline = Date.now() + maxMs;
  }

  private fromSubprocess?: Set<string>;
  /** Names the file imports from subprocess (`from subprocess import run, Popen as P`: run, P). */
  private subprocessNames(): Set<string> {
    if (this.fromSubprocess) return this.fromSubprocess;
    const out = new Set<string>();
    for (const m of this.text.matchAll(/^[ \t]*from[ \t]+subprocess[ \t]+import[ \t]+\(?([\w ,\t\n]{1,400})/gm))
      for (const part of m[1].split(',')) {
        const words = part.trim().split(/\s+/);
        const local = words[1] === 'as' && words[2] ? words[2] : words[0];
        if (local) out.add(local === '*' ? 'run' : local);
      }
    if (/^[ \t]*from[ \t]+subprocess[ \t]+import[ \t]+\*/m.test(this.text)) for (const n of ['run', 'call', 'Popen', 'check_call', 'check_output']) out.add(n);
    this.fromSubprocess = out;
    return out;
  }

  run(): PyFacts {
    const tree = parser.parse(this.text);
    for (let pass = 0; pass < 3; pass++) {
      this.changed = false;
      this.walkAll(tree.topNode);
      if (!this.changed) break;
    }
    this.final = true;
    this.walkAll(tree.topNode);
    return this.facts;
  }

  private walkAll(top: SyntaxNode): void {
    this.facts = { sinks: [], net: [], decoded: [], cmdclass: false, literals: [] };
    this.visited = 0;
    this.walk(top);
  }

  private line(n: SyntaxNode): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= n.from) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private src(n: SyntaxNode, max = 200): string {
    return this.text.slice(n.from, Math.min(n.to, n.from + max));
  }

  private topLevel(n: SyntaxNode): boolean {
    for (let p = n.parent; p; p = p.parent) if (p.name === 'FunctionDefinition' || p.name === 'ClassDefinition' || p.name === 'LambdaExpression') return false;
    return true;
  }

  private walk(n: SyntaxNode): void {
    if (++this.visited > 300_000 || ((this.visited & 1023) === 0 && Date.now() > this.deadline)) throw new Error('python analysis budget exceeded');
    if (n.name === 'ImportStatement') return this.importStmt(n);
    if (n.name === 'AssignStatement') {
      const kids = n.getChildren('VariableName');
      const value = n.lastChild;
      if (value && kids.length && kids[0].to <= (n.getChild('AssignOp')?.from ?? 0)) {
        const v = this.eval(value);
        for (const k of kids) if (k.to <= (n.getChild('AssignOp')?.from ?? 0)) this.bind(this.src(k), v);
        return;
      }
    }
    if (n.name === 'CallExpression' || n.name === 'MemberExpression' || n.name === 'BinaryExpression') {
      this.eval(n);
      return;
    }
    if (n.name === 'String' && this.final) {
      const s = pyString(this.src(n, 1 << 20));
      if (s && s.length >= 16 && this.facts.literals.length < 2000) this.facts.literals.push({ line: this.line(n), value: s });
    }
    for (let c = n.firstChild; c; c = c.nextSibling) this.walk(c);
  }

  private importStmt(n: SyntaxNode): void {
    const names = n.getChildren('VariableName').map((v) => this.src(v));
    const text = this.src(n);
    const from = /^from\s+([\w.]+)\s+import/.exec(text);
    if (from) {
      // from a.b import c as d  → d means a.b.c
      const parts = text.slice(from[0].length).split(',');
      for (const p of parts) {
        const m = /(\w+)(?:\s+as\s+(\w+))?/.exec(p.trim().replace(/[()]/g, ''));
        if (m) this.aliases.set(m[2] ?? m[1], `${from[1]}.${m[1]}`);
      }
    } else {
      for (const p of text.replace(/^import\s+/, '').split(',')) {
        const m = /([\w.]+)(?:\s+as\s+(\w+))?/.exec(p.trim());
        if (m && m[2]) this.aliases.set(m[2], m[1]);
      }
    }
    void names;
  }

  private bind(name: string, v: PVal): void {
    const old = this.env.get(name);
    if (!old || (v.taint | old.taint) !== old.taint || (v.str !== undefined && old.str === undefined)) {
      this.env.set(name, { str: old?.str ?? v.str, bin: old?.bin ?? v.bin, taint: (old?.taint ?? 0) | v.taint, steps: [...(old?.steps ?? []), ...v.steps].slice(-8) });
      this.changed = true;
    }
  }

  private callee(n: SyntaxNode): string {
    const raw = this.src(n, 120).replace(/\s+/g, '');
    const head = raw.split('.')[0];
    const alias = this.aliases.get(head);
    return alias ? alias + raw.slice(head.length) : raw;
  }

  private eval(n: SyntaxNode | null): PVal {
    if (!n) return { taint: 0, steps: [] };
    if (++this.visited > 300_000) throw new Error('python analysis budget exceeded');
    switch (n.name) {
      case 'String': {
        const s = pyString(this.src(n, 1 << 20));
        if (this.final && s && s.length >= 16 && this.facts.literals.length < 2000) this.facts.literals.push({ line: this.line(n), value: s });
        return { str: s, taint: 0, steps: [] };
      }
      case 'ContinuedString': {
        let s = '';
        for (let c = n.firstChild; c; c = c.nextSibling) {
          const v = pyString(this.src(c, 1 << 20));
          if (v === undefined) return { taint: 0, steps: [] };
          s += v;
        }
        return { str: s, taint: 0, steps: [] };
      }
      case 'VariableName':
        return this.env.get(this.src(n)) ?? { taint: 0, steps: [] };
      case 'ParenthesizedExpression':
        return this.eval(n.firstChild?.nextSibling ?? null);
      case 'BinaryExpression': {
        const l = this.eval(n.firstChild);
        const r = this.eval(n.lastChild);
        const op = n.firstChild?.nextSibling;
        const out: PVal = { taint: l.taint | r.taint, steps: [...l.steps, ...r.steps].slice(-8) };
        if (op && this.src(op) === '+' && l.str !== undefined && r.str !== undefined) out.str = l.str + r.str;
        return out;
      }
      case 'MemberExpression': {
        const obj = this.eval(n.firstChild);
        if (/\[\s*:\s*:\s*-1\s*\]$/.test(this.src(n, 1 << 20).slice(-12))) {
          if (obj.str !== undefined) {
            const r = reverse(obj.str);
            this.note(n, ['reverse'], r);
            return { str: r, taint: obj.taint | DEC, steps: [...obj.steps, { line: this.line(n), text: `[::-1] → "${short(r)}"` }] };
          }
          return { ...obj, taint: obj.taint | DEC };
        }
        for (let c = n.firstChild?.nextSibling; c; c = c.nextSibling) if (c.name !== 'PropertyName') this.eval(c);
        return { taint: obj.taint, steps: obj.steps };
      }
      case 'CallExpression':
        return this.call(n);
      default: {
        let out: PVal = { taint: 0, steps: [] };
        for (let c = n.firstChild; c; c = c.nextSibling) {
          const v = this.eval(c);
          out = { taint: out.taint | v.taint, steps: [...out.steps, ...v.steps].slice(-8), str: out.str };
        }
        return out;
      }
    }
  }

  private note(n: SyntaxNode, methods: string[], value: string): void {
    if (this.final && this.facts.decoded.length < 500) this.facts.decoded.push({ line: this.line(n), methods, value: value.slice(0, 4096) });
  }

  private call(n: SyntaxNode): PVal {
    const calleeNode = n.firstChild!;
    const name = this.callee(calleeNode);
    const argList = n.getChild('ArgList');
    const args: PVal[] = [];
    const kw = new Map<string, string>();
    if (argList) {
      for (let c = argList.firstChild; c; c = c.nextSibling) {
        if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') {
          kw.set(this.src(c), this.src(c.nextSibling.nextSibling!, 200));
          this.eval(c.nextSibling.nextSibling);
          c = c.nextSibling.nextSibling!;
          continue;
        }
        if (c.name === '(' || c.name === ')' || c.name === ',') continue;
        args.push(this.eval(c));
      }
    }
    const recv = calleeNode.name === 'MemberExpression' ? this.eval(calleeNode.firstChild) : { taint: 0, steps: [] as Step[] };
    const a0 = args[0] ?? { taint: 0, steps: [] };
    const all: PVal = { taint: args.reduce((t, a) => t | a.taint, recv.taint), steps: [...recv.steps, ...args.flatMap((a) => a.steps)].slice(-8) };
    const line = this.line(n);
    const top = this.topLevel(n);
    const last = name.split('.').pop()!;
    if (this.final && name === 'setup' && kw.has('cmdclass')) this.facts.cmdclass = true;
    // decoders
    if (/(?:^|\.)(?:b64decode|urlsafe_b64decode|standard_b64decode|decodebytes)$/.test(name)) {
      const s = a0.str ?? a0.bin?.toString('latin1');
      if (s !== undefined) {
        const bin = Buffer.from(s.replace(/\s+/g, ''), /urlsafe/.test(name) ? 'base64url' : 'base64');
        const txt = bin.toString('utf8');
        if (isReadable(txt)) this.note(n, ['base64'], txt);
        return { str: isReadable(txt) ? txt : undefined, bin, taint: all.taint | DEC, steps: [...a0.steps, { line, text: `base64 decode${isReadable(txt) ? ` → "${short(txt)}"` : ''}` }] };
      }
      return { ...all, taint: all.taint | DEC };
    }
    if (/(?:^|\.)decompress$/.test(name) && /zlib|gzip|bz2|lzma|^decompress$/.test(name)) {
      const txt = a0.bin ? inflateText(a0.bin) : undefined;
      if (txt) this.note(n, ['zlib'], txt);
      return { str: txt, taint: all.taint | DEC, steps: [...a0.steps, { line, text: `zlib decompress${txt ? ` → "${short(txt)}"` : ''}` }] };
    }
    if (name === 'bytes.fromhex' || /(?:^|\.)unhexlify$/.test(name)) {
      const txt = a0.str !== undefined ? decodeHex(a0.str.replace(/\s+/g, '')) : undefined;
      if (txt) this.note(n, ['hex'], txt);
      return { str: txt, bin: a0.str !== undefined && /^(?:[0-9a-f]{2})*$/i.test(a0.str) ? Buffer.from(a0.str, 'hex') : undefined, taint: all.taint | DEC, steps: [...a0.steps, { line, text: `hex decode${txt ? ` → "${short(txt)}"` : ''}` }] };
    }
    if (last === 'decode' && calleeNode.name === 'MemberExpression') return { ...recv, str: recv.str ?? recv.bin?.toString('utf8') };
    if (last === 'encode' && calleeNode.name === 'MemberExpression') return { ...recv, bin: recv.str !== undefined ? Buffer.from(recv.str, 'utf8') : undefined };
    if (/(?:^|\.)expanduser$|^os\.path\.join$|(?:^|\.)join$/.test(name) && args.every((a) => a.str !== undefined)) return { str: args.map((a) => a.str).join('/'), taint: all.taint, steps: all.steps };
    // sources
    // A Unix-domain socket is local IPC (ansible's connection plugin), not the network.
    if (NET_CALLS.test(name) && !(name.includes('socket') && /AF_UNIX/.test(this.src(argList ?? n, 200)))) {
      if (this.final) this.facts.net.push({ api: name, line, topLevel: top, url: a0.str });
      return { taint: all.taint | NET, steps: [...all.steps, { line, text: `response of ${name}(${short(a0.str ?? this.src(argList ?? n, 60), 80)})` }] };
    }
    // sinks
    if (/^(?:exec|eval|compile|builtins\.exec|builtins\.eval)$/.test(name)) {
      this.sink('exec', name, n, a0, top, argList);
      return all;
    }
    if (/^(?:marshal\.loads|pickle\.loads?|cPickle\.loads?|dill\.loads?|yaml\.load|yaml\.unsafe_load|yaml\.full_load)$/.test(name)) {
      const safe = name.startsWith('yaml') && /Safe|BaseLoader/.test(kw.get('Loader') ?? this.src(argList ?? n));
      this.sink('deserialize', name, n, a0, top, argList, { safeLoader: name === 'yaml.load' ? safe : undefined });
      return { ...all, taint: all.taint | (name.startsWith('marshal') ? DEC : 0) };
    }
    // A bare run()/call()/Popen() is subprocess's only when the file imports it from there (a test helper named run()
    // is not a process launch).
    if (PROCESS_CALLS.test(name) && (name.includes('.') || this.subprocessNames().has(name))) {
      const txt = this.src(argList ?? n, 400);
      this.sink('process', name, n, a0, top, argList, { pipInstall: /\bpip\b[^)]{1,80}install\b/.test(txt) || /-m['",\s]+pip/.test(txt) });
      return all;
    }
    if (name === 'open' || /(?:^|\.)(?:write_text|write_bytes|makedirs|mkdir)$/.test(name)) {
      const p = (calleeNode.name === 'MemberExpression' ? recv.str : a0.str) ?? this.src(argList ?? n, 200);
      const hit = this.hiddenPaths.find((h) => p.includes(`${h}/`) || p.endsWith(h) || p.includes(`'${h}'`) || p.includes(`"${h}"`));
      if (hit && (name !== 'open' || /['"][wa]b?\+?['"]/.test(this.src(argList ?? n, 400)) || name !== 'open')) this.sink('hidden-write', name, n, { str: p, taint: 0, steps: [] }, top, argList);
      return all;
    }
    return all;
  }

  private sink(kind: PySink['kind'], api: string, n: SyntaxNode, a0: PVal, top: boolean, argList: SyntaxNode | null, extra: Partial<PySink> = {}): void {
    if (!this.final) return;
    this.facts.sinks.push({ kind, api, line: this.line(n), topLevel: top, taint: a0.taint, steps: a0.steps, argText: short(this.src(argList ?? n, 300), 200), decoded: a0.str, ...extra });
  }
}

/** Literals that decode on their own (base64 blobs in a Python "config"). */
export function decodePyLiteral(s: string): string | undefined {
  return decodeBase64(s.replace(/\s+/g, ''));
}
