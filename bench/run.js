// lurescan content-scan benchmark: lurescan's source pass next to ripgrep on the same trees, in the same run.
// Usage: npm run build && npm run bench [-- --runs 7 --tree <dir> ...]
// Needs ripgrep (`rg`) on PATH for the comparison; without it, lurescan's figures are printed alone.
// Measures (medians over repeated runs, each run on a fresh workspace so nothing is cached in-process):
//   prefilter  walk + read every JS/TS/Python file + the token prefilter (what ripgrep does: read and search)
//   source     prefilter + parse and analyse the files that pass (the whole source-analysis pass)
//   full scan  every rule, as `lurescan scan` runs them (inventory, all rules, verdict)
//   rg         ripgrep -l -F with the same tokens over the same file types
// Node start-up (node -e 0) and lurescan's import time are measured separately.
// Then whole CLI runs (fresh processes) on verdaccio@6.8.0's node_modules and the take-home repository, cold (an
// empty result cache) and warm (the cache the cold run filled) apart, each next to ripgrep in the same run: CPU
// (user + system, via /usr/bin/time), wall, peak RSS, complete or not. `--verdaccio <dir>` names an installed
// node_modules; without it the bench installs verdaccio@6.8.0 with --ignore-scripts into .cache/bench/ (data only:
// nothing of it is run). `--skip-inprocess` skips the in-process phase figures, `--skip-verdaccio` that tree;
// `--baseline <checkout>` times another build's CLI on the same trees in the same rounds (before/after a change).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, copyFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('runs', 5));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

const importStart = performance.now();
const { acquireLocal } = await import(path.join(ROOT, 'build/acquire/local.js'));
const { sourceIndex, sourceLang, passesPrefilter, prefilterFor } = await import(path.join(ROOT, 'build/analysis/source-index.js'));
const { loadSignatures } = await import(path.join(ROOT, 'build/signatures/load.js'));
// Internal entry point (not part of the public API): scan an already acquired workspace.
const { scanWorkspace } = await import(path.join(ROOT, 'build/scan.js'));
const { DEFAULT_LIMITS } = await import(path.join(ROOT, 'build/options.js'));
const importMs = performance.now() - importStart;
const sigsStart = performance.now();
const sigs = loadSignatures();
const sigsMs = performance.now() - sigsStart;

function hasRg() {
  return spawnSync('rg', ['--version'], { encoding: 'utf8' }).status === 0;
}
const RG = hasRg();
const rgVersion = RG ? execFileSync('rg', ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'not installed';
const tokensFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'lurescan-bench-')), 'tokens.txt');
const tokens = [...new Set([...sigs.source.prefilter.js, ...sigs.source.prefilter.python, ...sigs.source.walletExtensions.map((w) => w.id), ...sigs.source.polinriderMarkers])];
writeFileSync(tokensFile, tokens.join('\n') + '\n');
void prefilterFor;

// CPU time (user + system) is reported next to wall time: on a shared machine it is the steadier figure.
const cpuMs = (c) => (c.user + c.system) / 1000;
const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;

