/** Package names as each ecosystem compares them. */
import type { PackageEcosystem } from '../types.js';

/** PEP 503: lower-case, runs of '-', '_' and '.' folded to one '-'. */
export function normalisePypiName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

/** The key a package is stored and looked up under. npm names are compared as written (the registry is case-sensitive for legacy names). */
export function packageKey(ecosystem: PackageEcosystem, name: string): string {
  return ecosystem === 'PyPI' ? normalisePypiName(name) : name.trim();
}

/** OSV ecosystem strings lurescan reads ('npm', 'PyPI'); anything else is skipped. */
export function ecosystemOf(osvEcosystem: string): PackageEcosystem | undefined {
  if (osvEcosystem === 'npm') return 'npm';
  if (osvEcosystem === 'PyPI') return 'PyPI';
  return undefined;
}
