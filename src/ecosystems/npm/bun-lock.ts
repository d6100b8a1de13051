/**
 * bun.lock, bun's text lockfile (JSONC with trailing commas, bun ≥ 1.1.39; the default since 1.2).
 * `packages` maps an install path ("a", "a/b", "@s/a/@s/b") to [ident "name@version", registry URL or "",
 * {dependencies…}, integrity]; dependencies resolve from the nearest enclosing path, as node_modules would.
 */
import type { Package } from '../../types.js';
import type { InventoryParser } from '../types.js';
import { entries, lineOf, nodeAt, parseJsonc, valueOf } from '../jsonc.js';
import { addRoot, emitLockPackages, splitDescriptor, type ImporterRoots, type LockNode } from './lock-graph.js';

const ID = 'npm/bun-lock';

/** "a/@s/b/c" → ["a", "@s/b", "c"] */
function segments(key: string): string[] {
  const parts = key.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith('@') && i + 1 < parts.length) {
      out.push(`${parts[i]}/${parts[i + 1]}`);
      i++;
    } else out.push(parts[i]);
  }
  return out;
}

function resolve(keys: Set<string>, from: string, dep: string): string | undefined {
  const segs = from ? segments(from) : [];
  for (let n = segs.length; n >= 0; n--) {
    const candidate = [...segs.slice(0, n), dep].join('/');
    if (keys.has(candidate)) return candidate;
  }
  return undefined;
}

type Obj = Record<string, unknown>;

export const bunLock: InventoryParser = {
  id: ID,
  matches: (p) => p === 'bun.lock' || p.endsWith('/bun.lock'),
  parse(file, text, sink) {
    const doc = parseJsonc(text);
    if (doc.errors.length || !doc.root || doc.root.type !== 'object') {
      sink.diagnostic({ code: 'parse-error', message: `${file.path} is not valid JSONC (${doc.errors[0] ?? 'not an object'}); its dependencies were not checked`, file: file.path, incomplete: true });
      if (!doc.root || doc.root.type !== 'object') return;
    }
    const pkgsNode = nodeAt(doc, ['packages']);
    const raw = new Map<string, unknown[]>();
    const nodes = new Map<string, LockNode>();
    for (const [key, node] of entries(pkgsNode)) {
      const v = valueOf(node);
      if (!Array.isArray(v) || typeof v[0] !== 'string') {
        sink.diagnostic({ code: 'lockfile-entry', message: `${file.path}: package "${key.slice(0, 200)}" is not [ident, …]; skipped`, file: file.path, incomplete: true });
        continue;
      }
      raw.set(key, v);
      const [name, ref] = splitDescriptor(v[0]);
      if (ref.startsWith('workspace:')) continue;
      const isRegistry = /^\d/.test(ref) || ref.startsWith('npm:');
      const version = ref.startsWith('npm:') ? ref.slice(4) : isRegistry ? ref : undefined;
      const url = typeof v[1] === 'string' && v[1] ? v[1] : undefined;
      const integrity = v.find((x, i) => i > 0 && typeof x === 'string' && /^sha\d+-/.test(x)) as string | undefined;
      const prop = node.parent ?? node;
      // The key is the install path; its last segment is the folder, which an alias names differently from the ident.
      const folder = segments(key).pop();
      nodes.set(key, {
        id: key,
        name,
        alias: folder,
        version: version ?? ref,
        resolved: isRegistry ? url : ref,
        integrity,
        line: lineOf(doc, prop),
        deps: [],
      });
    }
    const keys = new Set(raw.keys());
    for (const [key, v] of raw) {
      const meta = v.find((x): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x));
      const n = nodes.get(key);
      if (!n || !meta) continue;
      for (const f of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
        const m = meta[f];
        if (m && typeof m === 'object') for (const dep of Object.keys(m)) {
          const t = resolve(keys, key, dep);
          if (t) n.deps.push(t);
        }
      }
    }
    // workspaces: "" is the root project, "packages/a" a workspace; each one's dependencies are its roots.
    const roots: ImporterRoots = new Map();
    const fields: [string, Package['scope']][] = [
      ['dependencies', 'prod'],
      ['devDependencies', 'dev'],
      ['optionalDependencies', 'optional'],
      ['peerDependencies', 'peer'],
    ];
    for (const [wsPath, wsNode] of entries(nodeAt(doc, ['workspaces']))) {
      const w = valueOf(wsNode) as Obj | undefined;
      for (const [f, scope] of fields) {
        const m = w?.[f];
        if (!m || typeof m !== 'object') continue;
        for (const dep of Object.keys(m)) {
          // A workspace's own nested install path wins over the hoisted one.
          const name = typeof w?.name === 'string' ? w.name : wsPath;
          const t = (wsPath && keys.has(`${name}/${dep}`) ? `${name}/${dep}` : undefined) ?? resolve(keys, '', dep);
          if (!t) continue;
          addRoot(roots, wsPath || '.', t);
          const n = nodes.get(t);
          if (n && !n.scope) n.scope = scope;
        }
      }
    }
    emitLockPackages(sink, file.path, ID, nodes, roots);
  },
};
