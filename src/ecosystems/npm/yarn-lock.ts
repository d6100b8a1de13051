/**
 * yarn.lock, both formats: yarn v1 (parsed with @yarnpkg/lockfile) and yarn berry v2+ (`__metadata`, parsed with
 * @yarnpkg/parsers' parseSyml). Entries are keyed by descriptors ("name@range"); dependencies resolve through the
 * same descriptors. Direct dependencies come from the workspace entries (berry) or the package.json beside the lock (v1).
 */
import type { InventoryParser, InventorySink } from '../types.js';
import { addRoot, emitLockPackages, siblingManifest, splitDescriptor, topLevelKeyLines, type ImporterRoots, type LockNode } from './lock-graph.js';
import type { Workspace } from '../../types.js';
import { guardYarnV1 } from './yarn-v1-guard.js';
import { npmAlias } from './alias.js';
import type { parseSyml as ParseSyml } from '@yarnpkg/parsers';

const ID = 'npm/yarn-lock';

// Both parsers load when a yarn.lock is found, not with every scan (they are among the slowest modules to load).
// @yarnpkg/lockfile is CommonJS: Node's ESM loader and tsx expose its exports differently (named vs. default only).
type LockfileParse = (text: string) => { type: string; object: Record<string, Record<string, unknown>> };
async function yarnV1Parser(): Promise<LockfileParse> {
  const ns = (await import('@yarnpkg/lockfile')) as unknown as { parse?: LockfileParse; default?: { parse: LockfileParse } };
  return (text) => (ns.parse ?? ns.default!.parse)(text);
}

type Entry = Record<string, unknown>;

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

async function parseV1(text: string, file: string, sink: InventorySink, ws: Workspace | undefined): Promise<void> {
  let parsed: { type: string; object: Record<string, Entry> };
  const guarded = guardYarnV1(text);
  if ('unterminatedLine' in guarded) {
    sink.diagnostic({ code: 'parse-error', message: `${file} has a string that never ends (line ${guarded.unterminatedLine}); not a readable yarn v1 lockfile, its dependencies were not checked`, file, incomplete: true });
    return;
  }
  const parseYarnV1 = await yarnV1Parser();
  try {
    parsed = parseYarnV1(guarded.text) as { type: string; object: Record<string, Entry> };
  } catch (err) {
    sink.diagnostic({ code: 'parse-error', message: `${file} is not a readable yarn v1 lockfile (${(err as Error).message.slice(0, 200)}); its dependencies were not checked`, file, incomplete: true });
    return;
  }
  if (parsed.type !== 'success')
    sink.diagnostic({ code: 'lockfile-conflict', message: `${file} has merge-conflict markers (${parsed.type}); lurescan read the merged result`, file, incomplete: true });
  const lines = topLevelKeyLines(text);
  const byObject = new Map<Entry, string>();
  const idOf = new Map<string, string>();
  const nodes = new Map<string, LockNode>();
  for (const [key, e] of Object.entries(parsed.object)) {
    // An alias key ("lodash@npm:is-buffer-validator@^1") installs the package after "npm:" under the local name.
    const [local, range] = splitDescriptor(key);
    const name = npmAlias(range)?.name ?? local;
    let id = byObject.get(e);
    if (id) {
      const n = nodes.get(id);
      if (n && !n.alias && local !== n.name) n.alias = local;
    } else {
      id = key;
      byObject.set(e, id);
      nodes.set(id, {
        id,
        name,
        alias: local !== name ? local : undefined,
        version: typeof e.version === 'string' ? e.version : undefined,
        resolved: typeof e.resolved === 'string' ? e.resolved : undefined,
        integrity: typeof e.integrity === 'string' ? e.integrity : undefined,
        line: lines.get(key),
        deps: [],
      });
    }
    idOf.set(key, id);
  }
  for (const [id, n] of nodes) {
    const e = parsed.object[id];
    for (const [dep, range] of Object.entries({ ...strMap(e.dependencies), ...strMap(e.optionalDependencies) })) {
      const t = idOf.get(`${dep}@${range}`);
      if (t) n.deps.push(t);
    }
  }
  const manifest = await siblingManifest(ws, file);
  const roots: string[] = [];
  if (manifest) {
    for (const [dep, { spec, scope }] of manifest.deps) {
      const t = idOf.get(`${dep}@${spec}`);
      if (t) {
        roots.push(t);
        const n = nodes.get(t);
        if (n) n.scope = scope;
        if (n && dep !== n.name) n.alias = dep;
      }
    }
  } else {
    const required = new Set<string>();
    for (const n of nodes.values()) for (const d of n.deps) required.add(d);
    roots.push(...[...nodes.keys()].filter((k) => !required.has(k)));
  }
  emitLockPackages(sink, file, ID, nodes, roots);
}

