/** poetry.lock (TOML): one [[package]] per locked distribution, with name, version, source and file hashes. */
import type { InventoryParser } from '../types.js';
import { arrayTableLines, parseToml, table } from './toml.js';
import { snippet } from '../../analysis/text.js';

const ID = 'pypi/poetry-lock';

export const poetryLock: InventoryParser = {
  id: ID,
  matches: (p) => p === 'poetry.lock' || p.endsWith('/poetry.lock'),
  parse(file, text, sink) {
    const doc = parseToml(text, file.path, sink);
    if (!doc) return;
    const lines = arrayTableLines(text, '[[package]]');
    const pkgs = Array.isArray(doc.package) ? doc.package : [];
    pkgs.forEach((p: unknown, i: number) => {
      const t = table(p);
      if (!t || typeof t.name !== 'string') {
        sink.diagnostic({ code: 'lockfile-entry', message: `${file.path}: [[package]] #${i + 1} has no name; skipped`, file: file.path, incomplete: true });
        return;
      }
      const src = table(t.source);
      const files = Array.isArray(t.files) ? t.files.map(table) : [];
      const groups = Array.isArray(t.groups) ? t.groups : [];
      const dev = t.category === 'dev' || (groups.length > 0 && !groups.includes('main'));
      sink.packages.push({
        ecosystem: 'PyPI',
        name: t.name,
        version: typeof t.version === 'string' ? t.version : undefined,
        direct: false,
        scope: dev ? 'dev' : 'prod',
        resolved: src && typeof src.url === 'string' ? (src.type === 'git' ? `git+${src.url}#${String(src.resolved_reference ?? src.reference ?? '')}` : src.url) : undefined,
        integrity: files.find((f) => typeof f?.hash === 'string')?.hash as string | undefined,
        where: { file: file.path, line: lines[i], snippet: snippet(`${t.name} ${String(t.version ?? '')}`) },
        source: ID,
      });
    });
  },
};
