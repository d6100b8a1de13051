/** A real `git daemon` on loopback serving bare repositories built at test time. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Environment for the test's own git commands: no user or system config, fixed identity. */
export const CLEAN_GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
  GIT_COMMITTER_NAME: 'fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.invalid',
};

export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = CLEAN_GIT_ENV): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Build <base>/<name>.git from a folder of files (plus extra files), one commit on main; returns the commit id. */
export function makeBareRepo(base: string, name: string, from: string | undefined, extra: Record<string, string> = {}): string {
  const work = path.join(base, `${name}-work`);
  mkdirSync(work, { recursive: true });
  if (from) cpSync(from, work, { recursive: true });
  for (const [rel, content] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
    writeFileSync(path.join(work, rel), content);
  }
  git(work, ['init', '-q', '-b', 'main']);
  git(work, ['add', '-A']);
  git(work, ['commit', '-q', '-m', 'initial']);
  const sha = git(work, ['rev-parse', 'HEAD']).trim();
  git(base, ['clone', '-q', '--bare', work, path.join(base, `${name}.git`)]);
  return sha;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Daemon {
  url(name: string): string;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** A program git daemon runs before each service request (args: service, path, host, …); non-zero refuses it. */
  accessHook?: string;
}

export async function startGitDaemon(base: string, opts: DaemonOptions = {}): Promise<Daemon> {
  const port = await freePort();
  const proc: ChildProcess = spawn(
    'git',
    ['daemon', '--reuseaddr', '--export-all', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, '--informative-errors', ...(opts.accessHook ? [`--access-hook=${opts.accessHook}`] : []), base],
    { env: CLEAN_GIT_ENV, stdio: 'ignore' },
  );
  // Wait until it accepts connections.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (proc.exitCode !== null) throw new Error('git daemon exited; is git-daemon installed?');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: (name) => `git://127.0.0.1:${port}/${name}.git`,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.on('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
