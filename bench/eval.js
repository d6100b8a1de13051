// lurescan evaluation: detection and false positives per corpus, with findings counted per repository and per rule.
// Usage: npm run build && npm run eval [-- --only fixtures,lures,benign,node_modules] [--no-signatures]
//          [--json out.json] [--markdown out.md] [--corpus-dir .cache/corpus] [--lists ../shared/corpus]
//          [--extra bench/corpus/benign-extra.tsv] [--compare earlier.json]
//   fixtures      fixtures/repos/ with fixtures/repos/expectations.tsv
//   lures         real lure repositories of <lists>/real-lures.tsv (expected: block)
//   benign        real benign repositories of <lists>/benign-repos.tsv and of the project's own <extra> list
//                 (expected: pass; a warn is counted against the warn target, a block fails)
//                 (`corpus` selects lures and benign together)
//   node_modules  every top-level package of this project's node_modules (expected: pass or warn)
// Real repositories are exported into <corpus-dir>/<owner+name>/ by scripts/corpus-export.sh, which records the commit
// of each export in <owner+name>.commit; a repository that is not exported is skipped with a message.
// --no-signatures empties the indicator list and the known-malicious package index: what the heuristics alone catch.
// --compare prints the rows whose verdict or critical rules differ from an earlier --json run, and findings per rule
// before and after.
// Targets printed for the benign corpora: 0 blocked, at most 5% warned, at most 1 finding of medium or above per
// repository on average; for the lures: every one blocked.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const only = new Set((opt('only', 'fixtures,corpus,node_modules') ?? '').split(',').flatMap((s) => (s === 'corpus' ? ['lures', 'benign'] : [s])));
const noSignatures = args.includes('--no-signatures');
const corpusDir = path.resolve(ROOT, opt('corpus-dir', '.cache/corpus'));
const lists = path.resolve(ROOT, opt('lists', '../shared/corpus'));
const extraList = path.resolve(ROOT, opt('extra', 'bench/corpus/benign-extra.tsv'));
const jsonOut = opt('json');
const mdOut = opt('markdown');
const compareWith = opt('compare');

const { acquireLocal } = await import(path.join(ROOT, 'build/acquire/local.js'));
// Internal entry point: scan an acquired workspace with signatures of our choosing.
const { scanWorkspace } = await import(path.join(ROOT, 'build/scan.js'));
const { loadSignatures } = await import(path.join(ROOT, 'build/signatures/load.js'));
const { PackageDb } = await import(path.join(ROOT, 'build/signatures/package-db.js'));
const { DEFAULT_LIMITS } = await import(path.join(ROOT, 'build/options.js'));

const bundled = loadSignatures();
const signatures = noSignatures ? { ...bundled, version: `${bundled.version}-nosig`, iocs: [], packages: PackageDb.fromIndexes([]) } : bundled;
const MEDIUM_UP = ['critical', 'high', 'medium'];
const SEV = { critical: 'c', high: 'h', medium: 'm', low: 'l', info: 'i' };

function tsv(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t'));
}

function lurescanCommit() {
  try {
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no', 'src', 'signatures'], { encoding: 'utf8' }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown';
  }
}

