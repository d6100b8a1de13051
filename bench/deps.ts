// lurescan --deps benchmark: a take-home-sized repository with 48 direct dependencies, each a real package's files
// (copied from this project's node_modules, published under its own name and version into a Verdaccio on loopback with
// no uplinks), and a package-lock.json written by npm against that registry. Measures, with /usr/bin/time:
//   baseline  lurescan REPO                     (offline, no registry)
//   online    lurescan REPO --online            (packuments only)
//   cold      lurescan REPO --deps              (empty cache: every packument and tarball fetched)
//   warm      lurescan REPO --deps              (same cache: packuments within their TTL, tarballs by integrity)
// and, from the JSON report, bytes fetched / read from cache and dependencies scanned / skipped.
// Every version published here is "new" (Verdaccio stamps today's date), so no popular package is skipped: the worst
// case. A last in-process run with establishedDays -1 shows what the popular-package skip saves.
// Usage: npm run build && node --import tsx bench/deps.ts [--deps 48] [--runs 3] [--cpu-prof DIR (one more warm run, profiled)]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVerdaccio } from '../scripts/lib/verdaccio.mjs';
import { publishPackage } from '../test/support/registry-publish.js';
import { scan } from '../src/scan.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'lurescan.cjs');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('deps', '48'));
const RUNS = Number(opt('runs', '3'));
const SKIP = /^(?:typescript|esbuild|@esbuild|@types|verdaccio|@verdaccio|prettier|eslint|tsx|mocha|@microsoft|@octokit|undici|node-linux)/;

function filesOf(dir: string, base = dir, out: Record<string, Buffer> = {}): Record<string, Buffer> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) filesOf(p, base, out);
    else if (st.isFile()) out[path.relative(base, p).split(path.sep).join('/')] = readFileSync(p);
  }
  return out;
}

