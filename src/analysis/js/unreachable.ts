/**
 * Code that cannot run: statements after an unconditional return, throw, break or continue in the same block, and
 * the branch of an `if` whose test is a literal (`if (false)`, `if (0)`, `if (!1)`; the else of `if (true)`). A sink
 * there is evidence of intent but not a live loader, so the rules report it one step lower and say why.
 * Function declarations after a return are hoisted and callable from above: they are not counted as unreachable.
 */
import type { Node } from './parse.js';

/** [start, end) byte range of unreachable code, and why. */
export type DeadRange = [number, number, string];

const JUMPS = new Set(['ReturnStatement', 'ThrowStatement', 'BreakStatement', 'ContinueStatement']);

/** The truth value of a literal test, or undefined when it is not a literal. */
function literalTruth(n: Node | undefined): boolean | undefined {
  if (!n) return undefined;
  if (n.type === 'BooleanLiteral') return n.value as boolean;
  if (n.type === 'NumericLiteral') return n.value !== 0;
  if (n.type === 'NullLiteral') return false;
  if (n.type === 'StringLiteral') return n.value !== '';
  if (n.type === 'UnaryExpression' && n.operator === '!') {
    const t = literalTruth(n.argument as Node);
    return t === undefined ? undefined : !t;
  }
  if (n.type === 'ParenthesizedExpression') return literalTruth(n.expression as Node);
  return undefined;
}

function jumpName(n: Node): string {
  return n.type.replace(/Statement$/, '').toLowerCase();
}

/**
 * The code `n` itself makes unreachable: the statements after the first unconditional jump of its own statement list
 * (a program, block, static block or switch case), or the branch of an `if` with a literal test. Descendants are
 * not looked at: what is dead inside them is theirs to say.
 */
export function deadRangesOf(n: Node): DeadRange[] {
  const out: DeadRange[] = [];
  const list = n.type === 'Program' || n.type === 'BlockStatement' || n.type === 'StaticBlock' ? (n.body as Node[]) : n.type === 'SwitchCase' ? (n.consequent as Node[]) : undefined;
  const jump = list ? list.findIndex((s) => JUMPS.has(s?.type)) : -1;
  if (list && jump >= 0)
    for (const s of list.slice(jump + 1))
      if (s && s.type !== 'FunctionDeclaration' && s.type !== 'EmptyStatement') out.push([s.start, s.end, `after the ${jumpName(list[jump])} on line ${list[jump].loc?.start.line ?? '?'}`]);
  if (n.type === 'IfStatement') {
    const t = literalTruth(n.test as Node);
    if (t === false && n.consequent) out.push([n.consequent.start, n.consequent.end, `under if (${literalText(n.test as Node)})`]);
    if (t === true && n.alternate) out.push([n.alternate.start, n.alternate.end, `in the else of if (${literalText(n.test as Node)})`]);
  }
  return out;
}

function literalText(n: Node): string {
  if (n.type === 'UnaryExpression') return `!${literalText(n.argument as Node)}`;
  if (n.type === 'ParenthesizedExpression') return literalText(n.expression as Node);
  if (n.type === 'StringLiteral') return JSON.stringify(n.value);
  if (n.type === 'NullLiteral') return 'null';
  return String(n.value);
}

const SKIPPED_KEYS = new Set(['loc', 'extra', 'leadingComments', 'trailingComments', 'innerComments']);

const isNode = (v: unknown): v is Node => !!v && typeof v === 'object' && typeof (v as Node).type === 'string';
const holds = (n: Node, offset: number): boolean => n.start <= offset && offset < n.end;

/** The child of `n` whose range holds `offset` (children of one node do not overlap), or undefined. */
function childAt(n: Node, offset: number): Node | undefined {
  for (const key in n) {
    if (SKIPPED_KEYS.has(key)) continue;
    const v = n[key] as unknown;
    if (Array.isArray(v)) {
      // Lists are in source order: binary search for the last element starting at or before the offset.
      let lo = 0;
      let hi = v.length - 1;
      let found: Node | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const c = v[mid] as unknown;
        if (!isNode(c)) {
          // A hole (`[, a]`) or a non-node: fall back to a scan of this list.
          found = (v as unknown[]).find((x): x is Node => isNode(x) && holds(x, offset));
          break;
        }
        if (c.start <= offset) {
          if (offset < c.end) {
            found = c;
            break;
          }
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found) return found;
    } else if (isNode(v) && holds(v, offset)) return v;
  }
  return undefined;
}

/**
 * Why the code at `offset` cannot run, or undefined: the outermost range {@link deadRangesOf} gives on the way down from
 * the program to the offset. A walk down one path, not over the whole tree: a request in a 2 MB bundle no longer
 * costs a walk of all of it (test/unreachable.test.ts checks it against the ranges of every node of the program).
 */
export function deadAtOffset(program: Node, offset: number): string | undefined {
  for (let n: Node | undefined = program; n; n = childAt(n, offset)) for (const [s, e, why] of deadRangesOf(n)) if (offset >= s && offset < e) return why;
  return undefined;
}

/** One severity step lower, for evidence in unreachable code. */
export function stepDown<S extends 'critical' | 'high' | 'medium' | 'low' | 'info'>(s: S): 'high' | 'medium' | 'low' | 'info' {
  return s === 'critical' ? 'high' : s === 'high' ? 'medium' : s === 'medium' ? 'low' : 'info';
}
