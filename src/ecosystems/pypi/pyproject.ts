/**
 * pyproject.toml: PEP 621 `[project]` dependencies and optional-dependencies, PEP 735 `[dependency-groups]`, and
 * Poetry's `[tool.poetry.dependencies]`, `dev-dependencies` and `group.<name>.dependencies` (Poetry constraints are
 * turned into PEP 440 specifiers; git/url/path sources are kept as the resolved location).
 */
import type { Package } from '../../types.js';
import type { InventoryParser, InventorySink } from '../types.js';
import { lineOfName, parseRequirement, poetryToPep440, pypiPackage } from './pep508.js';
import { parseToml, strings, table, type TomlTable } from './toml.js';
import { jsonText } from '../json-text.js';

const ID = 'pypi/pyproject';

function pep508List(list: unknown, file: string, lines: string[], sink: InventorySink, scope: Package['scope']): void {
  for (const s of strings(list)) {
    const req = parseRequirement(s);
    if (!req) {
      sink.diagnostic({ code: 'requirement-unreadable', message: `${file}: cannot read requirement "${s.slice(0, 120)}"`, file, incomplete: true });
      continue;
    }
    sink.packages.push(pypiPackage(req, file, lineOfName(lines, req.name), ID, { scope, text: s }));
  }
}

export function poetryDeps(deps: TomlTable | undefined, file: string, lines: string[], sink: InventorySink, scope: Package['scope'], source: string): void {
  for (const [name, v] of Object.entries(deps ?? {})) {
    if (name.toLowerCase() === 'python') continue;
    const t = table(v);
    const constraint = typeof v === 'string' ? v : typeof t?.version === 'string' ? t.version : '';
    const url = typeof t?.git === 'string' ? `git+${t.git}` : typeof t?.url === 'string' ? t.url : typeof t?.path === 'string' ? t.path : undefined;
    const spec = url ? '' : poetryToPep440(constraint);
    sink.packages.push(pypiPackage({ name, extras: [], specifier: spec, url }, file, lineOfName(lines, name), source, { scope, text: `${name} = ${jsonText(v)}` }));
  }
}

export const pyproject: InventoryParser = {
  id: ID,
  matches: (p) => p === 'pyproject.toml' || p.endsWith('/pyproject.toml'),
  parse(file, text, sink) {
    const doc = parseToml(text, file.path, sink);
    if (!doc) return;
    const lines = text.split('\n');
    const project = table(doc.project);
    pep508List(project?.dependencies, file.path, lines, sink, 'prod');
    for (const list of Object.values(table(project?.['optional-dependencies']) ?? {})) pep508List(list, file.path, lines, sink, 'optional');
    for (const list of Object.values(table(doc['dependency-groups']) ?? {})) pep508List(list, file.path, lines, sink, 'dev');
    const poetry = table(table(doc.tool)?.poetry);
    if (poetry) {
      poetryDeps(table(poetry.dependencies), file.path, lines, sink, 'prod', ID);
      poetryDeps(table(poetry['dev-dependencies']), file.path, lines, sink, 'dev', ID);
      for (const g of Object.values(table(poetry.group) ?? {})) poetryDeps(table(table(g)?.dependencies), file.path, lines, sink, 'dev', ID);
    }
  },
};
