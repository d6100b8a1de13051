/**
 * Obfuscator string tables (THREATS T09): javascript-obfuscator keeps every string in one array, optionally
 * encoded with its own base64 alphabet (lower case first) and rotated by an IIFE until a checksum matches. The
 * order does not change what the strings say, so each entry is decoded on its own (bounded), and the readable
 * results are what the finding shows: hosts, URLs, module names.
 */
import { isReadable, decodeBase64 } from '../decode.js';

const OBF_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';

/** javascript-obfuscator's `stringArrayEncoding: ['base64']` decoder, reimplemented (never evaluated from the file). */
export function obfuscatorBase64(s: string): string | undefined {
  if (s.length > 64 * 1024 || !/^[\w+/=]+$/.test(s)) return undefined;
  let std = '';
  for (const ch of s) {
    const i = OBF_ALPHABET.indexOf(ch);
    if (i < 0) return undefined;
    std += STD_ALPHABET[i];
  }
  const bytes = Buffer.from(std.split('=')[0], 'base64');
  let out: string;
  try {
    out = decodeURIComponent(
      Array.from(bytes)
        .map((b) => `%${b.toString(16).padStart(2, '0')}`)
        .join(''),
    );
  } catch {
    return undefined;
  }
  return isReadable(out) && /[a-z]{2}/i.test(out) ? out : undefined;
}

export interface TableString {
  raw: string;
  value: string;
  how: 'plain' | 'obfuscator-base64' | 'base64';
}

export function decodeTable(strings: string[], max = 5000): TableString[] {
  const out: TableString[] = [];
  // If most entries decode with the obfuscator alphabet, the table is encoded that way.
  const sample = strings.slice(0, 50);
  const obf = sample.filter((s) => s.length >= 4 && obfuscatorBase64(s) !== undefined).length >= sample.length * 0.6;
  for (const s of strings.slice(0, max)) {
    if (obf) {
      const v = obfuscatorBase64(s);
      if (v !== undefined) {
        out.push({ raw: s, value: v, how: 'obfuscator-base64' });
        continue;
      }
    }
    const b = s.length >= 16 ? decodeBase64(s) : undefined;
    if (b && /[a-z]{3}/i.test(b)) out.push({ raw: s, value: b, how: 'base64' });
    else out.push({ raw: s, value: s, how: 'plain' });
  }
  return out;
}

/** The entries worth showing a reader: URLs, hosts, module and sink names, paths. */
export function interesting(values: string[]): string[] {
  return values.filter((v) => /https?:\/\/|\b\d{1,3}(?:\.\d{1,3}){3}\b|^(?:child_process|require|eval|exec|execSync|spawn|axios|request|fs|os|path|crypto|https?|Function|constructor)$|\.(?:com|io|app|net|org|site|ru|xyz)\b|process\.env|\/(?:api|uploads|pdown|client)\b|Local Extension Settings|Login Data/.test(v));
}

/**
 * Static solution of javascript-obfuscator string arrays: find the table, the decoder (`i = i - OFFSET; return t[i]`,
 * optionally base64 with the obfuscator alphabet) and the rotation IIFE (`while(!![]) { … parseInt(d(0x1a)) … ===
 * TARGET … push(shift()) }`), then try each rotation, evaluating the checksum expression with a tiny evaluator over
 * numbers, parseInt and decoder calls only, until it equals TARGET. Bounded: at most `table length` rotations, each
 * a walk of one small expression. Returns decoder function positions → index → string.
 */
import type { Node } from './parse.js';

export type Decoder = (i: number) => string | undefined;

function walkNodes(n: unknown, visit: (n: Node, parent: Node | undefined) => boolean | void, parent?: Node, budget = { left: 200_000 }): void {
  if (!n || typeof n !== 'object' || budget.left-- <= 0) return;
  if (Array.isArray(n)) {
    for (const c of n) walkNodes(c, visit, parent, budget);
    return;
  }
  const node = n as Node;
  if (typeof node.type !== 'string') return;
  if (visit(node, parent) === false) return;
  for (const k of Object.keys(node)) {
    if (k === 'loc' || k === 'extra' || k.endsWith('Comments')) continue;
    const c = node[k];
    if (c && typeof c === 'object') walkNodes(c, visit, node, budget);
  }
}

function jsParseInt(s: string | undefined): number {
  return s === undefined ? NaN : parseInt(s, 10);
}

