#!/usr/bin/env node
// Signature database benchmark (issue 5 target: load the index + match a 5,000-package lockfile against a
// 200,000-record database in ≤ 300 ms).
//
//   node bench/signatures.mjs [--records 200000] [--packages 5000] [--runs 7]
//
// Runs against build/ (run `npm run build` first). Each run is a fresh Node process, so every figure is a cold
// start: JSON parse of the compiled indexes, the package-lock parse, and the matching of every entry. The synthetic
// database has the shape of the real OSV MAL- feed (most records cover every version of a throwaway name; some list
// versions or ranges of a real name) and is written as an OSV cache index, merged with the bundled one as a scan does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const RECORDS = opt('--records', 200_000);
const PACKAGES = opt('--packages', 5_000);
const RUNS = opt('--runs', 7);

/** Deterministic PRNG so every run measures the same data. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function prepare(dir) {
  const { compileIndex } = await import(path.join(ROOT, 'build', 'signatures', 'osv.js'));
  const { serialiseIndex } = await import(path.join(ROOT, 'build', 'signatures', 'package-db.js'));
  const rand = rng(42);
  const popular = readFileSync(path.join(ROOT, 'signatures', 'popular', 'npm-popular-5000.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('name\t'))
    .map((l) => l.split('\t')[0]);
  const records = [];
  for (let i = 0; i < RECORDS; i++) {
    const pypi = rand() < 0.05;
    const versioned = rand() < 0.1;
    const name = versioned ? popular[Math.floor(rand() * popular.length)] : `mal-${i.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}`;
    const affected = { package: { ecosystem: pypi ? 'PyPI' : 'npm', name } };
    if (versioned) affected.versions = [`${1 + Math.floor(rand() * 9)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 20)}`, '99.0.0'];
    else affected.ranges = [{ type: pypi ? 'ECOSYSTEM' : 'SEMVER', events: [{ introduced: '0' }] }];
    records.push({ id: `MAL-2026-${i}`, modified: '2026-11-01T00:00:00Z', summary: `Malicious code in ${name}`, affected: [affected] });
  }
  const index = compileIndex({ name: 'osv', generated: '2026-11-25T00:00:00Z', records });
  writeFileSync(path.join(dir, 'osv-index.idx'), serialiseIndex(index));

  // A 5,000-entry package-lock v3: popular names at plausible versions, a tree two levels deep, 10 malicious entries.
  const packages = { '': { name: 'bench-app', version: '1.0.0', dependencies: {} } };
  const keys = [];
  for (let i = 0; i < PACKAGES; i++) {
    const bad = i % 500 === 7;
    const name = bad ? records[i].affected[0].package.name : popular[i % popular.length];
    const key = i < popular.length ? `node_modules/${name}` : `node_modules/${popular[i % 100]}/node_modules/${name}`;
    const version = bad ? '1.0.0' : `${1 + (i % 7)}.${i % 13}.${i % 5}`;
    keys.push(key);
    packages[key] = { version, resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`, integrity: 'sha512-AAAA', dependencies: {} };
    if (i < 300) packages[''].dependencies[name] = `^${version}`;
    else packages[keys[i % 300]].dependencies[name] = `^${version}`;
  }
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies: packages[''].dependencies }, null, 2));
}

async function child(dir) {
  const t0 = performance.now();
  const { loadSignatures } = await import(path.join(ROOT, 'build', 'signatures', 'load.js'));
  const { packageLock } = await import(path.join(ROOT, 'build', 'ecosystems', 'npm', 'package-lock.js'));
  const tImport = performance.now();
  const cpu0 = process.cpuUsage();
  const sigs = loadSignatures(undefined, { cacheDir: dir });
  sigs.packages.indexes(); // force both indexes to load
  const tLoad = performance.now();
  const text = readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  const sink = { manifests: [], packages: [], installScripts: [], autoRun: [], diagnostic: () => {} };
  packageLock.parse({ path: 'package-lock.json' }, text, sink);
  const tParse = performance.now();
  let hits = 0;
  for (const p of sink.packages) hits += sigs.packages.match({ ecosystem: p.ecosystem, name: p.name, version: p.version, spec: p.spec }).length;
  const tMatch = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const records = sigs.packages.indexes().reduce((n, i) => n + i.records, 0);
  process.stdout.write(JSON.stringify({ importMs: tImport - t0, loadMs: tLoad - tImport, parseMs: tParse - tLoad, matchMs: tMatch - tParse, cpuMs: (cpu.user + cpu.system) / 1000, packages: sink.packages.length, records, hits }));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (args[0] === '--child') await child(args[1]);
else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lurescan-bench-sig-'));
  try {
    const t = performance.now();
    await prepare(dir);
    const prepMs = performance.now() - t;
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dir], { encoding: 'utf8' })));
    const m = (k) => median(runs.map((r) => r[k])).toFixed(1);
    const total = median(runs.map((r) => r.loadMs + r.parseMs + r.matchMs)).toFixed(1);
    const osvBytes = statSync(path.join(dir, 'osv-index.idx')).size;
    const bundledBytes = statSync(path.join(ROOT, 'signatures', 'index', 'packages.idx')).size;
    const r0 = runs[0];
    console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${RUNS} cold runs, medians`);
    console.log(`database: ${r0.records.toLocaleString('en-US')} records (synthetic OSV index ${(osvBytes / 1024 / 1024).toFixed(1)} MiB + bundled ${(bundledBytes / 1024).toFixed(1)} KiB); generated in ${(prepMs / 1000).toFixed(1)} s`);
    console.log(`lockfile: package-lock v3 with ${r0.packages.toLocaleString('en-US')} entries, ${r0.hits} known-bad hits`);
    console.log(`module import ${m('importMs')} ms | index load ${m('loadMs')} ms | lockfile parse ${m('parseMs')} ms | match ${m('matchMs')} ms`);
    console.log(`load + parse + match: ${total} ms wall, ${m('cpuMs')} ms CPU (target ≤ 300 ms); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    if (args.includes('--json')) console.log(JSON.stringify({ runs, osvBytes, bundledBytes }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