function timeRg(tree) {
  const t = performance.now();
  // bash's `time` gives rg's own user+system time.
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time rg ${rgArgs(tree).map(q).join(' ')} >/dev/null`], { encoding: 'utf8' });
  const ms = performance.now() - t;
  const [u, s] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  const list = spawnSync('rg', rgArgs(tree), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ms, cpu: (u + s) * 1000, files: list.stdout.split('\n').filter(Boolean).length };
}

function rgArgs(tree) {
  return ['--no-ignore', '--hidden', '--no-messages', '-l', '-F', '-f', tokensFile, '-g', '*.{js,mjs,cjs,jsx,ts,tsx,mts,cts,py,pyw}', '-g', '!*.d.ts', '-g', '!*.d.mts', '-g', '!*.d.cts', tree];
}

async function timePrefilter(tree) {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const ws = await acquireLocal(tree, DEFAULT_LIMITS);
  let passed = 0;
  const cands = ws.files.filter((f) => f.kind === 'file' && f.size > 0 && sourceLang(f.path));
  const considered = cands.length;
  // Same read concurrency as the source index (32 reads in flight).
  for (let i = 0; i < cands.length; i += 32) {
    const chunk = cands.slice(i, i + 32);
    const bufs = await Promise.all(chunk.map((f) => f.bytes()));
    chunk.forEach((f, j) => {
      if (bufs[j] && passesPrefilter(sourceLang(f.path), bufs[j], sigs)) passed++;
    });
  }
  const ms = performance.now() - t;
  const cpu = cpuMs(process.cpuUsage(c0));
  await ws.dispose();
  return { ms, cpu, considered, passed, files: ws.files.length };
}

async function timeWalk(tree) {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const ws = await acquireLocal(tree, DEFAULT_LIMITS);
  const ms = performance.now() - t;
  const cpu = cpuMs(process.cpuUsage(c0));
  await ws.dispose();
  return { ms, cpu };
}

async function timeSource(tree) {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const ws = await acquireLocal(tree, DEFAULT_LIMITS);
  const idx = await sourceIndex(ws, sigs, DEFAULT_LIMITS);
  const ms = performance.now() - t;
  const cpu = cpuMs(process.cpuUsage(c0));
  await ws.dispose();
  return { ms, cpu, parsed: idx.stats.parsed, passed: idx.stats.passed, fallbacks: idx.files.filter((f) => f.fallback).length, workers: idx.stats.workers };
}

async function timeFull(tree) {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const ws = await acquireLocal(tree, DEFAULT_LIMITS);
  const r = await scanWorkspace(ws, {}, sigs);
  const ms = performance.now() - t;
  const cpu = cpuMs(process.cpuUsage(c0));
  await ws.dispose();
  return { ms, cpu, verdict: r.verdict, findings: r.findings.length };
}

async function repeat(fn, n) {
  const runs = [];
  const cpus = [];
  let last;
  for (let i = 0; i < n; i++) {
    last = await fn();
    runs.push(last.ms);
    cpus.push(last.cpu ?? NaN);
  }
  return { ...last, ms: median(runs), cpu: median(cpus), runs };
}

/** A take-home-sized repository: 2,000 source files copied from node_modules plus the fixture lures. */
function makeTakeHome() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lurescan-takehome-'));
  const src = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (src.length >= 1900) return;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(?:js|ts|tsx|mjs|json|md)$/.test(e.name) && statSync(p).size < 64 * 1024) src.push(p);
    }
  };
  for (const pkg of ['express', 'axios', 'commander', 'semver', 'yaml', 'eslint', 'mocha', 'typescript-eslint', '@typescript-eslint', 'simple-git', 'tar-stream']) {
    const p = path.join(ROOT, 'node_modules', pkg);
    try {
      walk(p);
    } catch {
      // package not installed
    }
  }
  src.forEach((p, i) => {
    const rel = path.join('src', `m${Math.floor(i / 50)}`, `${i}-${path.basename(p)}`);
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    copyFileSync(p, path.join(dir, rel));
  });
  const copyTree = (from, to) => {
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      const a = path.join(from, e.name);
      const b = path.join(to, e.name);
      if (e.isDirectory()) {
        mkdirSync(b, { recursive: true });
        copyTree(a, b);
      } else copyFileSync(a, b);
    }
  };
  for (const lure of ['lure-env-base64-c2', 'lure-obfuscated-middleware', 'lure-tailwind-whitespace']) copyTree(path.join(ROOT, 'fixtures', 'repos', lure), path.join(dir, 'lures', lure));
  return dir;
}

const nodeStart = [];
for (let i = 0; i < Math.max(RUNS, 5); i++) {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  nodeStart.push(performance.now() - t);
}

const trees = args.includes('--tree') ? args.filter((a, i) => args[i - 1] === '--tree') : [path.join(ROOT, 'node_modules', 'typescript'), path.join(ROOT, 'node_modules')];
const takeHome = makeTakeHome();
const commit = (() => {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();

console.log(`lurescan bench — ${new Date().toISOString()} — commit ${commit} — node ${process.version} — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}) — ${rgVersion}`);
console.log(`node start-up (node -e 0): median ${fmt(median(nodeStart))}; importing lurescan: ${fmt(importMs)}; loading signatures: ${fmt(sigsMs)}`);
console.log(`runs per figure: ${RUNS} (median); page cache warm (one untimed warm-up pass per tree); load average at start ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);

// ── Whole CLI runs, cold and warm result cache apart, next to ripgrep ─────────────────────────────────────────────
const CLI = path.join(ROOT, 'bin', 'lurescan.cjs');
/** The command of another checkout (--baseline): bin/lurescan.cjs, or bin/lurescan.js before it was renamed. */
const binOf = (checkout) => {
  const cjs = path.join(path.resolve(checkout), 'bin', 'lurescan.cjs');
  return existsSync(cjs) ? cjs : path.join(path.resolve(checkout), 'bin', 'lurescan.js');
};
const TIME = ['/usr/bin/time', '/bin/time'].find((t) => spawnSync(t, ['-f', '%U', 'true'], { encoding: 'utf8' }).status === 0);

