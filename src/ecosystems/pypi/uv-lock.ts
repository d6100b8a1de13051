/**
 * uv.lock (TOML): [[package]] entries with name, version, source {registry | git | url | path | editable | virtual},
 * sdist/wheels with hashes and dependency lists. The project itself (editable/virtual ".") is the root: its
 * dependencies are the direct ones, and chains are followed from them.
 */
import type { Package } from '../../types.js';
import type { InventoryParser } from '../types.js';
import { arrayTableLines, parseToml, table } from './toml.js';
import { normaliseName as normalisePypiName } from './pep508.js';
import { snippet } from '../../analysis/text.js';

const ID = 'pypi/uv-lock';

export const uvLock: InventoryParser = {
  id: ID,
  matches: (p) => p === 'uv.lock' || p.endsWith('/uv.lock'),
  parse(file, text, sink) {
    const doc = parseToml(text, file.path, sink);
    if (!doc) return;
    const lines = arrayTableLines(text, '[[package]]');
    const pkgs = (Array.isArray(doc.package) ? doc.package : []).map(table);
    const depsOf = (t: Record<string, unknown> | undefined) => (Array.isArray(t?.dependencies) ? t.dependencies.map(table).map((d) => (typeof d?.name === 'string' ? normalisePypiName(d.name) : '')).filter(Boolean) : []);
    const byName = new Map<string, number>();
    pkgs.forEach((t, i) => typeof t?.name === 'string' && byName.set(normalisePypiName(t.name), i));
    const roots = new Set<string>();
    for (const t of pkgs) {
      const src = table(t?.source);
      if (src && (src.editable === '.' || src.virtual === '.')) {
        for (const d of depsOf(t)) roots.add(d);
        for (const list of Object.values(table(t?.['optional-dependencies']) ?? {})) for (const d of Array.isArray(list) ? list : []) if (typeof table(d)?.name === 'string') roots.add(normalisePypiName(table(d)!.name as string));
        for (const list of Object.values(table(t?.['dev-dependencies']) ?? {})) for (const d of Array.isArray(list) ? list : []) if (typeof table(d)?.name === 'string') roots.add(normalisePypiName(table(d)!.name as string));
      }
    }
    // Breadth-first chains from the roots.
    const chains = new Map<string, string[]>();
    const queue = [...roots];
    for (const r of roots) chains.set(r, [r]);
    for (let q = 0; q < queue.length; q++) {
      const i = byName.get(queue[q]);
      if (i === undefined) continue;
      for (const d of depsOf(pkgs[i])) if (!chains.has(d)) {
        chains.set(d, [...chains.get(queue[q])!, d]);
        queue.push(d);
      }
    }
    pkgs.forEach((t, i) => {
      if (!t || typeof t.name !== 'string') {
        sink.diagnostic({ code: 'lockfile-entry', message: `${file.path}: [[package]] #${i + 1} has no name; skipped`, file: file.path, incomplete: true });
        return;
      }
      const src = table(t.source);
      if (src && (src.editable === '.' || src.virtual === '.')) return;
      const key = normalisePypiName(t.name);
      const sdist = table(t.sdist);
      const wheel = Array.isArray(t.wheels) ? table(t.wheels[0]) : undefined;
      const resolved = typeof src?.git === 'string' ? `git+${src.git}` : typeof src?.url === 'string' ? src.url : typeof src?.path === 'string' ? src.path : typeof src?.registry === 'string' ? src.registry : undefined;
      const pkg: Package = {
        ecosystem: 'PyPI',
        name: t.name,
        version: typeof t.version === 'string' ? t.version : undefined,
        direct: roots.has(key),
        scope: 'unknown',
        resolved,
        integrity: (typeof sdist?.hash === 'string' ? sdist.hash : typeof wheel?.hash === 'string' ? wheel.hash : undefined) as string | undefined,
        path: chains.get(key),
        where: { file: file.path, line: lines[i], snippet: snippet(`${t.name} ${String(t.version ?? '')}`) },
        source: ID,
      };
      sink.packages.push(pkg);
    });
  },
};
