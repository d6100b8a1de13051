/**
 * YAML from a scanned repository, read without the one `yaml` feature that is not linear: a mapping key that is
 * itself a mapping or sequence (`{{{{…}}}}`, `? [a]: b`). Turning a document into plain objects stringifies such
 * keys, nested keys again at every level: 400 bytes of `{` took 36 s (found by the fuzzer). No lockfile or hook
 * configuration uses collection keys, so a document with one is refused before toJS, with the reason.
 */
import { isAlias, isCollection, parseDocument, visit, type Document } from 'yaml';

/** Deepest flow nesting ({ and [) read. Real lockfiles and hook configs nest a few levels; thousands overflow the
 * parser's stack, and a V8 RegExp compile after such an overflow aborted the whole process (found by the fuzzer). */
export const MAX_FLOW_DEPTH = 64;

/**
 * How deeply the text nests, as far as the parser's recursion goes: unclosed `{`/`[`, or `key: key: key:` on one
 * line (invalid YAML the parser still descends into, one level per key). Quotes are not tracked: an over-count
 * only refuses a file, never reads one.
 */
export function yamlDepth(text: string): number {
  let max = flowDepth(text);
  for (const line of text.split('\n')) {
    let keys = 0;
    for (let i = line.indexOf(': '); i >= 0; i = line.indexOf(': ', i + 2)) keys++;
    if (keys > max) max = keys;
  }
  return max;
}

/** The deepest run of unclosed `{`/`[` (quotes are not tracked: an over-count only refuses a file, never reads one). */
export function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if ((c === 0x7d || c === 0x5d) && depth > 0) depth--;
  }
  return max;
}

/** Aliases resolved before a document is refused as a bomb (billion laughs). */
export const MAX_YAML_ALIASES = 100;

/** True when some mapping key is a collection or an alias (which may name one). */
export function hasComplexKey(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key) || isAlias(pair.key)) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Parse YAML to plain values; throws an Error with a short reason for syntax errors, complex keys and alias bombs. */
export function parseYamlSafe(text: string): unknown {
  if (yamlDepth(text) > MAX_FLOW_DEPTH) throw new Error(`nested deeper than ${MAX_FLOW_DEPTH} levels; not read`);
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) throw new Error(doc.errors[0].message.split('\n')[0]);
  if (hasComplexKey(doc)) throw new Error('a mapping key is a collection or an alias; not read');
  return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
}
