/**
 * pnpm-lock.yaml, lockfile formats 5.x (pnpm 7), 6.0 (pnpm 8) and 9.0 (pnpm 9 and 10), parsed with `yaml`.
 * Keys: v5 `/name/1.0.0_peer`, v6 `/name@1.0.0(peer)`, v9 `name@1.0.0(peer)` (dependencies under `snapshots`).
 * Roots: top-level dependencies (single project, v5/v6) or every importer, kept per importer folder (Package.importers).
 */
import { isMap, isScalar, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { hasComplexKey, MAX_FLOW_DEPTH, yamlDepth } from '../yaml-safe.js';
import type { Package } from '../../types.js';
import type { InventoryParser, InventorySink } from '../types.js';
import { addRoot, emitLockPackages, type ImporterRoots, type LockNode } from './lock-graph.js';

const ID = 'npm/pnpm-lock';

type Obj = Record<string, unknown>;

/** Strip peer suffixes: "(react@18.0.0)…" (v6+) and "_react@18.0.0" (v5). */
function basePart(s: string, major: number): string {
  let out = s;
  const paren = out.indexOf('(');
  if (paren > 0) out = out.slice(0, paren);
  if (major < 6) {
    const lastSlash = out.lastIndexOf('/');
    const us = out.indexOf('_', lastSlash + 1);
    if (us > 0) out = out.slice(0, us);
  }
  return out;
}

/** A packages/snapshots key → [name, version]. */
export function parsePnpmKey(key: string, major: number): [string, string] | undefined {
  let k = basePart(key, major);
  if (k.startsWith('/')) k = k.slice(1);
  if (major < 6) {
    // [registry-host/]name/version, name may be scoped
    const i = k.lastIndexOf('/');
    if (i <= 0) return undefined;
    let name = k.slice(0, i);
    const version = k.slice(i + 1);
    const parts = name.split('/');
    // A registry host prefix (pnpm 5 with a non-default registry) has a dot and is not a scope.
    if (parts.length > 1 && !parts[0].startsWith('@') && parts[0].includes('.')) name = parts.slice(1).join('/');
    return [name, version];
  }
  const at = k.indexOf('@', 1);
  if (at <= 0) return undefined;
  return [k.slice(0, at), k.slice(at + 1)];
}

/** A dependency reference inside an importer or entry → the node id it points at. */
function refId(dep: string, ref: string, major: number): string | undefined {
  if (ref.startsWith('link:') || ref.startsWith('file:') || ref.startsWith('workspace:')) return undefined;
  if (major < 6) {
    if (ref.startsWith('/')) return basePart(ref, major);
    return basePart(`/${dep}/${ref}`, major);
  }
  if (major < 9) {
    if (ref.startsWith('/')) return basePart(ref, major);
    return basePart(`/${dep}@${ref}`, major);
  }
  // v9: "1.0.0(peer)" or an alias "real-name@1.0.0"
  if (/^\d/.test(ref)) return basePart(`${dep}@${ref}`, major);
  return basePart(ref, major);
}

function depsOf(e: Obj | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const f of ['dependencies', 'optionalDependencies']) {
    const m = e?.[f];
    if (m && typeof m === 'object')
      for (const [k, v] of Object.entries(m as Obj)) {
        const ref = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Obj).version === 'string' ? ((v as Obj).version as string) : undefined;
        if (ref) out.push([k, ref]);
      }
  }
  return out;
}

function importerDeps(imp: Obj | undefined): [string, string, Package['scope']][] {
  const out: [string, string, Package['scope']][] = [];
  const fields: [string, Package['scope']][] = [
    ['dependencies', 'prod'],
    ['devDependencies', 'dev'],
    ['optionalDependencies', 'optional'],
  ];
  for (const [f, scope] of fields) {
    const m = imp?.[f];
    if (!m || typeof m !== 'object') continue;
    for (const [k, v] of Object.entries(m as Obj)) {
      const ref = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Obj).version === 'string' ? ((v as Obj).version as string) : undefined;
      if (ref) out.push([k, ref, scope]);
    }
  }
  return out;
}

function keyLines(map: unknown, lc: LineCounter): Map<string, number> {
  const out = new Map<string, number>();
  if (!isMap(map)) return out;
  for (const pair of (map as YAMLMap).items) {
    if (isScalar(pair.key) && pair.key.range) out.set(String(pair.key.value), lc.linePos(pair.key.range[0]).line);
  }
  return out;
}