/** One fresh process: wall, CPU (user + system of it and its threads) and peak RSS, from GNU time when present. */
function runTimed(argv, env = process.env) {
  const t = performance.now();
  if (TIME) {
    const r = spawnSync(TIME, ['-f', '@@%U %S %M', ...argv], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t;
    const m = /@@([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    return { ms, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, rss: m ? Number(m[3]) / 1024 : NaN, status: r.status };
  }
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='@@%U %S'; time ${argv.map(q).join(' ')} >/dev/null`], { encoding: 'utf8', env });
  const ms = performance.now() - t;
  const m = /@@([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { ms, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, rss: NaN, status: r.status };
}

function verdaccioTree() {
  const given = opt('verdaccio');
  if (given) return path.resolve(given);
  const prefix = path.join(ROOT, '.cache', 'bench', 'verdaccio');
  const nm = path.join(prefix, 'node_modules');
  try {
    if (statSync(path.join(nm, 'verdaccio', 'package.json')).isFile()) return nm;
  } catch {
    // not installed yet
  }
  mkdirSync(prefix, { recursive: true });
  writeFileSync(path.join(prefix, 'package.json'), '{"private":true}\n');
  console.log(`installing verdaccio@6.8.0 into ${prefix} (--ignore-scripts: benchmark data, never run) …`);
  const r = spawnSync('npm', ['install', 'verdaccio@6.8.0', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix], { stdio: 'inherit' });
  return r.status === 0 ? nm : undefined;
}

/** lurescan through the CLI, cold (an empty cache folder each run) and warm (the folder a cold run filled). */
function cliFigures(label, tree, runs) {
  const cacheRoot = mkdtempSync(path.join(os.tmpdir(), 'lurescan-bench-cache-'));
  const report = path.join(cacheRoot, 'report.json');
  const scanArgs = (cacheDir) => [process.execPath, CLI, tree, '--format', 'json', '--output', report, '--fail-on', 'never', '--cache-dir', cacheDir];
  const node0 = [];
  const rgs = [];
  const cold = [];
  const warm = [];
  const changed = [];
  const base = [];
  // --baseline <checkout>: another build's CLI (before a change), timed in the same interleaved rounds.
  const baseline = opt('baseline');
  let complete;
  let verdict;
  let incomplete = [];
  try {
    for (let i = 0; i < runs; i++) {
      // Interleaved, so load from other processes falls on every figure alike.
      node0.push(runTimed([process.execPath, '-e', '0']));
      if (RG) rgs.push(timeRg(tree));
      const dir = path.join(cacheRoot, `c${i}`);
      cold.push(runTimed(scanArgs(dir)));
      const r = JSON.parse(readFileSync(report, 'utf8'));
      complete = r.complete;
      verdict = r.verdict;
      incomplete = r.diagnostics.filter((d) => d.incomplete).map((d) => `${d.code}: ${d.message}`);
      warm.push(runTimed(scanArgs(dir)));
      // The same tree with one small file added (new bytes each round): the whole-scan reuse misses, every other
      // file's analysis comes from the per-file cache. What a second scan costs after an edit.
      const touched = path.join(tree, `lurescan-bench-changed-${process.pid}.js`);
      try {
        writeFileSync(touched, `module.exports = ${JSON.stringify(`round ${i} ${Date.now()}`)};\n`);
        changed.push(runTimed(scanArgs(dir)));
      } catch (err) {
        if (i === 0) console.log(`  (no "one file added" figure: ${err.message})`);
      } finally {
        rmSync(touched, { force: true });
      }
      // The baseline cold too: an empty cache folder of its own (its default folder is warm from earlier runs).
      if (baseline) base.push(runTimed([process.execPath, binOf(baseline), tree, '--format', 'json', '--output', path.join(cacheRoot, 'baseline.json'), '--fail-on', 'never', '--cache-dir', path.join(cacheRoot, `b${i}`)]));
    }
    const rw = JSON.parse(readFileSync(report, 'utf8'));
    const med = (xs, k) => median(xs.map((x) => x[k]));
    const rg = RG ? { ms: med(rgs, 'ms'), cpu: med(rgs, 'cpu') } : undefined;
    const n = { ms: med(node0, 'ms'), cpu: med(node0, 'cpu') };
    const line = (name, xs) => {
      const x = { ms: med(xs, 'ms'), cpu: med(xs, 'cpu'), rss: Math.max(...xs.map((y) => y.rss)) };
      const vsRg = rg ? `   ×rg CPU ${(x.cpu / rg.cpu).toFixed(0)}` : '';
      return `  ${name.padEnd(30)}${fmt(x.ms).padStart(9)} wall ${fmt(x.cpu).padStart(9)} CPU (${fmt(x.cpu - n.cpu)} beyond node's start-up)  peak RSS ${x.rss.toFixed(0)} MiB${vsRg}`;
    };
    console.log(`${label}: whole CLI runs, median of ${runs}, interleaved; result cache cold (empty), warm (filled by the cold run: the whole scan is reused) and warm with one file added (per-file entries only)`);
    console.log(`  ${'node -e 0'.padEnd(30)}${fmt(n.ms).padStart(9)} wall ${fmt(n.cpu).padStart(9)} CPU`);
    console.log(`  ${'ripgrep -l -F (same tokens)'.padEnd(30)}${rg ? `${fmt(rg.ms).padStart(9)} wall ${fmt(rg.cpu).padStart(9)} CPU` : 'not installed'}`);
    console.log(line('lurescan, cold cache', cold));
    console.log(line('lurescan, warm cache', warm));
    if (changed.length) console.log(line('lurescan, warm, one file added', changed));
    if (baseline) console.log(line(`baseline ${path.basename(path.resolve(baseline))}, cold cache`, base));
    console.log(`  verdict ${verdict}, ${complete ? 'complete' : `INCOMPLETE (${incomplete.slice(0, 3).join('; ')})`}; warm run ${rw.verdict}, ${rw.complete ? 'complete' : 'incomplete'}\n`);
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}

if (!args.includes('--skip-verdaccio')) {
  const v = verdaccioTree();
  if (v) cliFigures(`verdaccio@6.8.0 node_modules (${v})`, v, RUNS);
  else console.log('verdaccio@6.8.0: not installed and could not be installed; skipped\n');
}
cliFigures(`take-home repo (${takeHome})`, takeHome, RUNS);

for (const tree of args.includes('--skip-inprocess') ? [] : [...trees, takeHome]) {
  const label = tree === takeHome ? `take-home repo (${tree})` : path.relative(ROOT, tree) || tree;
  if (RG) timeRg(tree);
  await timePrefilter(tree); // warm-up
  const walk = await repeat(() => timeWalk(tree), RUNS);
  const pf = await repeat(() => timePrefilter(tree), RUNS);
  const rg = RG ? await repeat(async () => timeRg(tree), RUNS) : undefined;
  const sp = await repeat(() => timeSource(tree), Math.min(RUNS, 3));
  const full = tree === takeHome ? await repeat(() => timeFull(tree), RUNS) : args.includes('--skip-full-on-large') ? { ms: NaN, verdict: 'skipped', findings: 0, runs: [] } : await repeat(() => timeFull(tree), 1);
  console.log(`${label}: ${pf.files} entries, ${pf.considered} JS/TS/Python files, ${pf.passed} pass the prefilter (rg: ${rg ? rg.files : '-'} files match)`);
  const cell = (x) => `${fmt(x.ms).padStart(8)} wall ${fmt(x.cpu).padStart(8)} CPU`;
  const ratio = (x) => (rg ? `   ×rg: ${(x.ms / rg.ms).toFixed(1)} wall, ${(x.cpu / rg.cpu).toFixed(1)} CPU` : '');
  console.log(`  ripgrep -l -F (same tokens)  ${rg ? cell(rg) : 'not installed'}`);
  console.log(`  walk only (acquireLocal)     ${cell(walk)}`);
  console.log(`  prefilter (walk+read+match)  ${cell(pf)}${ratio(pf)}`);
  console.log(`  source pass (+parse/analyse) ${cell(sp)}${ratio(sp)}   parsed ${sp.parsed}, text fallback ${sp.fallbacks}, ${sp.workers ? `${sp.workers} worker threads` : 'in-thread'}`);
  console.log(`  full scan, all rules         ${Number.isNaN(full.ms) ? 'skipped' : cell(full)}   verdict ${full.verdict}, ${full.findings} findings${full.runs.length > 1 ? ` (median of ${full.runs.length})` : ' (1 run)'}\n`);
}
// The take-home repository through the real CLI, each run a fresh process (cold JIT, as a user runs it), next to
// the CLI's own start-up (`lurescan --version`) and node's: what the scan adds beyond start-up.
{
  const wall = (argv) => {
    const t = performance.now();
    spawnSync(process.execPath, argv, { stdio: 'ignore' });
    return performance.now() - t;
  };
  const n = Math.max(RUNS, 5);
  const nodeMs = median(Array.from({ length: n }, () => wall(['-e', '0'])));
  const versionMs = median(Array.from({ length: n }, () => wall([CLI, '--version'])));
  // A report file, not /dev/null: the CLI refuses to write its report to anything but a regular file.
  const reportFile = path.join(path.dirname(tokensFile), 'report.json');
  const scanMs = median(Array.from({ length: n }, () => wall([CLI, takeHome, '--format', 'json', '--output', reportFile, '--no-cache'])));
  console.log(`take-home repo through the CLI (fresh process per run, --no-cache, median of ${n}):`);
  console.log(`  node -e 0 ${fmt(nodeMs)}; lurescan --version ${fmt(versionMs)}; lurescan <take-home> ${fmt(scanMs)}`);
  console.log(`  scan beyond the CLI's start-up: ${fmt(scanMs - versionMs)} (target 0.5 s); beyond node's: ${fmt(scanMs - nodeMs)}\n`);

  // Real repositories of take-home size (300 to 2,000 files) from the evaluation corpus, when it has been exported
  // (scripts/corpus-export.sh): lures and benign look-alikes alike, one fresh CLI process each.
  const corpus = path.join(ROOT, '.cache', 'corpus');
  let repos = [];
  try {
    repos = readdirSync(corpus, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(corpus, e.name));
  } catch {
    console.log(`real repositories: ${corpus} not present (scripts/corpus-export.sh); skipped\n`);
  }
  const countFiles = (d) => readdirSync(d, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).length;
  const sized = repos.map((d) => ({ d, files: countFiles(d) })).filter((r) => r.files >= 300 && r.files <= 2000);
  if (sized.length) {
    // CPU (user + system) of each scan beyond node's own start-up, next to ripgrep on the same repository: cold (an
    // empty cache folder: lurescan's first run on this machine), first (a cache folder that has seen lurescan run
    // before, on another tree, but never this repository: what a user gets for a new take-home test) and warm (the
    // same folder again: the whole scan is reused).
    const node0 = median(Array.from({ length: n }, () => runTimed([process.execPath, '-e', '0']).cpu));
    const cacheRoot = mkdtempSync(path.join(os.tmpdir(), 'lurescan-bench-corpus-'));
    // The machine's cache after earlier scans, with nothing of the repositories timed: a tree with one npm dependency
    // (the look-alike index is stored), and the code cache of lurescan's bundle as a scan of the take-home repository
    // left it (src/cli/code-cache.ts; only its code/ folder is kept, not that repository's per-file entries).
    const seen = path.join(cacheRoot, 'seen');
    const other = path.join(cacheRoot, 'other-tree');
    mkdirSync(other);
    writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'other', dependencies: { 'lurescan-bench-warm-up': '1.0.0' } }));
    const scanArgs = (tree, cacheDir, cli = CLI) => [process.execPath, cli, tree, '--format', 'json', '--output', reportFile, '--fail-on', 'never', '--cache-dir', cacheDir];
    runTimed(scanArgs(other, seen));
    const codeWarmUp = path.join(cacheRoot, 'code-warm-up');
    runTimed(scanArgs(takeHome, codeWarmUp));
    if (existsSync(path.join(codeWarmUp, 'code'))) cpSync(path.join(codeWarmUp, 'code'), path.join(seen, 'code'), { recursive: true });
    rmSync(codeWarmUp, { recursive: true, force: true });
    const timed = sized.map((r, i) => {
      const cold = runTimed(scanArgs(r.d, path.join(cacheRoot, String(i))));
      const warm = runTimed(scanArgs(r.d, path.join(cacheRoot, String(i))));
      const firstDir = path.join(cacheRoot, `f${i}`);
      cpSync(seen, firstDir, { recursive: true });
      const first = runTimed(scanArgs(r.d, firstDir));
      rmSync(firstDir, { recursive: true, force: true });
      const baseline = opt('baseline');
      const before = baseline ? runTimed(scanArgs(r.d, path.join(cacheRoot, `b${i}`), binOf(baseline))).cpu - node0 : NaN;
      rmSync(path.join(cacheRoot, String(i)), { recursive: true, force: true });
      return { ...r, cold: cold.cpu - node0, first: first.cpu - node0, warm: warm.cpu - node0, before, rss: Math.max(cold.rss, warm.rss, first.rss), rg: RG ? timeRg(r.d).cpu : NaN };
    });
    rmSync(cacheRoot, { recursive: true, force: true });
    timed.sort((a, b) => b.cold - a.cold);
    const within = timed.filter((r) => r.cold <= 500).length;
    console.log(`real repositories of take-home size from .cache/corpus (${timed.length} with 300–2,000 files, fresh CLI processes; node -e 0: ${fmt(node0)} CPU):`);
    console.log(`  CPU beyond node's start-up, cold cache: median ${fmt(median(timed.map((r) => r.cold)))}, ${within} of ${timed.length} within 0.5 s, ${timed.filter((r) => r.cold > 2000).length} above 2 s`);
    console.log(`  first scan of the repository on a machine that ran lurescan before: median ${fmt(median(timed.map((r) => r.first)))}, ${timed.filter((r) => r.first <= 500).length} within 0.5 s, ${timed.filter((r) => r.first > 2000).length} above 2 s`);
    console.log(`  warm cache (the same repository again): median ${fmt(median(timed.map((r) => r.warm)))}`);
    if (opt('baseline')) console.log(`  baseline ${path.basename(path.resolve(opt('baseline')))} in the same rounds: median ${fmt(median(timed.map((r) => r.before)))}, ${timed.filter((r) => r.before <= 500).length} within 0.5 s, ${timed.filter((r) => r.before > 2000).length} above 2 s`);
    console.log(`  ripgrep CPU on the same repositories: median ${fmt(median(timed.map((r) => r.rg)))}; lurescan peak RSS at most ${Math.max(...timed.map((r) => r.rss)).toFixed(0)} MiB; slowest cold:`);
    for (const r of timed.slice(0, 3)) console.log(`    ${path.basename(r.d)} (${r.files} files): ${fmt(r.cold)} cold, ${fmt(r.first)} first, ${fmt(r.warm)} warm${Number.isNaN(r.before) ? '' : `, ${fmt(r.before)} baseline`}, rg ${fmt(r.rg)}`);
    console.log('');
  }
}
rmSync(takeHome, { recursive: true, force: true });
rmSync(path.dirname(tokensFile), { recursive: true, force: true });

