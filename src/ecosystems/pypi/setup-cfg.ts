/**
 * setup.cfg: `[options] install_requires` and `[options.extras_require]` (setuptools' declarative config). The INI
 * dialect is small: a key, then indented continuation lines, `;`/`#` comments.
 */
import type { InventoryParser } from '../types.js';
import { parseRequirement, pypiPackage } from './pep508.js';

const ID = 'pypi/setup-cfg';

export const setupCfg: InventoryParser = {
  id: ID,
  matches: (p) => p === 'setup.cfg' || p.endsWith('/setup.cfg'),
  parse(file, text, sink) {
    const lines = text.split('\n');
    let section = '';
    let key = '';
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i].replace(/\r$/, '');
      const trimmed = raw.trim();
      if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
      if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
        section = trimmed.slice(1, -1).trim().toLowerCase();
        key = '';
        continue;
      }
      let value: string;
      if (/^\s/.test(raw) && key) value = trimmed;
      else {
        const eq = raw.search(/[=:]/);
        if (eq < 0) continue;
        key = raw.slice(0, eq).trim().toLowerCase();
        value = raw.slice(eq + 1).trim();
      }
      const wanted = (section === 'options' && key === 'install_requires') || section === 'options.extras_require';
      if (!wanted || !value) continue;
      for (const part of value.split(';').length > 1 && !value.includes('python_version') ? value.split(';') : [value]) {
        const req = parseRequirement(part);
        if (!req) {
          sink.diagnostic({ code: 'requirement-unreadable', message: `${file.path}:${i + 1}: cannot read requirement "${part.slice(0, 120)}"`, file: file.path, incomplete: true });
          continue;
        }
        sink.packages.push(pypiPackage(req, file.path, i + 1, ID, { scope: section === 'options' ? 'prod' : 'optional', text: part.trim() }));
      }
    }
  },
};