const cases = [];
if (only.has('fixtures')) {
  for (const [name, expected, note] of tsv(path.join(ROOT, 'fixtures/repos/expectations.tsv')).slice(1)) {
    cases.push({ set: 'fixtures', name, dir: path.join(ROOT, 'fixtures/repos', name), expected, note: note ?? '' });
  }
}
const sources = [];
if (only.has('lures')) sources.push(['lures', path.join(lists, 'real-lures.tsv'), 'block']);
if (only.has('benign')) sources.push(['benign', path.join(lists, 'benign-repos.tsv'), 'pass'], ['benign-extra', extraList, 'pass']);
let missing = 0;
for (const [set, file, expected] of sources) {
  if (!existsSync(file)) {
    console.error(`corpus: ${file} not found; skipping ${set}`);
    continue;
  }
  const rows = tsv(file);
  const header = rows[0];
  for (const row of rows.slice(1)) {
    const repo = row[0];
    const key = repo.replace('/', '+');
    const dir = path.join(corpusDir, key);
    if (!existsSync(dir)) {
      missing++;
      continue;
    }
    // The commit scanned: the export's record, else the list's own pin.
    const recorded = path.join(corpusDir, `${key}.commit`);
    const commit = existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : row[1] || 'HEAD';
    cases.push({ set, name: repo, dir, expected, commit, note: row[header.indexOf('family')] ?? row[2] ?? '' });
  }
}
if (missing) console.error(`corpus: ${missing} repositories are not exported under ${corpusDir}; skipped (scripts/corpus-export.sh brings them in)`);
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
  let findings = [];
  let low = {};
  let complete = false;
  let error;
  try {
    const ws = await acquireLocal(c.dir, DEFAULT_LIMITS);
    try {
      const r = await scanWorkspace(ws, {}, signatures);
      verdict = r.verdict;
      complete = r.complete;
      findings = r.findings
        .filter((f) => MEDIUM_UP.includes(f.severity))
        .map((f) => ({ rule: f.ruleId, severity: f.severity, file: f.location.file, line: f.location.line, message: f.message }));
      for (const f of r.findings) if (!MEDIUM_UP.includes(f.severity)) low[f.ruleId] = (low[f.ruleId] ?? 0) + 1;
    } finally {
      await ws.dispose();
    }
  } catch (err) {
    error = err.message;
  }
  const ms = Math.round(performance.now() - started);
  const ok = c.expected === 'block' ? verdict === 'block' : c.expected === 'pass' ? verdict === 'pass' : verdict === 'pass' || verdict === 'warn';
  const rules = {};
  for (const f of findings) rules[`${f.rule}:${SEV[f.severity]}`] = (rules[`${f.rule}:${SEV[f.severity]}`] ?? 0) + 1;
  const { dir: _dir, ...rest } = c;
  rows.push({ ...rest, verdict, ok, complete, ms, rules, findings, low, error });
  if (c.set !== 'node_modules' || verdict !== 'pass') {
    const tag = ok ? 'ok  ' : c.expected === 'pass' && verdict === 'warn' ? 'warn' : 'MISS';
    const ruleText = Object.entries(rules).map(([k, n]) => (n > 1 ? `${k}×${n}` : k)).join(' ');
    console.log(`${tag} ${c.set.padEnd(12)} ${c.name.padEnd(52)} ${c.expected.padEnd(12)} → ${verdict.padEnd(5)} ${String(ms).padStart(6)} ms  ${ruleText}${error ? ` ERROR ${error}` : ''}`);
  }
}

// Per corpus: verdicts, findings of medium or above, per rule.
const SETS = ['fixture lures', 'fixture benign', 'lures', 'benign', 'benign-extra', 'benign (all)', 'node_modules'];
function inSet(r, set) {
  if (set === 'fixture lures') return r.set === 'fixtures' && r.expected === 'block';
  if (set === 'fixture benign') return r.set === 'fixtures' && r.expected !== 'block';
  return set === 'benign (all)' ? r.set === 'benign' || r.set === 'benign-extra' : r.set === set;
}
const count = (xs, v) => xs.filter((r) => r.verdict === v).length;
const summaries = [];
for (const set of SETS) {
  const rs = rows.filter((r) => inSet(r, set));
  if (!rs.length) continue;
  if (set === 'benign (all)' && !(rs.some((r) => r.set === 'benign') && rs.some((r) => r.set === 'benign-extra'))) continue;
  const perRule = {};
  for (const r of rs) {
    for (const f of r.findings) {
      const e = (perRule[f.rule] ??= { findings: 0, critical: 0, high: 0, medium: 0, repos: new Set(), blocks: new Set(), warns: new Set() });
      e.findings++;
      e[f.severity]++;
      e.repos.add(r.name);
    }
  }
  const mediumUp = rs.reduce((n, r) => n + r.findings.length, 0);
  const lures = rs.filter((r) => r.expected === 'block');
  const benign = rs.filter((r) => r.expected !== 'block');
  summaries.push({
    set,
    cases: rs.length,
    lures: lures.length,
    benign: benign.length,
    blocked: count(rs, 'block'),
    warned: count(rs, 'warn'),
    passed: count(rs, 'pass'),
    errors: count(rs, 'error'),
    luresBlocked: count(lures, 'block'),
    benignBlocked: count(benign, 'block'),
    benignWarned: count(benign, 'warn'),
    findingsMediumUp: mediumUp,
    perRepo: rs.length ? mediumUp / rs.length : 0,
    medianMs: rs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(rs.length / 2)],
    perRule: Object.fromEntries(
      Object.entries(perRule)
        .sort((a, b) => b[1].findings - a[1].findings)
        .map(([rule, e]) => [rule, { findings: e.findings, critical: e.critical, high: e.high, medium: e.medium, repos: e.repos.size }]),
    ),
  });
}