function parse(text: string, file: string, sink: InventorySink): void {
  const lc = new LineCounter();
  if (yamlDepth(text) > MAX_FLOW_DEPTH) {
    sink.diagnostic({ code: 'parse-error', message: `${file}: YAML nested deeper than ${MAX_FLOW_DEPTH}; its dependencies were not checked`, file, incomplete: true });
    return;
  }
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  } catch (err) {
    sink.diagnostic({ code: 'parse-error', message: `${file} cannot be parsed as YAML (${(err as Error).message.slice(0, 200)}); its dependencies were not checked`, file, incomplete: true });
    return;
  }
  if (doc.errors.length) {
    sink.diagnostic({ code: 'parse-error', message: `${file} is not valid YAML (${doc.errors[0].message.split('\n')[0]}); its dependencies were not checked`, file, incomplete: true });
    return;
  }
  if (hasComplexKey(doc)) {
    sink.diagnostic({ code: 'parse-error', message: `${file}: a YAML mapping key is a collection or an alias (never in pnpm lockfiles; converting it is super-linear); its dependencies were not checked`, file, incomplete: true });
    return;
  }
  let root: Obj | null;
  try {
    root = doc.toJS({ maxAliasCount: 100 }) as Obj | null;
  } catch (err) {
    // An unresolved alias or an alias bomb (maxAliasCount) throws here, after a clean parse (found by the fuzzer).
    sink.diagnostic({ code: 'parse-error', message: `${file} cannot be resolved as YAML (${(err as Error).message.split('\n')[0].slice(0, 200)}); its dependencies were not checked`, file, incomplete: true });
    return;
  }
  if (!root || typeof root !== 'object') {
    sink.diagnostic({ code: 'parse-error', message: `${file} is empty or not a mapping`, file, incomplete: true });
    return;
  }
  const major = Math.floor(Number.parseFloat(String(root.lockfileVersion ?? '')));
  if (!Number.isFinite(major) || major < 5 || major > 9) {
    sink.diagnostic({ code: 'lockfile-format', message: `${file}: lockfileVersion ${String(root.lockfileVersion)} is not one lurescan reads (5.x, 6.x, 9.x); read as the nearest`, file, incomplete: !Number.isFinite(major) });
  }
  const m = Number.isFinite(major) ? Math.min(Math.max(major, 5), 9) : 9;
  const packages = (root.packages ?? {}) as Record<string, Obj>;
  const snapshots = (root.snapshots ?? {}) as Record<string, Obj>;
  const lines = keyLines(doc.get('packages'), lc);
  const nodes = new Map<string, LockNode>();
  for (const [key, e] of Object.entries(packages)) {
    const nv = parsePnpmKey(key, m);
    const id = basePart(key, m);
    if (!nv || !e || typeof e !== 'object') {
      sink.diagnostic({ code: 'lockfile-entry', message: `${file}: cannot read package key "${key.slice(0, 200)}"; skipped`, file, incomplete: true });
      continue;
    }
    const res = (e.resolution ?? {}) as Obj;
    const name = typeof e.name === 'string' ? e.name : nv[0];
    const version = typeof e.version === 'string' ? e.version : nv[1];
    const prior = nodes.get(id);
    const node: LockNode = prior ?? {
      id,
      name,
      version,
      resolved: typeof res.tarball === 'string' ? res.tarball : typeof res.repo === 'string' ? `${String(res.repo)}#${String(res.commit ?? '')}` : undefined,
      integrity: typeof res.integrity === 'string' ? res.integrity : undefined,
      scope: e.dev === true ? 'dev' : e.optional === true ? 'optional' : e.dev === false ? 'prod' : undefined,
      line: lines.get(key),
      deps: [],
    };
    for (const [dep, ref] of depsOf(e)) {
      const t = refId(dep, ref, m);
      if (t) node.deps.push(t);
    }
    nodes.set(id, node);
  }
  for (const [key, e] of Object.entries(snapshots)) {
    const n = nodes.get(basePart(key, m));
    if (!n) continue;
    for (const [dep, ref] of depsOf(e)) {
      const t = refId(dep, ref, m);
      if (t && !n.deps.includes(t)) n.deps.push(t);
    }
  }
  // Each importer is a workspace project (its folder relative to the lock, '.' for the root); a single-project v5/v6
  // lock keeps the root's dependencies at the top level.
  const roots: ImporterRoots = new Map();
  const importers: [string, Obj][] =
    root.importers && typeof root.importers === 'object'
      ? Object.entries(root.importers as Obj).filter((x): x is [string, Obj] => !!x[1] && typeof x[1] === 'object')
      : [['.', root]];
  // An alias ("lodash: is-buffer-validator@1.0.0", v5 "lodash: /is-buffer-validator/1.0.0") names the local folder in
  // the reference, not in the package key: a direct dependency's alias first, then the first a package uses.
  const aliasOf = (dep: string, t: string) => {
    const n = nodes.get(t);
    if (n && !n.alias && dep !== n.name) n.alias = dep;
  };
  for (const [folder, imp] of importers) {
    for (const [dep, ref, scope] of importerDeps(imp)) {
      const t = refId(dep, ref, m);
      if (!t) continue;
      addRoot(roots, folder || '.', t);
      const n = nodes.get(t);
      if (n && !n.scope) n.scope = scope;
      aliasOf(dep, t);
    }
  }
  for (const e of [...Object.values(packages), ...Object.values(snapshots)])
    if (e && typeof e === 'object') for (const [dep, ref] of depsOf(e)) {
      const t = refId(dep, ref, m);
      if (t) aliasOf(dep, t);
    }
  emitLockPackages(sink, file, ID, nodes, roots);
}

export const pnpmLock: InventoryParser = {
  id: ID,
  matches: (p) => p === 'pnpm-lock.yaml' || p.endsWith('/pnpm-lock.yaml'),
  parse(file, text, sink) {
    parse(text, file.path, sink);
  },
};