export function solveStringArrays(program: Node, text: string): Map<number, Decoder> {
  const out = new Map<number, Decoder>();
  // 1. tables: name → strings (a `var x = [...]` or a function that declares and returns one)
  const tables = new Map<string, string[]>();
  const fnDecls: Node[] = [];
  walkNodes(program, (n) => {
    if (n.type === 'FunctionDeclaration' && n.id) fnDecls.push(n);
    if (n.type === 'VariableDeclarator' && n.id?.type === 'Identifier' && n.init?.type === 'ArrayExpression' && n.init.elements.length >= 5) {
      const strs = n.init.elements.map((e: Node | null) => (e?.type === 'StringLiteral' ? (e.value as string) : undefined));
      if (strs.every((s: string | undefined) => s !== undefined)) tables.set(n.id.name, strs as string[]);
    }
  });
  for (const f of fnDecls) {
    const src = text.slice(f.start, Math.min(f.end, f.start + 200_000));
    for (const [name, strs] of [...tables]) if (src.includes(name) && /return/.test(src) && !tables.has(f.id.name)) tables.set(f.id.name, strs);
  }
  if (!tables.size) return out;
  // 2. decoders: functions that subtract a constant from their first parameter and index a table
  const decoders: { node: Node; name: string; offset: number; table: string; b64: boolean }[] = [];
  for (const f of fnDecls) {
    const p0 = f.params?.[0]?.name as string | undefined;
    if (!p0) continue;
    const src = text.slice(f.start, Math.min(f.end, f.start + 50_000));
    const m = new RegExp(`\\b${p0.replace(/\$/g, '\\$')}\\s*=\\s*${p0.replace(/\$/g, '\\$')}\\s*-\\s*(0x[\\da-f]+|\\d+)`, 'i').exec(src);
    // The inner reassigned function has its own parameter names; accept any `a = a - N`.
    const any = m ?? /(?<![\w$])([\w$]{1,40})\s*=\s*\1\s*-\s*(0x[\da-f]+|\d+)/i.exec(src);
    if (!any) continue;
    const table = [...tables.keys()].find((t) => t !== f.id.name && src.includes(t));
    if (!table) continue;
    const offset = Number(any[any.length - 1]);
    decoders.push({ node: f, name: f.id.name, offset, table, b64: src.includes('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ') });
  }
  if (!decoders.length) return out;
  // 3. rotation IIFEs: (function(T, TARGET){ … while(!![]) … }(T, 0x…))
  const rotations = new Map<string, number>();
  walkNodes(program, (n) => {
    if (n.type !== 'CallExpression' || n.arguments?.length < 2) return;
    const callee = n.callee?.type === 'ParenthesizedExpression' ? n.callee.expression : n.callee;
    if (!/Function/.test(callee?.type ?? '')) return;
    const [t, target] = n.arguments;
    if (t.type !== 'Identifier' || !tables.has(t.name)) return;
    const strs = tables.get(t.name)!;
    const dec = decoders.find((d) => d.table === t.name || tables.get(d.table) === strs);
    if (!dec) return;
    const targetNum = target.type === 'NumericLiteral' ? (target.value as number) : undefined;
    let expr: Node | undefined;
    walkNodes(callee.body, (m) => {
      if (!expr && m.type === 'VariableDeclarator' && m.init && text.slice(m.init.start, m.init.end).includes('parseInt')) expr = m.init;
      if (!expr && m.type === 'AssignmentExpression' && text.slice(m.right.start, m.right.end).includes('parseInt')) expr = m.right;
    });
    const len = strs.length;
    if (expr && targetNum !== undefined) {
      for (let k = 0; k < len; k++) {
        const at = (i: number): string | undefined => {
          const j = i - dec.offset;
          if (j < 0 || j >= len) return undefined;
          const raw = strs[(j + k) % len];
          return dec.b64 ? (obfuscatorBase64(raw) ?? raw) : raw;
        };
        const v = evalChecksum(expr, at);
        if (v === targetNum) {
          rotations.set(dec.name, k);
          break;
        }
      }
    } else if (targetNum !== undefined && /push/.test(text.slice(callee.start, callee.end)) && /shift/.test(text.slice(callee.start, callee.end))) {
      // Older obfuscator: rotate exactly ++TARGET − 1 times (`while(--n)`), no checksum.
      rotations.set(dec.name, targetNum % len);
    }
    return false;
  });
  for (const d of decoders) {
    const strs = tables.get(d.table)!;
    const k = rotations.get(d.name) ?? 0;
    out.set(d.node.start, (i) => {
      const j = i - d.offset;
      if (!Number.isInteger(j) || j < 0 || j >= strs.length) return undefined;
      const raw = strs[(j + k) % strs.length];
      return d.b64 ? (obfuscatorBase64(raw) ?? raw) : raw;
    });
  }
  return out;
}

function evalChecksum(n: Node, at: (i: number) => string | undefined, depth = 0): number {
  if (depth > 64) return NaN;
  switch (n.type) {
    case 'NumericLiteral':
      return n.value;
    case 'ParenthesizedExpression':
      return evalChecksum(n.expression, at, depth + 1);
    case 'UnaryExpression':
      return n.operator === '-' ? -evalChecksum(n.argument, at, depth + 1) : n.operator === '+' ? evalChecksum(n.argument, at, depth + 1) : NaN;
    case 'BinaryExpression': {
      const a = evalChecksum(n.left, at, depth + 1);
      const b = evalChecksum(n.right, at, depth + 1);
      switch (n.operator) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '%':
          return a % b;
        default:
          return NaN;
      }
    }
    case 'CallExpression': {
      if (n.callee.type === 'Identifier' && n.callee.name === 'parseInt') {
        const arg = n.arguments[0];
        if (arg?.type === 'CallExpression' && arg.arguments[0]?.type === 'NumericLiteral') return jsParseInt(at(arg.arguments[0].value));
        return NaN;
      }
      return NaN;
    }
    default:
      return NaN;
  }
}
