/**
 * Diff mode: which findings a change is responsible for. The whole checked-out tree is scanned (so a changed
 * package.json script that runs an unchanged file still has that file analysed), and a finding is kept when
 * its own file or any file in its evidence was changed, or is run by a changed command. In a changed lockfile only findings about packages
 * the change adds or changes (compared with the base version of the lockfile) are kept.
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

export function isLockfile(file: string): boolean {
  return LOCKFILE_NAMES.has(path.posix.basename(file));
}

function packageKey(p: Package): string {
  return `${p.ecosystem}\u0000${p.name}\u0000${p.version ?? p.spec ?? ''}`;
}

/** Packages a lockfile declares, through the same inventory parsers a scan uses. */
export async function lockfilePackages(file: string, text: string): Promise<{ packages: Package[]; parsed: boolean }> {
  const bytes = Buffer.from(text, 'utf8');
  const ws: Workspace = new BaseWorkspace('/', { source: `lockfile:${file}` }, [{ path: file, size: bytes.length, kind: 'file', load: async () => bytes }], { ...DEFAULT_LIMITS }, []);
  const inventory = await buildInventory(ws, []);
  const packages = inventory.packages.filter((p) => p.where.file === file);
  return { packages, parsed: packages.length > 0 };
}

export interface LockfileDelta {
  file: string;
  /** Packages in the head version that the base version does not have at that version. */
  added: Package[];
  /** False when no parser understood the lockfile: then every finding in it is kept (fail safe). */
  understood: boolean;
}

export async function lockfileDelta(file: string, headText: string, baseText: string | undefined): Promise<LockfileDelta> {
  const head = await lockfilePackages(file, headText);
  if (!head.parsed) return { file, added: [], understood: false };
  if (baseText === undefined) return { file, added: head.packages, understood: true };
  const base = await lockfilePackages(file, baseText);
  const before = new Set(base.packages.map(packageKey));
  return { file, added: head.packages.filter((p) => !before.has(packageKey(p))), understood: true };
}

function aboutPackage(f: Finding, p: Package): boolean {
  if (p.where.line !== undefined && f.location.line === p.where.line) return true;
  const id = p.version ? `${p.name}@${p.version}` : p.name;
  return f.evidence.some((e) => e.kind === 'package' && (e.value === id || e.value === `${p.ecosystem} ${id}` || e.value.startsWith(`${id} `)));
}

export interface DiffSelection {
  /** Paths relative to the scanned root. */
  changed: Set<string>;
  /** Unchanged files that changed commands run (see reach.ts). */
  reached?: Set<string>;
  lockfiles: Map<string, LockfileDelta>;
}

/** Findings the change is responsible for. */
export function selectForDiff(findings: Finding[], sel: DiffSelection): Finding[] {
  return findings.filter((f) => {
    const files = [f.location.file, ...f.evidence.map((e) => e.location?.file).filter((x): x is string => !!x)];
    if (!f.location.file) return true;
    if (!files.some((file) => sel.changed.has(file) || sel.reached?.has(file))) return false;
    const delta = sel.lockfiles.get(f.location.file);
    if (!delta || !delta.understood) return true;
    // Reached from another changed file: keep; otherwise only findings about added or changed packages.
    if (files.some((file) => file !== f.location.file && sel.changed.has(file))) return true;
    return delta.added.some((p) => aboutPackage(f, p));
  });
}
