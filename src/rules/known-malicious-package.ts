import path from 'node:path';
import semver from 'semver';
import { defineRule } from './define-rule.js';
import { inNodeModules } from '../analysis/bundle.js';
import type { Evidence, Package, Severity, Confidence } from '../types.js';
import type { PackageRecordMatch } from '../signatures/package-db.js';

/** Lockfile parsers: an entry from one of these is what actually gets installed. */
const LOCK_SOURCES = new Set(['npm/installed', 'npm/package-lock', 'npm/yarn-lock', 'npm/pnpm-lock', 'npm/bun-lock', 'pypi/pipfile-lock', 'pypi/poetry-lock', 'pypi/uv-lock']);

function judge(m: PackageRecordMatch): { severity: Severity; confidence: Confidence } {
  if (m.confidence === 'unverified') return m.how === 'version' || m.allVersions ? { severity: 'high', confidence: 'medium' } : { severity: 'medium', confidence: 'low' };
  if (m.how === 'version' || m.allVersions) return { severity: 'critical', confidence: 'high' };
  // A range that admits a bad version, or a name whose version we cannot read: the install may pick the bad one.
  return { severity: 'high', confidence: 'medium' };
}

function describe(pkg: Package): string {
  return `${pkg.name}@${pkg.version ?? pkg.spec ?? '?'}`;
}

