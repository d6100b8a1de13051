/**
 * Diff mode: which findings a change is responsible for. The whole checked-out tree is scanned (so a changed
 * package.json script that runs an unchanged file still has that file analysed), and a finding is kept when its
 * own file or any file in its evidence was changed, or is run by a changed command. In a changed dependency file
 * only findings about packages the change adds or changes (compared with the base version of that file) are
 * kept: in a lockfile every finding is about an entry; in a manifest (package.json, requirements.txt) findings
 * that name no package, such as a new install script, are kept as for any changed file.
 */
import path from 'node:path';
import type { Finding, Package, Workspace } from '../types.js';
import { DEFAULT_LIMITS } from '../options.js';
import { BaseWorkspace } from '../acquire/workspace.js';
import { buildInventory } from '../engine/inventory.js';

const LOCKFILE_NAMES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'pdm.lock',
]);
const MANIFEST_NAMES = new Set(['package.json', 'pyproject.toml', 'Pipfile']);

export type DependencyFileKind = 'lockfile' | 'manifest';

export function dependencyFileKind(file: string): DependencyFileKind | undefined {
  const name = path.posix.basename(file);
  if (LOCKFILE_NAMES.has(name)) return 'lockfile';
  if (MANIFEST_NAMES.has(name) || (name.startsWith('requirements') && name.endsWith('.txt'))) return 'manifest';
  return undefined;
}

export function isLockfile(file: string): boolean {
  return dependencyFileKind(file) === 'lockfile';
}

function packageKey(p: Package): string {
  return `${p.ecosystem}\u0000${p.name}\u0000${p.version ?? p.spec ?? ''}`;
}

/** Packages a dependency file declares, through the same inventory parsers a scan uses. */
export async function declaredPackages(file: string, text: string): Promise<{ packages: Package[]; parsed: boolean }> {
  const bytes = Buffer.from(text, 'utf8');
  const ws: Workspace = new BaseWorkspace('/', { source: `dependencies:${file}` }, [{ path: file, size: bytes.length, kind: 'file', load: async () => bytes }], { ...DEFAULT_LIMITS }, []);
  const inventory = await buildInventory(ws, []);
  const packages = inventory.packages.filter((p) => p.where.file === file);
  return { packages, parsed: packages.length > 0 };
}

export interface DependencyDelta {
  file: string;
  kind: DependencyFileKind;
  /** Packages in the head version that the base version does not have at that version (or spec). */
  added: Package[];
  /** False when no parser understood the file: then every finding in it is kept (fail safe). */
  understood: boolean;
}

export async function dependencyDelta(file: string, headText: string, baseText: string | undefined): Promise<DependencyDelta> {
  const kind = dependencyFileKind(file) ?? 'lockfile';
  const head = await declaredPackages(file, headText);
  if (!head.parsed) return { file, kind, added: [], understood: false };
  if (baseText === undefined) return { file, kind, added: head.packages, understood: true };
  const base = await declaredPackages(file, baseText);
  const before = new Set(base.packages.map(packageKey));
  return { file, kind, added: head.packages.filter((p) => !before.has(packageKey(p))), understood: true };
}

function aboutPackage(f: Finding, p: Package): boolean {
  if (p.where.line !== undefined && f.location.line === p.where.line) return true;
  const ids = [p.version && `${p.name}@${p.version}`, p.spec && `${p.name}@${p.spec}`, p.name].filter((x): x is string => !!x);
  return f.evidence.some((e) => e.kind === 'package' && ids.some((id) => e.value === id || e.value === `${p.ecosystem} ${id}`));
}

export interface DiffSelection {
  /** Paths relative to the scanned root. */
  changed: Set<string>;
  /** Unchanged files that changed commands run (see reach.ts). */
  reached?: Set<string>;
  /** Changed dependency files compared with their base versions, by path. */
  dependencyFiles: Map<string, DependencyDelta>;
}

/** Findings the change is responsible for. */
export function selectForDiff(findings: Finding[], sel: DiffSelection): Finding[] {
  return findings.filter((f) => {
    if (!f.location.file) return true;
    // An entry of an archive in the tree changed when the archive did (Location.container).
    const files = [f.location, ...f.evidence.map((e) => e.location)].flatMap((l) => (l?.file ? [l.file, ...(l.container !== undefined ? [l.container] : [])] : []));
    if (!files.some((file) => sel.changed.has(file) || sel.reached?.has(file))) return false;
    const delta = sel.dependencyFiles.get(f.location.file);
    if (!delta || !delta.understood) return true;
    // Reached from another changed file: keep; otherwise only findings about added or changed packages.
    if (files.some((file) => file !== f.location.file && sel.changed.has(file))) return true;
    if (delta.kind === 'manifest' && !f.evidence.some((e) => e.kind === 'package')) return true;
    return delta.added.some((p) => aboutPackage(f, p));
  });
}
