/**
 * YAML from a scanned repository, read without the one `yaml` feature that is not linear: a mapping key that is
 * itself a mapping or sequence (`{{{{…}}}}`, `? [a]: b`). Turning a document into plain objects stringifies such
 * keys, nested keys again at every level: 400 bytes of `{` took 36 s (found by the fuzzer). No lockfile or hook
 * configuration uses collection keys, so a document with one is refused before toJS, with the reason.
 */
import { isAlias, isCollection, parseDocument, visit, type Document } from 'yaml';

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
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) throw new Error(doc.errors[0].message.split('\n')[0]);
  if (hasComplexKey(doc)) throw new Error('a mapping key is a collection or an alias; not read');
  return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
}