// Peak memory on a tree of more than 1 GB: two hard-linked copies of node_modules (no extra disk), scanned by the
// CLI as a user would; the peak is the kernel's high-water mark (VmHWM) of the process, worker threads included.
if (!args.includes('--skip-rss') && process.platform === 'linux') {
  const big = mkdtempSync(path.join(os.tmpdir(), 'lurescan-big-'));
  try {
    for (const copy of ['a', 'b']) execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(big, copy)]);
    let bytes = 0;
    let files = 0;
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const st = statSync(p);
          files++;
          bytes += st.size;
        }
      }
    };
    walk(big);
    const { spawn } = await import('node:child_process');
    // A cold scan: an empty result cache folder, filled by the run (so its writes are in the figure). The peak moves by
    // ±15 MiB from run to run with when full collections fall, so the figure is the median of --runs scans.
    const once = async () => {
      rmSync(`${big}-cache`, { recursive: true, force: true });
      const t = performance.now();
      const child = spawn(process.execPath, [CLI, big, '--format', 'json', '--output', `${big}-report.json`, '--cache-dir', `${big}-cache`], { stdio: 'ignore' });
      let hwm = 0;
      const sample = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          // the process has exited
        }
      };
      const timer = setInterval(sample, 50);
      const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
      clearInterval(timer);
      return { mib: hwm / 1024, ms: performance.now() - t, code };
    };
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once());
    const mibs = runs.map((r) => r.mib);
    console.log(`peak memory: lurescan on ${files.toLocaleString('en-US')} files, ${(bytes / 2 ** 30).toFixed(2)} GiB (two hard-linked copies of node_modules), ${RUNS} cold scans:`);
    console.log(`  peak RSS median ${median(mibs).toFixed(0)} MiB (${Math.min(...mibs).toFixed(0)}–${Math.max(...mibs).toFixed(0)}; target 300 MiB); ${fmt(median(runs.map((r) => r.ms)))} wall; exit codes ${[...new Set(runs.map((r) => r.code))].join(', ')}\n`);
  } finally {
    rmSync(big, { recursive: true, force: true });
    rmSync(`${big}-cache`, { recursive: true, force: true });
    rmSync(`${big}-report.json`, { force: true });
  }
}
