/**
 * pnpm-lock.yaml, lockfile formats 5.x (pnpm 7), 6.0 (pnpm 8) and 9.0 (pnpm 9 and 10). Read with js-yaml (the parser
 * pnpm itself reads lockfiles with; 7–14× faster than `yaml` on a 1.4 MB lockfile) when the text is plain
 * machine-written YAML, else with `yaml`, whose guards (alias count, complex keys) hostile documents need.
 * Keys: v5 `/name/1.0.0_peer`, v6 `/name@1.0.0(peer)`, v9 `name@1.0.0(peer)` (dependencies under `snapshots`).
 * Roots: top-level dependencies (single project, v5/v6) or every importer, kept per importer folder (Package.importers).
 */
import { isMap, isScalar, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
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

/**
 * What pnpm never writes and the fast reader leaves to `yaml`: an anchor or alias (`&a`, `*a`) where a node may
 * start (js-yaml resolves aliases by reference, without a count), an explicit key (`? `), a flow collection used as a
 * key on its line (`{a: b}: c`), and a flow collection or explicit key directly inside another (`{{a: b}: c}`:
 * js-yaml would read such keys as "[object Object]" where `yaml` refuses the document). Text that merely looks like
 * one of these (`'a *b'` in quotes) also goes to `yaml`, which reads it the same, only slower.
 */
const NOT_PLAIN = /(?:^|[\s[{,])[&*][^\s,[\]{}]|^[ \t]*(?:- +)*(?:\?(?:[ \t]|$)|[[{].*[\]}][ \t]*:(?:[ \t]|$))|[[{,][ \t]*(?:[[{]|\?(?:[ \t]|$))/m;

/** A key of the `packages:` mapping as pnpm writes it (plain, 'single' or "double" quoted), or undefined. */
function readKey(s: string): string | undefined {
  let key: string;
  let rest: string;
  if (s.startsWith("'")) {
    let i = 1;
    for (; i < s.length; i++) {
      if (s[i] !== "'") continue;
      if (s[i + 1] === "'") i++;
      else break;
    }
    if (i >= s.length) return undefined;
    key = s.slice(1, i).replace(/''/g, "'");
    rest = s.slice(i + 1);
  } else if (s.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(s);
    if (!m) return undefined;
    try {
      key = JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return undefined;
    }
    rest = s.slice(m[0].length);
  } else {
    const m = /:(?: |$)/.exec(s);
    if (!m) return undefined;
    key = s.slice(0, m.index);
    rest = s.slice(m.index);
    // What a plain scalar cannot start with or hold: leave those keys to the YAML parser's line numbers.
    if (!key || /^[-?:,[\]{}#&*!|>'"%@`\s]/.test(key) || /\s$| #/.test(key)) return undefined;
  }
  return /^:(?: |$)/.test(rest) ? key : undefined;
}

/**
 * 1-based lines of the keys of the top-level `packages:` mapping, read from the text as pnpm lays it out (a key per
 * line, two spaces in); undefined where the layout is another.
 */
function packageKeyLines(text: string): Map<string, number> | undefined {
  const out = new Map<string, number>();
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^packages:/.test(l));
  if (start < 0) return out;
  if (!/^packages:[ \t]*\r?$/.test(lines[start])) return /^packages:[ \t]*\{\}[ \t]*\r?$/.test(lines[start]) ? out : undefined;
  for (let j = start + 1; j < lines.length; j++) {
    const l = lines[j].endsWith('\r') ? lines[j].slice(0, -1) : lines[j];
    if (/^[ \t]*(?:#.*)?$/.test(l)) continue;
    if (!l.startsWith(' ')) break;
    if (l.startsWith('   ')) continue;
    const key = readKey(l.slice(2));
    if (key === undefined) return undefined;
    out.set(key, j + 1);
  }
  return out;
}

/**
 * The fast read: js-yaml with the YAML 1.2 core schema (as `yaml` reads it; later duplicate keys win, as with
 * `uniqueKeys: false`) and the package key lines from the text. Undefined whenever the result might differ from the
 * `yaml` read: a document that is not plain (NOT_PLAIN), that js-yaml refuses, or whose key lines do not account for
 * exactly the keys js-yaml found.
 */
function fastRead(text: string): { root: Obj; lines: Map<string, number> } | undefined {
  if (NOT_PLAIN.test(text)) return undefined;
  let root: unknown;
  try {
    root = loadYaml(text, { schema: CORE_SCHEMA, json: true });
  } catch {
    return undefined;
  }
  if (!root || typeof root !== 'object' || Array.isArray(root)) return undefined;
  const packages = (root as Obj).packages;
  if (packages !== undefined && packages !== null && (typeof packages !== 'object' || Array.isArray(packages))) return undefined;
  const keys = packages ? Object.keys(packages) : [];
  const lines = packageKeyLines(text);
  if (!lines || lines.size !== keys.length || keys.some((k) => !lines.has(k))) return undefined;
  return { root: root as Obj, lines };
}

/** The `yaml` read, with the guards a hostile document needs; reports why it could not read the file. */
function slowRead(text: string, file: string, sink: InventorySink): { root: Obj; lines: Map<string, number> } | undefined {
  const lc = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  } catch (err) {
    sink.diagnostic({ code: 'parse-error', message: `${file} cannot be parsed as YAML (${(err as Error).message.slice(0, 200)}); its dependencies were not checked`, file, incomplete: true });
    return undefined;
  }
  if (doc.errors.length) {
    sink.diagnostic({ code: 'parse-error', message: `${file} is not valid YAML (${doc.errors[0].message.split('\n')[0]}); its dependencies were not checked`, file, incomplete: true });
    return undefined;
  }
  if (hasComplexKey(doc)) {
    sink.diagnostic({ code: 'parse-error', message: `${file}: a YAML mapping key is a collection or an alias (never in pnpm lockfiles; converting it is super-linear); its dependencies were not checked`, file, incomplete: true });
    return undefined;
  }
  let root: Obj | null;
  try {
    root = doc.toJS({ maxAliasCount: 100 }) as Obj | null;
  } catch (err) {
    // An unresolved alias or an alias bomb (maxAliasCount) throws here, after a clean parse (found by the fuzzer).
    sink.diagnostic({ code: 'parse-error', message: `${file} cannot be resolved as YAML (${(err as Error).message.split('\n')[0].slice(0, 200)}); its dependencies were not checked`, file, incomplete: true });
    return undefined;
  }
  if (!root || typeof root !== 'object') {
    sink.diagnostic({ code: 'parse-error', message: `${file} is empty or not a mapping`, file, incomplete: true });
    return undefined;
  }
  return { root, lines: keyLines(doc.get('packages'), lc) };
}

/** Which reader the last parse used (tests). */
export const lastRead: { fast?: boolean } = {};

function parse(text: string, file: string, sink: InventorySink, opts: { fast?: boolean } = {}): void {
  if (yamlDepth(text) > MAX_FLOW_DEPTH) {
    sink.diagnostic({ code: 'parse-error', message: `${file}: YAML nested deeper than ${MAX_FLOW_DEPTH}; its dependencies were not checked`, file, incomplete: true });
    return;
  }
  const fast = opts.fast === false ? undefined : fastRead(text);
  lastRead.fast = !!fast;
  const read = fast ?? slowRead(text, file, sink);
  if (!read) return;
  const { root, lines } = read;
  const major = Math.floor(Number.parseFloat(String(root.lockfileVersion ?? '')));
  if (!Number.isFinite(major) || major < 5 || major > 9) {
    sink.diagnostic({ code: 'lockfile-format', message: `${file}: lockfileVersion ${String(root.lockfileVersion)} is not one lurescan reads (5.x, 6.x, 9.x); read as the nearest`, file, incomplete: !Number.isFinite(major) });
  }
  const m = Number.isFinite(major) ? Math.min(Math.max(major, 5), 9) : 9;
  const packages = (root.packages ?? {}) as Record<string, Obj>;
  const snapshots = (root.snapshots ?? {}) as Record<string, Obj>;
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

/** The parser with the fast read off (`fast: false`): the tests compare both reads on every lockfile. */
export function parsePnpmLock(text: string, file: string, sink: InventorySink, opts: { fast?: boolean } = {}): void {
  parse(text, file, sink, opts);
}