export default defineRule({
  meta: {
    id: 'known-malicious-package',
    title: 'Dependency on a known-malicious package',
    description:
      'Matches every dependency a manifest or lockfile names (direct or transitive; package-lock v1-v3, npm-shrinkwrap, yarn v1 and berry, pnpm 5-9, bun.lock, ' +
      'requirements files, pyproject, setup.cfg, Pipfile(.lock), poetry.lock, uv.lock) against the signature database: the bundled OSV-shaped records ' +
      '(DPRK npm and PyPI packages, the axios 1.14.1 / 0.30.4 compromise) and the OSV MAL- feed imported by `lurescan signatures update`. ' +
      'Names are compared after each ecosystem\'s normalisation; where a record lists versions, the version must match (semver for npm, PEP 440 for PyPI). ' +
      'An npm alias ("lodash": "npm:is-buffer-validator@^1", and its lockfile entries) is matched by the package it installs, not the name it is installed under.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T01'],
    remediation:
      'Do not install this project. If it is already installed, treat the machine as compromised: rotate credentials, tokens and wallet keys from a clean machine. ' +
      'Remove the dependency (and whatever pulls it in) and regenerate the lockfile.',
    references: ['https://github.com/ossf/malicious-packages'],
  },
  check(ctx) {
    const pkgs = ctx.inventory.packages;
    // A database that could not be read must not look like a clean result.
    if (pkgs.length) ctx.signatures.packages.hasName('npm', '');
    for (const e of ctx.signatures.packages.errors)
      ctx.diagnostic({ code: 'signatures-unreadable', message: `package signature index ${e.file}: ${e.message}; dependencies were not checked against it`, incomplete: true });
    // Versions that lockfiles pin, per folder and name: a manifest range is judged by what its lockfile locked.
    const locked = new Map<string, string[]>();
    for (const p of pkgs) {
      if (!LOCK_SOURCES.has(p.source) || !p.version) continue;
      const k = `${path.posix.dirname(p.where.file)}\0${p.ecosystem}\0${p.name.toLowerCase()}`;
      locked.set(k, [...(locked.get(k) ?? []), p.version]);
    }
    // An installed copy (a package.json under node_modules/, committed or unpacked with the project) is the package
    // itself at its own version: what the install already fetched, whatever the registry serves today.
    const installed: Package[] = ctx.inventory.manifests
      .filter((m) => m.name && m.version && inNodeModules(m.file))
      .map((m) => ({ ecosystem: 'npm', name: m.name!, version: m.version, direct: false, scope: 'unknown', where: { file: m.file, line: 1 }, source: 'npm/installed' }));
    for (const pkg of [...pkgs, ...installed]) {
      // A local spec installs the code of a folder or archive in this tree, never a registry version: a project's own
      // tests that depend on "axios": "file:../../.." are axios's source, not a compromised release.
      if (pkg.spec && /^(?:file|link|workspace|portal):/.test(pkg.spec)) continue;
      // An exact pin in a manifest ("axios": "1.14.1", "=1.14.1") is as good as a locked version.
      const pinned = !pkg.version && pkg.ecosystem === 'npm' && pkg.spec ? semver.valid(semver.clean(pkg.spec) ?? '') : null;
      const matches = ctx.signatures.packages.match({ ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version ?? pinned ?? undefined, spec: pkg.spec });
      for (const m of matches) {
        let { severity, confidence } = judge(m);
        const isLock = LOCK_SOURCES.has(pkg.source);
        if (!isLock && m.how !== 'version' && !m.allVersions) {
          // The manifest only asks for a range; if the lockfile beside it pins a version the record does not cover, the install is not affected.
          const pins = locked.get(`${path.posix.dirname(pkg.where.file)}\0${pkg.ecosystem}\0${pkg.name.toLowerCase()}`);
          if (pins && pins.every((v) => !ctx.signatures.packages.match({ ecosystem: pkg.ecosystem, name: pkg.name, version: v }).some((x) => x.id === m.id))) {
            severity = 'low';
            confidence = 'medium';
          }
        }
        // A range whose only bad versions the registry has removed cannot install them from it any more (a mirror
        // that cached them still could): worth a line, not a warning. A lock or an installed copy is matched by version.
        const gone = !isLock && m.how === 'range' && m.admitted?.length && m.removed && m.admitted.every((v) => m.removed![v]) ? m.admitted : undefined;
        if (gone && severity !== 'low') {
          severity = 'low';
          confidence = 'medium';
        }
        const via = pkg.path && pkg.path.length > 1 ? `, pulled in by ${pkg.path.join(' → ')}` : pkg.direct ? ', a direct dependency' : '';
        const what =
          m.how === 'version' ? `${describe(pkg)} is a known-malicious ${m.allVersions ? 'package' : 'version'}` :
          m.how === 'range' ? `${pkg.name} "${pkg.spec}" ${m.allVersions ? 'names a known-malicious package' : `admits a known-malicious version (${(m.admitted ?? m.versions ?? []).join(', ') || 'see the record'})`}` :
          `${pkg.name} (${pkg.spec ?? 'no version'}) matches a known-malicious ${m.allVersions ? 'package' : 'package name; the version could not be checked'}`;
        // An npm alias hides the package under another name: the inventory records what is installed, the message says both.
        const alias = pkg.alias ? `, installed under the alias "${pkg.alias}"` : '';
        const record = `${m.id}${m.confidence === 'unverified' ? ', unverified' : ''}${m.campaign ? `: ${m.campaign}` : ''}`;
        const evidence: Evidence[] = [
          { kind: 'package', value: `${pkg.ecosystem} ${describe(pkg)}`, location: pkg.where },
          { kind: 'indicator', value: `${m.id} (${m.source})${m.reference ? ` ${m.reference}` : ''}` },
        ];
        if (pkg.alias) evidence.push({ kind: 'note', value: `npm alias: code that requires "${pkg.alias}" gets ${pkg.name}` });
        if (pkg.path && pkg.path.length > 1) evidence.push({ kind: 'chain', value: pkg.path.join(' → ') });
        if (gone) evidence.push({ kind: 'note', value: `removed from the registry: ${gone.map((v) => `${v} (${m.removed![v]})`).join(', ')}; npm install cannot fetch it there, a mirror that cached it still could` });
        else if (severity === 'low') evidence.push({ kind: 'note', value: 'the lockfile beside this manifest pins a version the record does not cover' });
        ctx.report({
          message: `${what}${gone ? `, but the registry removed ${gone.join(' and ')} (${[...new Set(gone.map((v) => m.removed![v].slice(0, 10)))].join(', ')}), so an install from it cannot get ${gone.length > 1 ? 'them' : 'it'}` : ''}${alias} (${record})${via}. Listed in ${pkg.where.file}${pkg.where.line ? `:${pkg.where.line}` : ''}.`,
          location: pkg.where,
          severity,
          confidence,
          evidence,
          key: `${m.id}\0${pkg.ecosystem}\0${pkg.name}\0${pkg.version ?? pkg.spec ?? ''}`,
        });
      }
    }
  },
});