function targets(s) {
  if (s.set === 'node_modules' || s.set === 'fixture benign') return [];
  if (s.set === 'lures' || s.set === 'fixture lures') return [[`every lure blocked (${s.luresBlocked}/${s.lures})`, s.luresBlocked === s.lures]];
  const warnPct = (100 * s.benignWarned) / s.benign;
  return [
    [`0 blocked (${s.benignBlocked})`, s.benignBlocked === 0],
    [`warned ≤ 5% (${warnPct.toFixed(1)}%)`, warnPct <= 5],
    [`findings ≥ medium ≤ 1 per repository (${s.perRepo.toFixed(2)})`, s.perRepo <= 1],
  ];
}

const evaluated = lurescanCommit();
const when = new Date().toISOString();
console.log(`\nlurescan ${evaluated}, signatures: ${noSignatures ? 'OFF (heuristics only)' : signatures.version}, ${when}`);
console.log(`\n${'corpus'.padEnd(14)} ${'cases'.padStart(5)} ${'block'.padStart(6)} ${'warn'.padStart(5)} ${'pass'.padStart(5)} ${'err'.padStart(4)} ${'≥med'.padStart(6)} ${'/repo'.padStart(6)} ${'med ms'.padStart(7)}`);
for (const s of summaries) {
  console.log(
    `${s.set.padEnd(14)} ${String(s.cases).padStart(5)} ${String(s.blocked).padStart(6)} ${String(s.warned).padStart(5)} ${String(s.passed).padStart(5)} ${String(s.errors).padStart(4)} ${String(s.findingsMediumUp).padStart(6)} ${s.perRepo.toFixed(2).padStart(6)} ${String(s.medianMs).padStart(7)}`,
  );
}
for (const s of summaries) {
  const t = targets(s);
  if (t.length) console.log(`  ${s.set}: ${t.map(([text, met]) => `${met ? '✓' : '✗'} ${text}`).join('; ')}`);
}
for (const s of summaries.filter((x) => !x.set.startsWith('fixture') && Object.keys(x.perRule).length)) {
  console.log(`\n${s.set}: findings of medium or above per rule`);
  console.log(`  ${'rule'.padEnd(26)} ${'findings'.padStart(8)} ${'crit'.padStart(5)} ${'high'.padStart(5)} ${'med'.padStart(5)} ${'repos'.padStart(6)}`);
  for (const [rule, e] of Object.entries(s.perRule)) {
    console.log(`  ${rule.padEnd(26)} ${String(e.findings).padStart(8)} ${String(e.critical).padStart(5)} ${String(e.high).padStart(5)} ${String(e.medium).padStart(5)} ${String(e.repos).padStart(6)}`);
  }
}

function compare(file) {
  const before = JSON.parse(readFileSync(file, 'utf8'));
  const old = new Map(before.rows.map((r) => [`${r.set}\t${r.name}`, r]));
  const changed = [];
  const delta = {};
  for (const r of rows) {
    const o = old.get(`${r.set}\t${r.name}`);
    if (!o) continue;
    const crit = (x) => Object.keys(x.rules).filter((k) => k.endsWith(':c')).sort().join(' ');
    if (o.verdict !== r.verdict || crit(o) !== crit(r)) changed.push({ set: r.set, name: r.name, from: o.verdict, to: r.verdict, critFrom: crit(o), critTo: crit(r) });
    for (const [which, x] of [['before', o], ['after', r]]) {
      for (const f of x.findings) (delta[f.rule] ??= { before: 0, after: 0 })[which]++;
    }
  }
  return { against: `${before.lurescan ?? '?'} (${before.date})`, changed, perRule: delta };
}
const comparison = compareWith ? compare(compareWith) : undefined;
if (comparison) {
  console.log(`\ncompared with ${comparison.against}: ${comparison.changed.length} rows changed verdict or critical rules`);
  for (const c of comparison.changed) console.log(`  ${c.set.padEnd(12)} ${c.name.padEnd(52)} ${c.from} → ${c.to}${c.critFrom !== c.critTo ? `  critical: [${c.critFrom}] → [${c.critTo}]` : ''}`);
  console.log(`  ${'rule'.padEnd(26)} findings ≥ medium before → after`);
  for (const [rule, d] of Object.entries(comparison.perRule).sort((a, b) => b[1].before - a[1].before)) console.log(`  ${rule.padEnd(26)} ${String(d.before).padStart(6)} → ${d.after}`);
}

