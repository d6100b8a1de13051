#!/usr/bin/env node
/**
 * CLI start-up: wall time of whole `lurescan` processes, median of N runs, with `node -e 0` measured in the same
 * run as the baseline. Runs are interleaved (one of each command per round) so that load from other processes on
 * the machine falls on every command alike.
 *
 *   node bench/startup.mjs [--runs 15] [--bin bin/lurescan.cjs] [--bin other/bin/lurescan.cjs …]
 *
 * Each --bin (another checkout's, say, to compare two commits) is measured on the same commands; the default is this
 * checkout's bin/lurescan.cjs (run `npm run build` first). The scan is of fixtures/repos/lure-fake-font-task with
 * --offline (exit code 1: it blocks). Plain JavaScript on purpose: it must not load TypeScript tooling that would itself cost start-up time.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 15;
const bins = args.flatMap((a, i) => (a === '--bin' ? [{ file: path.resolve(args[i + 1]), label: args[i + 1] }] : []));
if (bins.length === 0) bins.push({ file: path.join(ROOT, 'bin', 'lurescan.cjs'), label: 'bin/lurescan.cjs' });
const fixture = path.join(ROOT, 'fixtures', 'repos', 'lure-fake-font-task');

const commands = [['node -e 0', ['-e', '0'], 0]];
for (const { file: bin, label } of bins) {
  const tag = bins.length > 1 ? `${label}: ` : '';
  commands.push(
    [`${tag}lurescan --version`, [bin, '--version'], 0],
    [`${tag}lurescan --help`, [bin, '--help'], 0],
    [`${tag}lurescan rules`, [bin, 'rules'], 0],
    [`${tag}lurescan <fixture repo>`, [bin, fixture, '--offline', '--quiet'], 1],
  );
}

const env = { ...process.env, NO_COLOR: '1', CI: '1' };
const times = commands.map(() => []);
const load = [loadavg()[0]];
// One warm-up round fills the OS page cache; it is not counted.
for (let round = -1; round < runs; round++) {
  commands.forEach(([name, argv, expected], i) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== expected) throw new Error(`${name}: exit ${r.status}, expected ${expected}\n${r.stderr}`);
    if (round >= 0) times[i].push(ms);
  });
  load.push(loadavg()[0]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${runs} runs, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`);
console.log('| Command | median | min | max |');
console.log('| --- | ---: | ---: | ---: |');
commands.forEach(([name], i) => {
  const t = times[i];
  console.log(`| \`${name}\` | ${median(t).toFixed(0)} ms | ${Math.min(...t).toFixed(0)} ms | ${Math.max(...t).toFixed(0)} ms |`);
});
