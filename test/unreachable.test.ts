/**
 * deadAtOffset (a walk down to one offset) answers what the ranges of a walk over the whole program answer (the
 * outermost one holding the offset), for every node of every JavaScript and TypeScript file of the fixtures and for
 * hand-made dead code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseJs, type Node } from '../src/analysis/js/parse.js';
import { deadAtOffset, deadRangesOf, type DeadRange } from '../src/analysis/js/unreachable.js';
import { FIXTURES } from './helpers.js';

/** The oracle: every node's dead ranges in pre-order (outer before inner), over the whole program. */
function unreachableRanges(program: Node): DeadRange[] {
  const out: DeadRange[] = [];
  const stack: Node[] = [program];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(...deadRangesOf(n));
    for (const [key, v] of Object.entries(n).reverse()) {
      if (key === 'loc' || key === 'extra' || key.endsWith('Comments')) continue;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) if (v[i] && typeof v[i] === 'object' && typeof (v[i] as Node).type === 'string') stack.push(v[i] as Node);
      } else if (v && typeof v === 'object' && typeof (v as Node).type === 'string') stack.push(v as Node);
    }
  }
  return out;
}

const deadAt = (ranges: DeadRange[], offset: number): string | undefined => ranges.find(([s, e]) => offset >= s && offset < e)?.[2];

function starts(program: Node): number[] {
  const out: number[] = [];
  const stack: unknown[] = [program];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (n && typeof n === 'object' && typeof (n as Node).type === 'string') {
      out.push((n as Node).start, (n as Node).end - 1);
      for (const [k, v] of Object.entries(n)) if (k !== 'loc' && k !== 'extra' && v && typeof v === 'object') stack.push(v);
    }
  }
  return out;
}

function assertSame(text: string, file: string): number {
  const parsed = parseJs(text, file, 4 * 1024 * 1024);
  if (!parsed.ok) return 0;
  const ranges = unreachableRanges(parsed.program);
  let dead = 0;
  for (const off of starts(parsed.program)) {
    const expected = deadAt(ranges, off);
    if (expected) dead++;
    assert.equal(deadAtOffset(parsed.program, off), expected, `${file} at ${off}`);
  }
  return dead;
}

describe('unreachable code: deadAtOffset equals the whole-program ranges', () => {
  it('hand-made dead code: after return/throw/break/continue, if (false), the else of if (true), nested, holes, switch', () => {
    const text = [
      'function a() { return 1; fetch("http://x.invalid"); function hoisted() { eval("1") } ; }',
      'function b() { throw new Error(); if (x) { require("child_process").exec("id") } }',
      'for (;;) { break; eval(y) } while (1) { continue; spawn() }',
      'if (false) { eval(a) } else { eval(b) } if (!1) x(); if (true) y(); else { z(); return; w() }',
      'if (0) { if (true) { a() } else { b() } } const arr = [, , fetch("u"), ,];',
      'switch (k) { case 1: return; eval(c); case 2: f(); break; g(); default: h() }',
      'class C { static { return; eval(d) } m() { { return; } x() } }',
      'const f = () => { return; fetch(e) }; label: { break label; eval(q) }',
    ].join('\n');
    assert.ok(assertSame(text, 'dead.js') > 10);
  });

  it('every node of every JS/TS file under fixtures/', () => {
    let files = 0;
    for (const rel of readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })) {
      if (!/\.[cm]?[jt]sx?$/.test(rel)) continue;
      const file = path.join(FIXTURES, rel);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      assertSame(text, rel);
      files++;
    }
    assert.ok(files > 50, `${files} files`);
  });
});
