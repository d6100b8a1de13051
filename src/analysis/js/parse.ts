/**
 * Parse JavaScript/TypeScript/JSX with @babel/parser (chosen in docs/architecture.md "Source analysis"): error
 * recovery on, size-capped. The caller turns a failure into a text-level fallback plus a Diagnostic.
 */
import { parse } from '@babel/parser';
import type { ParserOptions, ParserPlugin } from '@babel/parser';

/** A Babel AST node, read structurally: the walker only needs type, loc and children. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = Record<string, any> & { type: string; start: number; end: number; loc: { start: { line: number; column: number } } };

export type ParseOutcome = { ok: true; program: Node; recovered: number } | { ok: false; error: string };

export function pluginsFor(path: string): ParserPlugin[] {
  const p = path.toLowerCase();
  if (/\.[cm]?tsx?$/.test(p)) return p.endsWith('x') ? ['typescript', 'jsx'] : ['typescript'];
  if (!/\.[cm]?jsx?$/.test(p)) return [];
  return ['jsx'];
}

/**
 * Babel's options for code that may be a fragment or sloppy: errors are recovered from where Babel can, and what is
 * legal only in some contexts (a top-level return or await, exports anywhere) is accepted. Shared by whole files
 * (parseJs) and the regions of a large bundle (regions.ts).
 */
export const LENIENT = Object.freeze({
  errorRecovery: true,
  // Comments are not analysed; attaching them to nodes costs time on every file.
  attachComment: false,
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowUndeclaredExports: true,
  allowNewTargetOutsideFunction: true,
  allowSuperOutsideMethod: true,
} satisfies ParserOptions);

export function parseJs(text: string, path: string, maxBytes: number): ParseOutcome {
  if (text.length > maxBytes) return { ok: false, error: `${text.length} characters is over the ${maxBytes}-character parse limit` };
  const plugins = pluginsFor(path);
  const attempt = (sourceType: 'module' | 'script' | 'unambiguous', pl: ParserPlugin[]): ParseOutcome => {
    const file = parse(text, { ...LENIENT, sourceType, plugins: pl });
    return { ok: true, program: file.program as unknown as Node, recovered: (file.errors ?? []).length };
  };
  let first = '';
  for (const [st, pl] of [
    ['unambiguous', plugins],
    ['script', plugins],
    // .js files sometimes hold TypeScript or Flow-free JSX mistakes; one more try with TypeScript.
    ['unambiguous', ['typescript', 'jsx']],
  ] as const) {
    try {
      return attempt(st, [...pl]);
    } catch (err) {
      first ||= (err as Error).message;
    }
  }
  return { ok: false, error: first };
}
