#!/usr/bin/env node
// Derives the lockfile-integrity fixtures from the real-generated clean locks in fixtures/repos/lock-*-clean by
// making the edits an attacker makes by hand to a committed lockfile (THREATS T17): point one entry's download at
// another host, drop its integrity, add an entry nothing asks for, or let the manifest and lock disagree.
// Run after scripts/generate-lockfile-fixtures.mjs. 198.51.100.0/24 is TEST-NET-2 (RFC 5737): never routed.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const REPOS = path.join(ROOT, 'fixtures', 'repos');
const OUT = path.join(ROOT, 'fixtures', 'rules', 'lockfile-integrity');

function derive(from, to, edit) {
  const dest = path.join(OUT, to);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(path.join(REPOS, from), dest, { recursive: true });
  edit(dest);
  console.log(`${to} ← ${from}`);
}
const rw = (dir, f, fn) => writeFileSync(path.join(dir, f), fn(readFileSync(path.join(dir, f), 'utf8')));

// npm v1: harmless-leaf now downloads over plain http from an IP literal, with no integrity.
derive('lock-npm-v1-clean', 'positive/http-ip-tarball', (d) =>
  rw(d, 'package-lock.json', (t) => {
    const j = JSON.parse(t);
    j.dependencies['harmless-leaf'].resolved = 'http://198.51.100.7/harmless-leaf-1.0.0.tgz';
    delete j.dependencies['harmless-leaf'].integrity;
    return `${JSON.stringify(j, null, 2)}\n`;
  }),
);
// yarn v1: harmless-leaf's tarball moved to a host that is not the configured registry.
derive('lock-yarn-v1-clean', 'positive/yarn-foreign-host', (d) =>
  rw(d, 'yarn.lock', (t) => t.replace('https://npm.corp.example/harmless-leaf/-/harmless-leaf-1.0.0.tgz', 'https://cdn.pkg-mirror.example.net/harmless-leaf-1.0.0.tgz')),
);
// npm v3: an extra top-level entry that neither package.json nor any package asks for.
derive('lock-npm-v3-clean', 'positive/entry-nothing-asks-for', (d) =>
  rw(d, 'package-lock.json', (t) => {
    const j = JSON.parse(t);
    j.packages['node_modules/extra-helper'] = { version: '1.0.0', resolved: 'https://npm.corp.example/extra-helper/-/extra-helper-1.0.0.tgz', integrity: j.packages['node_modules/harmless-leaf'].integrity };
    return `${JSON.stringify(j, null, 2)}\n`;
  }),
);
// npm v3: package.json was bumped to ^2.0.0 but the lock still installs 1.0.1.
derive('lock-npm-v3-clean', 'positive/manifest-range-not-satisfied', (d) =>
  rw(d, 'package.json', (t) => t.replace('"harmless-wrapper": "1.0.1"', '"harmless-wrapper": "^2.0.0"')),
);
// Negative: the clean locks as generated, against the corporate registry their .npmrc/.yarnrc.yml configure.
derive('lock-pnpm-v9-clean', 'negative/corp-registry-pnpm', () => {});
derive('lock-yarn-berry-clean', 'negative/corp-registry-berry', () => {});
derive('lock-bun-clean', 'negative/corp-registry-bun', () => {});
derive('lock-yarn-v1-clean', 'negative/corp-registry-yarn-v1', () => {});
// Workspaces: every project's dependencies are checked against that project's own manifest, not the root's.
derive('lock-pnpm-v9-workspace-clean', 'negative/pnpm-workspace', () => {});
derive('lock-pnpm-v10-workspace-clean', 'negative/pnpm10-workspace', () => {});
derive('lock-npm-v3-workspace-clean', 'negative/npm-workspace', () => {});
derive('lock-yarn-berry-workspace-clean', 'negative/berry-workspace', () => {});
derive('lock-bun-workspace-clean', 'negative/bun-workspace', () => {});
// pnpm 9 workspace: the lock gives packages/app a dependency that packages/app/package.json does not list.
derive('lock-pnpm-v9-workspace-clean', 'positive/pnpm-workspace-entry-nothing-asks-for', (d) =>
  rw(d, 'pnpm-lock.yaml', (t) =>
    t
      .replace('  packages/app:\n    dependencies:\n', '  packages/app:\n    dependencies:\n      extra-helper:\n        specifier: 1.0.0\n        version: 1.0.0\n')
      .replace('packages:\n\n', 'packages:\n\n  extra-helper@1.0.0:\n    resolution: {integrity: sha512-RVixqtvHXeIhqwYurjadqkYeHd2oTy6YLzd5bUkF6pf/EYaeAT5BKSC9q2o2AXrF0A1WBgd0W8D4ED+a6NE0Vg==}\n\n')
      .replace('snapshots:\n\n', 'snapshots:\n\n  extra-helper@1.0.0: {}\n\n'),
  ),
);
// npm workspace: the lock's record of packages/lib asks for a package that packages/lib/package.json does not list.
derive('lock-npm-v3-workspace-clean', 'positive/npm-workspace-entry-nothing-asks-for', (d) =>
  rw(d, 'package-lock.json', (t) => {
    const j = JSON.parse(t);
    j.packages['packages/lib'].dependencies['extra-helper'] = '1.0.0';
    j.packages['node_modules/extra-helper'] = { version: '1.0.0', resolved: 'https://npm.corp.example/extra-helper/-/extra-helper-1.0.0.tgz', integrity: j.packages['node_modules/harmless-leaf'].integrity };
    return `${JSON.stringify(j, null, 2)}\n`;
  }),
);
// An old lock (npm 6, v1) made against an http registry URL: every entry keeps its sha512 integrity, which npm checks (low).
derive('lock-npm-v1-clean', 'negative/http-registry-with-sha512', (d) =>
  rw(d, 'package-lock.json', (t) => t.replaceAll('"https://npm.corp.example/', '"http://npm.corp.example/')),
);
// The same lock without the hashes: nothing verifies what the http download returns (high).
derive('lock-npm-v1-clean', 'positive/http-registry-no-integrity', (d) =>
  rw(d, 'package-lock.json', (t) => {
    const j = JSON.parse(t.replaceAll('"https://npm.corp.example/', '"http://npm.corp.example/'));
    for (const e of Object.values(j.dependencies)) delete e.integrity;
    return `${JSON.stringify(j, null, 2)}\n`;
  }),
);
