/**
 * What every npm-family lockfile parser shares: a dependency graph whose nodes are lockfile entries, the shortest
 * path from a direct dependency to each entry (the evidence "app → harmless-wrapper → bad-pkg"), and the
 * emission of Packages with their line.
 */
import path from 'node:path';
import type { Package, Workspace } from '../../types.js';
import type { InventorySink } from '../types.js';
import { snippet } from '../../analysis/text.js';

export interface LockNode {
  id: string;
  /** The package the entry installs (for an npm alias, the aliased package). */
  name: string;
  /** The name it is installed under when that differs from name (an npm alias); see Package.alias. */
  alias?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  scope?: Package['scope'];
  line?: number;
  /** Ids of the entries this one depends on (already resolved by the format's own rules). */
  deps: string[];
  /** A project of the repository itself (a workspace folder entry): part of the graph, not a package it installs. */
  project?: boolean;
}

/** Breadth-first from the roots: each reachable node's chain of names, root first. */
export function shortestPaths(nodes: Map<string, LockNode>, roots: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const queue: string[] = [];
  for (const r of roots) {
    const n = nodes.get(r);
    if (!n || out.has(r)) continue;
    out.set(r, [n.name]);
    queue.push(r);
  }
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    const chain = out.get(id)!;
    for (const d of nodes.get(id)?.deps ?? []) {
      const n = nodes.get(d);
      if (!n || out.has(d)) continue;
      out.set(d, [...chain, n.name]);
      queue.push(d);
    }
  }
  return out;
}

/** Roots by project: the lockfile's project folder ('.' for the root) → the ids its manifest asks for directly. */
export type ImporterRoots = Map<string, string[]>;

/** Record that project `folder` asks for node `id` directly. */
export function addRoot(roots: ImporterRoots, folder: string, id: string): void {
  const list = roots.get(folder);
  if (list) list.push(id);
  else roots.set(folder, [id]);
}

/**
 * Emit one Package per node. `roots` is either a plain list of direct ids (formats that do not record which project
 * asks) or the ids per project folder, which become Package.importers.
 */
export function emitLockPackages(
  sink: InventorySink,
  file: string,
  source: string,
  nodes: Map<string, LockNode>,
  roots: string[] | ImporterRoots,
): void {
  const flat = Array.isArray(roots) ? roots : [...roots.values()].flat();
  const paths = shortestPaths(nodes, flat);
  const rootSet = new Set(flat);
  const importersOf = new Map<string, string[]>();
  if (!Array.isArray(roots))
    for (const [folder, ids] of roots) for (const id of ids) {
      const list = importersOf.get(id) ?? [];
      if (!list.includes(folder)) list.push(folder);
      importersOf.set(id, list);
    }
  for (const n of nodes.values()) {
    if (n.project) continue;
    const chain = paths.get(n.id);
    const importers = importersOf.get(n.id);
    sink.packages.push({
      ecosystem: 'npm',
      name: n.name,
      ...(n.alias && n.alias !== n.name ? { alias: n.alias } : {}),
      version: n.version,
      direct: rootSet.has(n.id),
      ...(importers ? { importers } : {}),
      scope: n.scope ?? 'unknown',
      resolved: n.resolved,
      integrity: n.integrity,
      path: chain,
      where: { file, line: n.line, snippet: snippet(`${n.name}@${n.version ?? '?'}`) },
      source,
    });
  }
}

/** Line numbers of top-level keys in a YAML-like lockfile (yarn v1, yarn berry): "key1, key2:" at column 0. */
export function topLevelKeyLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l || l[0] === ' ' || l[0] === '#' || !l.trimEnd().endsWith(':')) continue;
    const body = l.trimEnd().slice(0, -1);
    for (const k of body.split(', ')) out.set(unquote(k.trim()), i + 1);
  }
  return out;
}

export function unquote(s: string): string {
  return s.length >= 2 && s[0] === '"' && s[s.length - 1] === '"' ? s.slice(1, -1) : s;
}

/** "name@range" → [name, range]; handles scoped names. */
export function splitDescriptor(d: string): [string, string] {
  const at = d.indexOf('@', 1);
  return at < 0 ? [d, ''] : [d.slice(0, at), d.slice(at + 1)];
}

/** The package.json beside a lockfile: its direct dependency names by field, or undefined when absent or unreadable. */
export async function siblingManifest(
  ws: Workspace | undefined,
  lockPath: string,
): Promise<{ file: string; deps: Map<string, { spec: string; scope: Package['scope'] }> } | undefined> {
  if (!ws) return undefined;
  const dir = path.posix.dirname(lockPath);
  const file = dir === '.' ? 'package.json' : `${dir}/package.json`;
  const text = await ws.get(file)?.text();
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const deps = new Map<string, { spec: string; scope: Package['scope'] }>();
    const fields: [string, Package['scope']][] = [
      ['dependencies', 'prod'],
      ['devDependencies', 'dev'],
      ['optionalDependencies', 'optional'],
      ['peerDependencies', 'peer'],
    ];
    for (const [f, scope] of fields) {
      const v = json[f];
      if (v && typeof v === 'object') for (const [k, s] of Object.entries(v)) if (!deps.has(k)) deps.set(k, { spec: String(s), scope });
    }
    return { file, deps };
  } catch {
    return undefined;
  }
}