function markdown() {
  const out = [];
  out.push(`# lurescan evaluation`, '', `- lurescan: ${evaluated}`, `- signatures: ${noSignatures ? 'OFF (heuristics only)' : signatures.version}`, `- run: ${when}`, '');
  out.push('| corpus | cases | blocked | warned | passed | errors | findings ≥ medium | per repository | targets |', '|---|---|---|---|---|---|---|---|---|');
  for (const s of summaries) {
    const t = targets(s).map(([text, met]) => `${met ? '✓' : '✗'} ${text}`).join('<br>');
    out.push(`| ${s.set} | ${s.cases} | ${s.blocked} | ${s.warned} | ${s.passed} | ${s.errors} | ${s.findingsMediumUp} | ${s.perRepo.toFixed(2)} | ${t} |`);
  }
  for (const s of summaries.filter((x) => !x.set.startsWith('fixture') && x.set !== 'benign (all)' && Object.keys(x.perRule).length)) {
    out.push('', `## ${s.set}: findings of medium or above per rule`, '', '| rule | findings | critical | high | medium | repositories |', '|---|---|---|---|---|---|');
    for (const [rule, e] of Object.entries(s.perRule)) out.push(`| \`${rule}\` | ${e.findings} | ${e.critical} | ${e.high} | ${e.medium} | ${e.repos} |`);
  }
  if (comparison) {
    out.push('', `## Compared with ${comparison.against}`, '', '| corpus | repository | verdict | critical rules |', '|---|---|---|---|');
    for (const c of comparison.changed) out.push(`| ${c.set} | ${c.name} | ${c.from} → ${c.to} | ${c.critFrom === c.critTo ? 'same' : `${c.critFrom || '—'} → ${c.critTo || '—'}`} |`);
    out.push('', '| rule | findings ≥ medium before | after |', '|---|---|---|');
    for (const [rule, d] of Object.entries(comparison.perRule).sort((a, b) => b[1].before - a[1].before)) out.push(`| \`${rule}\` | ${d.before} | ${d.after} |`);
  }
  for (const set of ['benign', 'benign-extra', 'node_modules', 'lures', 'fixtures']) {
    const rs = rows.filter((r) => r.set === set && (set === 'lures' ? true : r.verdict !== 'pass' || r.findings.length));
    if (!rs.length) continue;
    out.push('', `## ${set}: ${set === 'lures' ? 'every repository' : 'repositories that warn or block, or hold findings of medium or above'}`, '');
    out.push('| repository | commit | verdict | findings ≥ medium per rule |', '|---|---|---|---|');
    for (const r of rs) {
      const rules = Object.entries(r.rules).map(([k, n]) => `\`${k}\`×${n}`).join(' ');
      out.push(`| ${r.name} | ${r.commit ? r.commit.slice(0, 12) : ''} | ${r.verdict}${r.ok ? '' : ' ✗'} | ${rules}${r.error ? ` error: ${r.error}` : ''} |`);
    }
  }
  const benign = rows.filter((r) => (r.set === 'benign' || r.set === 'benign-extra') && r.findings.length);
  if (benign.length) {
    out.push('', '## Benign findings of medium or above (at most 6 per repository and rule)', '');
    for (const r of benign) {
      out.push(`### ${r.name} (${r.verdict})`, '');
      const byRule = {};
      for (const f of r.findings) (byRule[f.rule] ??= []).push(f);
      for (const [rule, fs] of Object.entries(byRule)) {
        for (const f of fs.slice(0, 6)) out.push(`- \`${rule}\` ${f.severity} \`${f.file}${f.line ? `:${f.line}` : ''}\`: ${f.message.replace(/\s+/g, ' ').slice(0, 300)}`);
        if (fs.length > 6) out.push(`- \`${rule}\`: … ${fs.length - 6} more`);
      }
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}

if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ date: when, lurescan: evaluated, signatures: signatures.version, noSignatures, summaries, comparison, rows }, null, 2));
  console.log(`\nwrote ${jsonOut}`);
}
if (mdOut) {
  writeFileSync(mdOut, markdown());
  console.log(`wrote ${mdOut}`);
}
process.exitCode = rows.some((r) => !r.ok && !(r.expected === 'pass' && r.verdict === 'warn')) ? 1 : 0;
