// lurescan evaluation: detection and false positives on three corpora, with a confusion table.
// Usage: npm run build && npm run eval [-- --only fixtures,corpus,node_modules] [--no-signatures] [--json out.json]
//                                       [--corpus-dir .cache/corpus] [--lists ../shared/corpus]
//   fixtures      fixtures/repos/ with fixtures/repos/expectations.tsv
//   corpus        real public repositories listed in <lists>/real-lures.tsv (expected: block) and
//                 <lists>/benign-repos.tsv (expected: pass or warn), exported into <corpus-dir>/<owner+name>/ by
//                 scripts/corpus-export.sh; a repository that is not there is skipped with a message
//   node_modules  every top-level package of this project's node_modules (expected: pass or warn)
// --no-signatures empties the indicator list and the known-malicious package index: what the heuristics alone catch.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const only = new Set((opt('only', 'fixtures,corpus,node_modules') ?? '').split(','));
const noSignatures = args.includes('--no-signatures');
const corpusDir = path.resolve(ROOT, opt('corpus-dir', '.cache/corpus'));
const lists = path.resolve(ROOT, opt('lists', '../shared/corpus'));
const jsonOut = opt('json');

const { acquireLocal } = await import(path.join(ROOT, 'build/acquire/local.js'));
// Internal entry point: scan an acquired workspace with signatures of our choosing.
const { scanWorkspace } = await import(path.join(ROOT, 'build/scan.js'));
const { loadSignatures } = await import(path.join(ROOT, 'build/signatures/load.js'));
const { PackageDb } = await import(path.join(ROOT, 'build/signatures/package-db.js'));
const { DEFAULT_LIMITS } = await import(path.join(ROOT, 'build/options.js'));

const bundled = loadSignatures();
const signatures = noSignatures ? { ...bundled, version: `${bundled.version}-nosig`, iocs: [], packages: PackageDb.fromIndexes([]) } : bundled;

function tsv(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t'));
}

const cases = [];
if (only.has('fixtures')) {
  for (const [name, expected, note] of tsv(path.join(ROOT, 'fixtures/repos/expectations.tsv')).slice(1)) {
    cases.push({ set: 'fixtures', name, dir: path.join(ROOT, 'fixtures/repos', name), expected, note: note ?? '' });
  }
}
if (only.has('corpus')) {
  const sources = [
    ['real-lures.tsv', 'block'],
    ['benign-repos.tsv', 'pass-or-warn'],
  ];
  let missing = 0;
  for (const [file, expected] of sources) {
    const f = path.join(lists, file);
    if (!existsSync(f)) {
      console.error(`corpus: ${f} not found; skipping the real-repository corpus`);
      continue;
    }
    const rows = tsv(f);
    const header = rows[0];
    for (const row of rows.slice(1)) {
      const repo = row[0];
      const dir = path.join(corpusDir, repo.replace('/', '+'));
      if (!existsSync(dir)) {
        missing++;
        continue;
      }
      cases.push({ set: 'corpus', name: repo, dir, expected, note: row[header.indexOf('family')] ?? row[2] ?? '' });
    }
  }
  if (missing) console.error(`corpus: ${missing} repositories are not exported under ${corpusDir}; skipped (scripts/corpus-export.sh brings them in)`);
}
if (only.has('node_modules')) {
  const nm = path.join(ROOT, 'node_modules');
  for (const name of readdirSync(nm).sort()) {
    if (name.startsWith('.')) continue;
    const dirs = name.startsWith('@') ? readdirSync(path.join(nm, name)).map((n) => `${name}/${n}`) : [name];
    for (const d of dirs) {
      const dir = path.join(nm, d);
      if (statSync(dir).isDirectory()) cases.push({ set: 'node_modules', name: d, dir, expected: 'pass-or-warn', note: '' });
    }
  }
}

const rows = [];
for (const c of cases) {
  const started = performance.now();
  let verdict = 'error';
  let rules = [];
  let complete = false;
  let error;
  try {
    const ws = await acquireLocal(c.dir, DEFAULT_LIMITS);
    try {
      const r = await scanWorkspace(ws, {}, signatures);
      verdict = r.verdict;
      complete = r.complete;
      rules = [...new Set(r.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity)).map((f) => `${f.ruleId}:${f.severity[0]}`))];
    } finally {
      await ws.dispose();
    }
  } catch (err) {
    error = err.message;
  }
  const ms = Math.round(performance.now() - started);
  const ok = c.expected === 'block' ? verdict === 'block' : verdict === 'pass' || verdict === 'warn';
  rows.push({ ...c, verdict, ok, complete, rules, ms, error });
  if (c.set !== 'node_modules' || !ok || verdict === 'warn') {
    console.log(`${ok ? 'ok  ' : 'MISS'} ${c.set.padEnd(12)} ${c.name.padEnd(52)} ${c.expected.padEnd(12)} → ${verdict.padEnd(5)} ${String(ms).padStart(6)} ms  ${rules.join(' ')}${error ? ` ERROR ${error}` : ''}`);
  }
}

console.log(`\nsignatures: ${noSignatures ? 'OFF (heuristics only)' : signatures.version}`);
for (const set of ['fixtures', 'corpus', 'node_modules']) {
  const rs = rows.filter((r) => r.set === set);
  if (!rs.length) continue;
  const lures = rs.filter((r) => r.expected === 'block');
  const benign = rs.filter((r) => r.expected !== 'block');
  const count = (xs, v) => xs.filter((r) => r.verdict === v).length;
  console.log(`\n${set}: ${rs.length} cases, median ${rs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(rs.length / 2)]} ms`);
  if (lures.length) console.log(`  lures   ${String(lures.length).padStart(4)}: blocked ${count(lures, 'block')}, warned ${count(lures, 'warn')}, missed ${count(lures, 'pass')}, errors ${count(lures, 'error')}`);
  if (benign.length) console.log(`  benign  ${String(benign.length).padStart(4)}: blocked ${count(benign, 'block')}, warned ${count(benign, 'warn')}, passed ${count(benign, 'pass')}, errors ${count(benign, 'error')}`);
}
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), signatures: signatures.version, noSignatures, rows }, null, 2));
  console.log(`\nwrote ${jsonOut}`);
}
process.exitCode = rows.some((r) => !r.ok) ? 1 : 0;
