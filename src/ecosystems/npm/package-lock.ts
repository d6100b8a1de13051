/**
 * package-lock.json (lockfileVersion 1, 2, 3) and npm-shrinkwrap.json. v2/v3 read the flat `packages` map keyed by
 * install path; v1 reads the nested `dependencies` tree. Dependencies are resolved the way Node resolves them
 * (nearest node_modules upward), so each entry gets the chain from the direct dependency that pulls it in.
 */
import type { Node } from 'jsonc-parser';
import type { Package } from '../../types.js';
import type { InventoryParser, InventorySink } from '../types.js';
import { entries, lineOf, nodeAt, parseJsonc, valueOf, type JsonDoc } from '../jsonc.js';
import { LineIndex } from '../../analysis/text.js';
import { addRoot, emitLockPackages, type ImporterRoots, type LockNode } from './lock-graph.js';
import { npmAlias } from './alias.js';

const ID = 'npm/package-lock';
const NM = 'node_modules/';

function scopeOf(e: Record<string, unknown>): Package['scope'] {
  if (e.dev === true || e.devOptional === true) return 'dev';
  if (e.optional === true) return 'optional';
  if (e.peer === true) return 'peer';
  return 'prod';
}

/** Node resolution over install paths: from `node_modules/a/node_modules/b`, look for dep in b, then a, then the root. */
function resolveFrom(keys: Set<string>, from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/${NM}${dep}` : `${NM}${dep}`;
    if (keys.has(candidate)) return candidate;
    if (!base) return undefined;
    const i = base.lastIndexOf(`/${NM}`);
    base = i < 0 ? '' : base.slice(0, i);
  }
}

function nameFromKey(key: string): string {
  const i = key.lastIndexOf(NM);
  return i < 0 ? key : key.slice(i + NM.length);
}

function depNames(e: Record<string, unknown>, fields: string[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const v = e[f];
    if (v && typeof v === 'object') out.push(...Object.keys(v));
  }
  return out;
}

const DEP_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'];

function parseV2(rawPackages: Record<string, unknown>, lineOfKey: (key: string) => number | undefined, file: string, sink: InventorySink): void {
  const nodes = new Map<string, LockNode>();
  const raw = new Map<string, Record<string, unknown>>();
  for (const [key, v] of Object.entries(rawPackages)) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      sink.diagnostic({ code: 'lockfile-entry', message: `${file}: entry "${key.slice(0, 200)}" is not an object; skipped`, file, incomplete: true });
      continue;
    }
    raw.set(key, v as Record<string, unknown>);
  }
  const keys = new Set(raw.keys());
  for (const [key, e] of raw) {
    if (key === '' || e.link === true) continue;
    // An alias installs the package named by "name" in the folder the key names (node_modules/lodash).
    const folder = key.includes(NM) ? nameFromKey(key) : undefined;
    const name = typeof e.name === 'string' ? e.name : nameFromKey(key);
    nodes.set(key, {
      id: key,
      name,
      alias: folder,
      version: typeof e.version === 'string' ? e.version : undefined,
      resolved: typeof e.resolved === 'string' ? e.resolved : undefined,
      integrity: typeof e.integrity === 'string' ? e.integrity : undefined,
      scope: scopeOf(e),
      line: lineOfKey(key),
      deps: [],
      // A key outside node_modules/ is a folder of the repository (a workspace, or a file: dependency): its own
      // manifest is read as such, and it is not a download.
      ...(key.includes(NM) ? {} : { project: true }),
    });
  }
  // Links (workspaces) point at a folder key; their dependencies resolve from that folder.
  const sources = [...raw.keys()].filter((k) => k === '' || !k.includes(NM) || raw.get(k)?.link !== true);
  // Project entries ("" for the root, "packages/a" for a workspace) are the importers; their dependencies the roots.
  const roots: ImporterRoots = new Map();
  for (const key of sources) {
    const e = raw.get(key)!;
    const isProject = key === '' || !key.includes(NM);
    const fields = isProject ? DEP_FIELDS : DEP_FIELDS.filter((f) => f !== 'devDependencies');
    for (const dep of depNames(e, fields)) {
      const target = resolveFrom(keys, key, dep);
      if (!target) continue;
      const t = raw.get(target);
      const resolved = t?.link === true && typeof t.resolved === 'string' ? t.resolved : target;
      if (isProject) addRoot(roots, key || '.', resolved);
      else nodes.get(key)?.deps.push(resolved);
    }
  }
  emitLockPackages(sink, file, ID, nodes, roots);
}

/**
 * The fast path for well-formed v2/v3 locks (tens of thousands of entries): JSON.parse, then each key's line found by
 * a forward search for `"key":` (npm writes the packages map in key order, once). Anything unusual falls back to the
 * tolerant jsonc-parser tree.
 */
function fastV2(text: string, file: string, sink: InventorySink): boolean {
  let json: { lockfileVersion?: unknown; packages?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return false;
  }
  if (!json || typeof json !== 'object' || (json.lockfileVersion !== 2 && json.lockfileVersion !== 3) || !json.packages || typeof json.packages !== 'object') return false;
  const lines = new LineIndex(text);
  let cursor = text.indexOf('"packages"');
  const lineOfKey = (key: string) => {
    const at = text.indexOf(`${JSON.stringify(key)}:`, cursor);
    if (at < 0) return undefined;
    cursor = at + key.length;
    return lines.position(at).line;
  };
  parseV2(json.packages as Record<string, unknown>, lineOfKey, file, sink);
  return true;
}

function parseV1(doc: JsonDoc, depsNode: Node, file: string, sink: InventorySink): void {
  const nodes = new Map<string, LockNode>();
  const requires = new Map<string, string[]>();
  const walk = (obj: Node, prefix: string) => {
    for (const [name, node] of entries(obj)) {
      const e = valueOf(node) as Record<string, unknown> | undefined;
      if (!e || typeof e !== 'object') {
        sink.diagnostic({ code: 'lockfile-entry', message: `${file}: dependency "${name}" is not an object; skipped`, file, incomplete: true });
        continue;
      }
      const key = `${prefix}${NM}${name}`;
      let version = typeof e.version === 'string' ? e.version : undefined;
      // Aliases: "version": "npm:real-name@1.2.3"
      const alias = version !== undefined ? npmAlias(version) : undefined;
      if (alias?.range) version = alias.range;
      const prop = node.parent ?? node;
      nodes.set(key, {
        id: key,
        name: alias?.range ? alias.name : name,
        alias: name,
        version,
        resolved: typeof e.resolved === 'string' ? e.resolved : undefined,
        integrity: typeof e.integrity === 'string' ? e.integrity : undefined,
        scope: scopeOf(e),
        line: lineOf(doc, prop),
        deps: [],
      });
      requires.set(key, e.requires && typeof e.requires === 'object' ? Object.keys(e.requires) : []);
      const nested = nodeAt(doc, ['dependencies'], node);
      if (nested) walk(nested, `${key}/`);
    }
  };
  walk(depsNode, '');
  const keys = new Set(nodes.keys());
  for (const [key, reqs] of requires) for (const dep of reqs) {
    const t = resolveFrom(keys, key, dep);
    if (t) nodes.get(key)!.deps.push(t);
  }
  // v1 has no root entry: top-level entries that nothing else requires are the direct ones; when a manifest is
  // beside the lock the emitted `direct` is refined by the rules that compare both.
  const required = new Set<string>();
  for (const n of nodes.values()) for (const d of n.deps) required.add(d);
  const roots = [...nodes.keys()].filter((k) => !k.slice(NM.length).includes(`/${NM}`) && !required.has(k));
  emitLockPackages(sink, file, ID, nodes, roots);
}

export const packageLock: InventoryParser = {
  id: ID,
  matches: (p) => /(?:^|\/)(?:package-lock|npm-shrinkwrap)\.json$/.test(p),
  parse(file, text, sink) {
    if (fastV2(text, file.path, sink)) return;
    const doc = parseJsonc(text);
    if (doc.errors.length || !doc.root || doc.root.type !== 'object') {
      sink.diagnostic({ code: 'parse-error', message: `${file.path} is not valid JSON (${doc.errors[0] ?? 'not an object'}); its dependencies were not checked`, file: file.path, incomplete: true });
      if (!doc.root || doc.root.type !== 'object') return;
    }
    const version = valueOf(nodeAt(doc, ['lockfileVersion']));
    const packagesNode = nodeAt(doc, ['packages']);
    const depsNode = nodeAt(doc, ['dependencies']);
    if (packagesNode?.type === 'object' && (version === 2 || version === 3 || !depsNode)) {
      const lines = new Map(entries(packagesNode).map(([k, n]) => [k, lineOf(doc, n.parent ?? n)]));
      parseV2((valueOf(packagesNode) ?? {}) as Record<string, unknown>, (k) => lines.get(k), file.path, sink);
    }
    else if (depsNode?.type === 'object') parseV1(doc, depsNode, file.path, sink);
    else if (version !== undefined || packagesNode || depsNode)
      sink.diagnostic({ code: 'lockfile-format', message: `${file.path}: lockfileVersion ${typeof version === 'object' && version !== null ? '(an object or array)' : String(version)} without a readable "packages" or "dependencies" map`, file: file.path, incomplete: true });
    if (typeof version === 'number' && version > 3)
      sink.diagnostic({ code: 'lockfile-format', message: `${file.path}: lockfileVersion ${version} is newer than lurescan knows (1-3); read as v3`, file: file.path, incomplete: false });
  },
};
