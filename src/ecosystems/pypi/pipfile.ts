/** Pipfile (pipenv, TOML): [packages] and [dev-packages]; "*" or a PEP 440 specifier, or a table with version/git/path. */
import type { Package } from '../../types.js';
import type { InventoryParser } from '../types.js';
import { lineOfName, pypiPackage } from './pep508.js';
import { parseToml, table } from './toml.js';
import { jsonText } from '../json-text.js';

const ID = 'pypi/pipfile';

export const pipfile: InventoryParser = {
  id: ID,
  matches: (p) => p === 'Pipfile' || p.endsWith('/Pipfile'),
  parse(file, text, sink) {
    const doc = parseToml(text, file.path, sink);
    if (!doc) return;
    const lines = text.split('\n');
    const sections: [string, Package['scope']][] = [
      ['packages', 'prod'],
      ['dev-packages', 'dev'],
    ];
    for (const [section, scope] of sections) {
      for (const [name, v] of Object.entries(table(doc[section]) ?? {})) {
        const t = table(v);
        const version = typeof v === 'string' ? v : typeof t?.version === 'string' ? t.version : '';
        const url = typeof t?.git === 'string' ? `git+${t.git}` : typeof t?.file === 'string' ? t.file : typeof t?.path === 'string' ? t.path : undefined;
        const spec = version === '*' ? '' : version.replace(/\s+/g, '');
        sink.packages.push(pypiPackage({ name, extras: [], specifier: url ? '' : spec, url }, file.path, lineOfName(lines, name), ID, { scope, text: `${name} = ${jsonText(v)}` }));
      }
    }
  },
};
