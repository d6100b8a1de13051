#!/usr/bin/env node
// Turns ../shared/intel/{npm,pypi}-dprk-packages.tsv (names from public reports) into OSV-shaped records in
// signatures/packages/<file>.json, one record per package, each with its campaign and references.
// Run again when the intel files change; the output is data reviewed in the commit. `npm run build` then validates
// every record and compiles signatures/index/packages.json.
//
// The versions column is free text in a few rows; it is normalised here:
//   ''                              → every version (OSV range introduced "0")
//   'all (e.g. ^1.4.1 used by lures)' → every version
//   '1.3.1 (version linked by …)'   → exactly 1.3.1 (intel/README: where versions are given, match them)
//   '4.2.0,4.2.1 (per …)'           → exactly those
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const INTEL = process.argv[2] ?? path.join('..', 'shared', 'intel');
const OUT = path.join('signatures', 'packages');
const MODIFIED = process.env.LURESCAN_IMPORT_DATE ?? '2026-11-25T00:00:00Z';

function rows(file) {
  return readFileSync(path.join(INTEL, file), 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim())
    .map((l) => l.split('\t'))
    .filter(([name]) => name && name !== 'name');
}

export function normaliseVersions(text) {
  const t = (text ?? '').trim();
  if (!t || /^all\b/i.test(t)) return { all: true, note: t || undefined };
  const head = (t.includes('(') ? t.slice(0, t.indexOf('(')) : t).trim();
  const versions = head.split(/[,\s]+/).filter(Boolean);
  const bad = versions.filter((v) => !/^\d+\.\d+\.\d+(?:[-+][\w.+-]+)?$/.test(v));
  if (bad.length) throw new Error(`cannot normalise versions "${t}"`);
  return { all: false, versions, note: head === t ? undefined : t };
}

function trimPunct(s) {
  let a = 0;
  let b = s.length;
  while (a < b && ' \t;,'.includes(s[a])) a++;
  while (b > a && ' \t;,'.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function referencesOf(text) {
  const urls = [...(text ?? '').matchAll(/https?:\/\/[^\s;,]+/g)].map((m) => m[0]);
  const note = trimPunct((text ?? '').replace(/https?:\/\/[^\s;,]+/g, ''));
  return { urls: [...new Set(urls)], note: note || undefined };
}

function idOf(ecosystem, name) {
  return `LURESCAN-${ecosystem === 'PyPI' ? 'PYPI' : 'NPM'}-${name.replace(/^@/, '').replace(/\//g, '+')}`;
}

function record(ecosystem, name, versionsText, campaign, reference, source) {
  const v = normaliseVersions(versionsText);
  const refs = referencesOf(reference);
  const unverified = /UNVERIFIED/i.test(campaign);
  const aliases = [...new Set([...(reference ?? '').matchAll(/\b(MAL-\d{4}-\d+|GHSA-[\w-]{14})\b/g)].map((m) => m[1]))];
  const affected = { package: { ecosystem, name } };
  if (v.all) affected.ranges = [{ type: ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }] }];
  else affected.versions = v.versions;
  return {
    schema_version: '1.6.0',
    id: idOf(ecosystem, name),
    modified: MODIFIED,
    ...(aliases.length ? { aliases } : {}),
    summary: unverified ? `Suspected malicious package ${name} (${ecosystem}), named in a single unconfirmed source` : `Malicious code in ${name} (${ecosystem})`,
    affected: [affected],
    references: refs.urls.map((url) => ({ type: 'REPORT', url })),
    database_specific: {
      campaign,
      confidence: unverified ? 'unverified' : 'confirmed',
      source,
      ...(refs.note ? { reference_note: refs.note } : {}),
      ...(v.note ? { versions_note: v.note } : {}),
    },
  };
}

// Versions the registry removed (signatures/registry/npm-removed-versions.json, with references) and names it replaced
// with a security holding package (npm-security-holding.json: every version gone), copied into the npm records.
const REGISTRY = path.join('signatures', 'registry');
const removedVersions = JSON.parse(readFileSync(path.join(REGISTRY, 'npm-removed-versions.json'), 'utf8')).entries;
const holding = new Set(JSON.parse(readFileSync(path.join(REGISTRY, 'npm-security-holding.json'), 'utf8')).names);

function markRemoved(rec) {
  const a = rec.affected[0];
  if (a.package.ecosystem !== 'npm') return rec;
  const entry = removedVersions.find((e) => e.name === a.package.name);
  if (entry) {
    a.database_specific = {
      registry_removed: Object.fromEntries(entry.versions.map((v) => [v, entry.removed])),
      registry_removed_references: entry.references,
    };
  } else if (holding.has(a.package.name)) {
    a.database_specific = { registry_removed: { '*': 'security holding package' }, registry_removed_references: ['signatures/registry/npm-security-holding.json'] };
  }
  return rec;
}

function build(file, ecosystem, outName, title, filter = () => true) {
  const byName = new Map();
  for (const [name, versions, campaign, reference] of rows(file)) {
    if (!filter(name, campaign)) continue;
    const rec = markRemoved(record(ecosystem, name.trim(), versions, campaign.trim(), reference, `shared/intel/${file}`));
    const prior = byName.get(rec.id);
    if (prior) {
      // Same name listed twice: keep one record, union the references and note both campaigns.
      for (const r of rec.references) if (!prior.references.some((p) => p.url === r.url)) prior.references.push(r);
      if (prior.database_specific.campaign !== rec.database_specific.campaign) prior.database_specific.also_in = rec.database_specific.campaign;
      continue;
    }
    byName.set(rec.id, rec);
  }
  const records = [...byName.values()].sort((a, b) => a.id.localeCompare(b.id));
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, outName), `${JSON.stringify({ title, source: `shared/intel/${file}`, records }, null, 2)}\n`);
  console.log(`${outName}: ${records.length} records`);
}

const isAxios = (_name, campaign) => /axios/i.test(campaign);
build('npm-dprk-packages.tsv', 'npm', 'npm-dprk.json', 'npm packages tied to DPRK campaigns (Contagious Interview, Lazarus, Sapphire Sleet)', (n, c) => !isAxios(n, c));
build('npm-dprk-packages.tsv', 'npm', 'npm-axios-compromise.json', 'axios 1.14.1 / 0.30.4 maintainer compromise and its companion packages (Sapphire Sleet, Mar 2026)', isAxios);
build('pypi-dprk-packages.tsv', 'PyPI', 'pypi-dprk.json', 'PyPI packages tied to Lazarus (JPCERT/CC, Feb 2024)');