/** Real packages from node_modules, 5 kB to 2 MB each, in name order: a deterministic, take-home-like mix. */
function pickPackages(): { name: string; version: string; files: Record<string, Buffer>; bytes: number }[] {
  const nm = path.join(ROOT, 'node_modules');
  const names = readdirSync(nm).flatMap((n) => (n.startsWith('@') ? readdirSync(path.join(nm, n)).map((m) => `${n}/${m}`) : n.startsWith('.') ? [] : [n])).sort();
  const out = [];
  for (const name of names) {
    if (out.length >= N) break;
    if (SKIP.test(name)) continue;
    const dir = path.join(nm, name);
    let manifest: { name?: string; version?: string };
    try {
      manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (manifest.name !== name || !manifest.version) continue;
    const files = filesOf(dir);
    const bytes = Object.values(files).reduce((a, b) => a + b.length, 0);
    if (bytes < 5_000 || bytes > 2_000_000 || Object.keys(files).length > 400) continue;
    // Published without its own dependencies, so that npm can write a lockfile against this registry alone.
    const m = JSON.parse(files['package.json'].toString('utf8'));
    for (const k of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies', 'bundleDependencies', 'bundledDependencies']) delete m[k];
    files['package.json'] = Buffer.from(JSON.stringify(m, null, 2));
    out.push({ name, version: manifest.version, files, bytes });
  }
  return out;
}

function timed(argv: string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number; json: { verdict: string; stats: { dependencies?: Record<string, unknown> } } } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, BIN, ...argv], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: user + sys, json: JSON.parse(r.stdout) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lurescan-bench-deps-'));
const reg = await startVerdaccio();
try {
  const pkgs = pickPackages();
  let published = 0;
  for (const p of pkgs) published += (await publishPackage(reg.url, reg.token, { name: p.name, version: p.version, files: Object.fromEntries(Object.entries(p.files).filter(([k]) => k !== 'package.json')), manifest: JSON.parse(p.files['package.json'].toString('utf8')) })).bytes;
  const repo = path.join(tmp, 'take-home');
  mkdirSync(path.join(repo, 'src', 'routes'), { recursive: true });
  writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'take-home', version: '1.0.0', private: true, scripts: { start: 'node src/index.js' }, dependencies: Object.fromEntries(pkgs.map((p) => [p.name, `^${p.version}`])) }, null, 2));
  writeFileSync(path.join(repo, 'src', 'index.js'), `${pkgs.slice(0, 10).map((p, i) => `const dep${i} = require('${p.name}');`).join('\n')}\nmodule.exports = { start() { return [${pkgs.slice(0, 10).map((_, i) => `dep${i}`).join(', ')}]; } };\n`);
  writeFileSync(path.join(repo, 'src', 'routes', 'health.js'), "module.exports = (req, res) => res.json({ ok: true });\n");
  const npmrc = path.join(tmp, 'user.npmrc');
  writeFileSync(npmrc, `registry=${reg.url}\n`);
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--registry', reg.url, '--userconfig', npmrc], { cwd: repo, stdio: 'pipe' });
  // The lockfile names the loopback registry; a real one names an https registry (lockfile-integrity would flag http://127.0.0.1).
  const lock = path.join(repo, 'package-lock.json');
  writeFileSync(lock, readFileSync(lock, 'utf8').split(reg.url).join('https://npm.corp.example/'));
  const env = { ...process.env, npm_config_userconfig: npmrc, NO_COLOR: '1', CI: '1' };
  const cache = path.join(tmp, 'cache');
  const common = [repo, '--registry', reg.url, '--format', 'json', '-q', '--fail-on', 'never'];

  const rows: { name: string; wall: number[]; cpu: number[]; last?: ReturnType<typeof timed>['json'] }[] = [];
  const measure = (name: string, argv: string[], before?: () => void) => {
    const row = { name, wall: [] as number[], cpu: [] as number[], last: undefined as ReturnType<typeof timed>['json'] | undefined };
    for (let i = 0; i < RUNS; i++) {
      before?.();
      const t = timed(argv, env);
      row.wall.push(t.wall);
      row.cpu.push(t.cpu);
      row.last = t.json;
    }
    rows.push(row);
  };
  measure('baseline (offline)', common);
  measure('--online', [...common, '--online', '--cache-dir', path.join(tmp, 'online-cache')], () => rmSync(path.join(tmp, 'online-cache'), { recursive: true, force: true }));
  measure('--deps cold', [...common, '--deps', '--cache-dir', cache], () => rmSync(cache, { recursive: true, force: true }));
  measure('--deps warm', [...common, '--deps', '--cache-dir', cache]);

  const profileDir = opt('cpu-prof', '');
  if (profileDir) spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profileDir, BIN, ...common, '--deps', '--cache-dir', cache], { env, stdio: 'ignore' });
  const skipped = await scan({ kind: 'path', path: repo }, { deps: true, online: true, registry: { registry: reg.url }, cacheDir: cache, depsLimits: { establishedDays: -1 } });

  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${pkgs.length} direct dependencies, ${(pkgs.reduce((a, p) => a + p.bytes, 0) / 1024 / 1024).toFixed(1)} MB unpacked, ${(published / 1024 / 1024).toFixed(1)} MB of tarballs; ${RUNS} run(s) each, medians\n`);
  console.log('| run | wall s | CPU s (user+sys) | verdict | scanned | skipped | failed | fetched | from cache |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const d = r.last?.stats.dependencies as { scanned: number; skipped: Record<string, number>; failed: number; bytesFetched: number; bytesCached: number } | undefined;
    const sk = d ? Object.entries(d.skipped).map(([k, v]) => `${v} ${k}`).join(', ') || '0' : '–';
    console.log(`| ${r.name} | ${median(r.wall).toFixed(2)} | ${median(r.cpu).toFixed(2)} | ${r.last?.verdict} | ${d?.scanned ?? '–'} | ${sk} | ${d?.failed ?? '–'} | ${d ? `${(d.bytesFetched / 1024).toFixed(0)} kB` : '–'} | ${d ? `${(d.bytesCached / 1024).toFixed(0)} kB` : '–'} |`);
  }
  const sd = skipped.stats.dependencies!;
  console.log(`\nwith every popular version established (in-process, warm): ${sd.scanned} scanned, skipped ${JSON.stringify(sd.skipped)}, ${sd.ms} ms`);
  const loud = rows.find((r) => r.name === '--deps cold')?.last as unknown as { findings: { ruleId: string; severity: string; location: { file: string } }[] };
  const notable = loud.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info' && f.location.file.startsWith('node_modules/'));
  // In the repository itself, by rule (registry-new-package fires on every dependency here: Verdaccio dates each version today).
  const own = new Map<string, { n: number; sample: string }>();
  for (const f of (loud.findings as { ruleId: string; severity: string; message: string; location: { file: string } }[]).filter((x) => !x.location.file.startsWith('node_modules/') && x.severity !== 'low' && x.severity !== 'info')) {
    const e = own.get(f.ruleId) ?? { n: 0, sample: f.message.slice(0, 160) };
    e.n++;
    own.set(f.ruleId, e);
  }
  console.log(`findings at medium or above in the repository itself: ${[...own].map(([id, e]) => `${e.n} ${id} (e.g. ${e.sample})`).join('; ') || 'none'}`);
  console.log(`findings at medium or above inside the ${pkgs.length} real packages (precision check): ${notable.length}`);
  for (const f of notable.slice(0, 30)) console.log(`  ${f.severity} ${f.ruleId} ${f.location.file}`);
} finally {
  await reg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
