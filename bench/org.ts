// lurescan org benchmark: an organisation of N repositories (default 200) served by a real git daemon on loopback
// and listed by the OpenAPI-validated API double, scanned by the CLI in its own process at --concurrency 8.
// Usage: npm run build && node --import tsx bench/org.ts [--repos 200] [--concurrency 8] [--runs 1]
// Reports wall time, repositories a second, and peak RSS of the scanner process and of its whole process tree
// (node plus the git processes it starts), sampled from /proc every 100 ms; then a second, incremental run over
// the unchanged org (everything from the state directory). Target: 200 repositories in ≤ 60 s.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBareRepo, startGitDaemon } from '../test/git-daemon.js';
import { OrgApiDouble } from '../test/support/org-api-double.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const REPOS = Number(opt('repos', '200'));
const CONCURRENCY = Number(opt('concurrency', '8'));
const RUNS = Number(opt('runs', '1'));
const TOKEN = 'ghp_bench00000000000000000000000000000000';

/** RSS in KiB of a process and all its descendants, from /proc. */
function treeRss(root: number): { self: number; tree: number } {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const pp = /^PPid:\s+(\d+)/m.exec(status);
      const r = /^VmRSS:\s+(\d+)/m.exec(status);
      parent.set(Number(d), pp ? Number(pp[1]) : 0);
      rss.set(Number(d), r ? Number(r[1]) : 0);
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, i = 0; p > 1 && i < 64; p = parent.get(p) ?? 0, i++) if (p === root) return true;
    return false;
  };
  let tree = 0;
  for (const [pid, kib] of rss) if (inTree(pid)) tree += kib;
  return { self: rss.get(root) ?? 0, tree };
}

async function run(cli: string[], cliArgs: string[]): Promise<{ ms: number; peakSelf: number; peakTree: number; code: number | null; stderr: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...cli, ...cliArgs], { cwd: ROOT, env: { ...process.env, GITHUB_TOKEN: TOKEN, CI: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peakSelf = 0;
  let peakTree = 0;
  const timer = setInterval(() => {
    if (!child.pid) return;
    const r = treeRss(child.pid);
    peakSelf = Math.max(peakSelf, r.self);
    peakTree = Math.max(peakTree, r.tree);
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(timer);
  return { ms: performance.now() - started, peakSelf, peakTree, code, stderr };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lurescan-bench-org-'));
try {
  const served = path.join(tmp, 'served');
  const templates = path.join(tmp, 'templates');
  const exp = readFileSync(path.join(ROOT, 'fixtures', 'repos', 'expectations.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const sources = exp.map(([name]) => name).filter((n) => existsSync(path.join(ROOT, 'fixtures', 'repos', n)));
  const api = new OrgApiDouble();
  api.token = TOKEN;
  api.orgs.set('bench', '2019-01-01T00:00:00Z');
  const shas = new Map<string, string>();
  for (const s of sources) shas.set(s, makeBareRepo(templates, s, path.join(ROOT, 'fixtures', 'repos', s)));
  for (let i = 0; i < REPOS; i++) {
    const from = sources[i % sources.length];
    const name = `repo-${String(i).padStart(4, '0')}-${from}`;
    cpSync(path.join(templates, `${from}.git`), path.join(served, `${name}.git`), { recursive: true });
    api.repos.push({ owner: 'bench', name, cloneUrl: '', headSha: shas.get(from)! });
  }
  const daemon = await startGitDaemon(served);
  for (const r of api.repos) r.cloneUrl = daemon.url(r.name);
  await api.start();
  const built = existsSync(path.join(ROOT, 'build', 'cli', 'org.js'));
  const cli = built ? [path.join(ROOT, 'bin', 'lurescan.cjs')] : ['--import', 'tsx', path.join(ROOT, 'test', 'support', 'run-cli.ts')];
  console.log(`org bench: ${REPOS} repositories (${sources.length} fixture repos cycled) on loopback git, concurrency ${CONCURRENCY}, ${built ? 'built CLI' : 'tsx (run npm run build for the real figure)'}`);
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}`);
  for (let i = 0; i < RUNS; i++) {
    const state = path.join(tmp, `state-${i}`);
    const base = ['org', 'bench', '--api-url', api.url, '--concurrency', String(CONCURRENCY), '--state-dir', state, '--format', 'json', '--output', path.join(tmp, `report-${i}.json`), '--fail-on', 'never'];
    const full = await run(cli, base);
    const report = JSON.parse(readFileSync(path.join(tmp, `report-${i}.json`), 'utf8'));
    const t = report.totals;
    console.log(
      `full scan:   ${(full.ms / 1000).toFixed(1)} s · ${(REPOS / (full.ms / 1000)).toFixed(1)} repos/s · peak RSS ${(full.peakSelf / 1024).toFixed(0)} MiB (node) / ${(full.peakTree / 1024).toFixed(0)} MiB (with git) · ${t.block} block, ${t.warn} warn, ${t.pass} pass, ${t.error} error · exit ${full.code}`,
    );
    if (t.repos !== REPOS || t.error) console.log(`  !! expected ${REPOS} repositories and no errors: ${full.stderr.slice(0, 500)}`);
    const again = await run(cli, base);
    const report2 = JSON.parse(readFileSync(path.join(tmp, `report-${i}.json`), 'utf8'));
    console.log(`incremental: ${(again.ms / 1000).toFixed(1)} s · ${report2.totals.fromState} of ${REPOS} from state, nothing fetched · peak RSS ${(again.peakSelf / 1024).toFixed(0)} MiB`);
    console.log(`BENCH_JSON ${JSON.stringify({ bench: 'org', repos: REPOS, concurrency: CONCURRENCY, fullMs: Math.round(full.ms), peakRssMiB: Math.round(full.peakSelf / 1024), peakTreeRssMiB: Math.round(full.peakTree / 1024), incrementalMs: Math.round(again.ms) })}`);
  }
  await api.stop();
  await daemon.stop();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
