/** Pipfile.lock (JSON): `default` and `develop` map names to {version: "==x", hashes, index}; `_meta.sources` lists indexes. */
import type { Package } from '../../types.js';
import type { InventoryParser } from '../types.js';
import { entries, lineOf, nodeAt, parseJsonc, valueOf } from '../jsonc.js';
import { exactPin } from './pep508.js';
import { snippet } from '../../analysis/text.js';

const ID = 'pypi/pipfile-lock';

export const pipfileLock: InventoryParser = {
  id: ID,
  matches: (p) => p === 'Pipfile.lock' || p.endsWith('/Pipfile.lock'),
  parse(file, text, sink) {
    const doc = parseJsonc(text);
    if (doc.errors.length || !doc.root || doc.root.type !== 'object') {
      sink.diagnostic({ code: 'parse-error', message: `${file.path} is not valid JSON (${doc.errors[0] ?? 'not an object'}); its dependencies were not checked`, file: file.path, incomplete: true });
      if (!doc.root || doc.root.type !== 'object') return;
    }
    const sections: [string, Package['scope']][] = [
      ['default', 'prod'],
      ['develop', 'dev'],
    ];
    for (const [section, scope] of sections) {
      for (const [name, node] of entries(nodeAt(doc, [section]))) {
        const e = valueOf(node) as Record<string, unknown> | undefined;
        if (!e || typeof e !== 'object') continue;
        const spec = typeof e.version === 'string' ? e.version : '';
        const hashes = Array.isArray(e.hashes) ? e.hashes.filter((h): h is string => typeof h === 'string') : [];
        const url = typeof e.git === 'string' ? `git+${e.git}` : typeof e.file === 'string' ? e.file : typeof e.path === 'string' ? e.path : undefined;
        const prop = node.parent;
        sink.packages.push({
          ecosystem: 'PyPI',
          name,
          version: exactPin(spec),
          spec: spec || url,
          direct: false,
          scope,
          resolved: url,
          integrity: hashes[0],
          where: { file: file.path, line: lineOf(doc, prop), snippet: snippet(`"${name}": ${spec || url || ''}`) },
          source: ID,
        });
      }
    }
  },
};