async function parseBerry(text: string, file: string, sink: InventorySink): Promise<void> {
  // CommonJS too: a bundle that keeps it as a chunk of its own exposes its exports as the default export only.
  const ns = (await import('@yarnpkg/parsers')) as unknown as { parseSyml?: typeof ParseSyml; default?: { parseSyml: typeof ParseSyml } };
  const parseSyml = ns.parseSyml ?? ns.default!.parseSyml;
  let parsed: Record<string, Entry>;
  try {
    parsed = parseSyml(text) as Record<string, Entry>;
  } catch (err) {
    sink.diagnostic({ code: 'parse-error', message: `${file} is not a readable yarn berry lockfile (${(err as Error).message.slice(0, 200)}); its dependencies were not checked`, file, incomplete: true });
    return;
  }
  const lines = topLevelKeyLines(text);
  const idOf = new Map<string, string>();
  const nodes = new Map<string, LockNode>();
  const workspaces: string[] = [];
  for (const [key, e] of Object.entries(parsed)) {
    if (key === '__metadata' || !e || typeof e !== 'object') continue;
    const resolution = typeof e.resolution === 'string' ? e.resolution : key.split(', ')[0];
    const [name, ref] = splitDescriptor(resolution);
    const id = resolution;
    for (const d of key.split(', ')) idOf.set(d.trim(), id);
    if (ref.startsWith('workspace:')) {
      workspaces.push(id);
      continue;
    }
    // The resolution names the package installed; an alias descriptor ("lodash@npm:is-buffer-validator@^1") the local name.
    const alias = key.split(', ').map((d) => splitDescriptor(d.trim())[0]).find((local) => local !== name);
    // Non-registry protocols keep their locator as "resolved" so the lockfile rules can see git/tarball sources.
    const isNpm = ref.startsWith('npm:');
    const prior = nodes.get(id);
    nodes.set(id, {
      id,
      name,
      alias: prior?.alias ?? alias,
      version: typeof e.version === 'string' ? e.version : String(e.version ?? ''),
      resolved: isNpm ? undefined : ref,
      integrity: typeof e.checksum === 'string' ? e.checksum : undefined,
      line: lines.get(key.split(', ')[0]) ?? lines.get(key),
      deps: [],
    });
  }
  const depsOf = (e: Entry) => ({ ...strMap(e.dependencies), ...strMap(e.optionalDependencies), ...strMap(e.peerDependencies) });
  const find = (dep: string, range: string) => idOf.get(`${dep}@${range}`) ?? idOf.get(`${dep}@npm:${range}`);
  // A workspace locator "name@workspace:packages/a" names the project's folder ("workspace:." for the root).
  const roots: ImporterRoots = new Map();
  for (const [key, e] of Object.entries(parsed)) {
    if (key === '__metadata' || !e || typeof e !== 'object') continue;
    const id = idOf.get(key.split(', ')[0].trim())!;
    for (const [dep, range] of Object.entries(depsOf(e))) {
      const t = find(dep, range);
      if (!t) continue;
      if (workspaces.includes(id)) {
        if (!workspaces.includes(t)) addRoot(roots, splitDescriptor(id)[1].slice('workspace:'.length) || '.', t);
        const n = nodes.get(t);
        if (n && dep !== n.name) n.alias = dep;
      } else nodes.get(id)?.deps.push(t);
    }
  }
  emitLockPackages(sink, file, ID, nodes, roots);
}

export const yarnLock: InventoryParser = {
  id: ID,
  matches: (p) => p === 'yarn.lock' || p.endsWith('/yarn.lock'),
  async parse(file, text, sink, ctx) {
    if (/^__metadata:/m.test(text)) await parseBerry(text, file.path, sink);
    else await parseV1(text, file.path, sink, ctx?.workspace);
  },
};
