/**
 * JSON and JSONC with positions, through jsonc-parser: comments and trailing commas are accepted (VS Code and
 * devcontainer files use both), errors are collected instead of thrown, and every value keeps its offset so a
 * finding can name its line.
 */
import { parseTree, findNodeAtLocation, getNodeValue, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex } from '../analysis/text.js';

export interface JsonDoc {
  root?: Node;
  errors: string[];
  lines: LineIndex;
}

export function parseJsonc(text: string): JsonDoc {
  const errors: ParseError[] = [];
  let root: Node | undefined;
  const lines = new LineIndex(text);
  try {
    root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  } catch (err) {
    return { root: undefined, errors: [`cannot parse: ${(err as Error).message}`], lines };
  }
  return {
    root,
    lines,
    errors: errors.slice(0, 5).map((e) => `${printParseErrorCode(e.error)} at line ${lines.position(e.offset).line}`),
  };
}

export function nodeAt(doc: JsonDoc, path: (string | number)[], from?: Node): Node | undefined {
  const base = from ?? doc.root;
  return base ? findNodeAtLocation(base, path) : undefined;
}

export function valueOf(node: Node | undefined): unknown {
  if (!node) return undefined;
  try {
    return getNodeValue(node);
  } catch {
    return undefined;
  }
}

export function lineOf(doc: JsonDoc, node: Node | undefined): number | undefined {
  return node ? doc.lines.position(node.offset).line : undefined;
}

/** Children of an object node as [key, valueNode] pairs. */
export function entries(node: Node | undefined): [string, Node][] {
  if (!node || node.type !== 'object' || !node.children) return [];
  const out: [string, Node][] = [];
  for (const prop of node.children) {
    const [k, v] = prop.children ?? [];
    if (k && v && typeof k.value === 'string') out.push([k.value, v]);
  }
  return out;
}
