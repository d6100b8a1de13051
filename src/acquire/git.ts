/**
 * A git URL, fetched into a private bare repository and read from the object store. There is no work tree, so
 * no checkout runs hooks, filters, LFS smudges or submodules; and no configuration but ours applies: the user's
 * and the system's git config are replaced, hooks point at an empty folder, only the listed protocols are allowed.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { Diagnostic } from '../types.js';
import type { Limits } from '../options.js';
import { BaseWorkspace, type EntrySpec } from './workspace.js';
import { assertLocalRepositoryInside } from './local-repository.js';
import { credentialsIn, redactUrl } from '../secrets/shape.js';
import { SecretSet } from '../secrets/secret-set.js';

export interface GitPlan {
  url: string;
  ref?: string;
  allowFile: boolean;
  /** An HTTP Authorization header value for an http(s) URL (e.g. 'basic …' for a private repository). */
  authorization?: string;
}

/**
 * Credentials for an http(s) fetch through git's environment-borne configuration (GIT_CONFIG_COUNT), as an extra
 * header scoped to the URL's origin: never in the URL or on a command line, where the process list would show it.
 */
export function authorizationEnv(url: string, authorization: string): Record<string, string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return {};
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return {};
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${u.origin}/.extraHeader`, GIT_CONFIG_VALUE_0: `Authorization: ${authorization}` };
}

/** The -c settings every git command runs with. Each one closes a way for a repository or a config to run code. */
export function hardenedConfig(home: string, hooksDir: string, allowFile: boolean): string[] {
  const c: Record<string, string> = {
    'core.hooksPath': hooksDir,
    'core.fsmonitor': 'false',
    'core.symlinks': 'false',
    'core.sshCommand': 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new',
    'core.askPass': '',
    'credential.helper': '',
    'init.templateDir': '',
    'protocol.allow': 'never',
    'protocol.https.allow': 'always',
    'protocol.http.allow': 'always',
    'protocol.ssh.allow': 'always',
    'protocol.git.allow': 'always',
    'protocol.file.allow': allowFile ? 'always' : 'never',
    'protocol.ext.allow': 'never',
    'submodule.recurse': 'false',
    'fetch.recurseSubmodules': 'false',
    'filter.lfs.smudge': '',
    'filter.lfs.process': '',
    'filter.lfs.required': 'false',
    'uploadpack.packObjectsHook': '',
    'safe.directory': home,
    'advice.detachedHead': 'false',
    'gc.auto': '0',
    'maintenance.auto': 'false',
  };
  return Object.entries(c).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/** A minimal environment: nothing from the user's git set-up leaks in, proxies and the ssh agent do. */
export function hardenedEnv(home: string, allowFile: boolean): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: home,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_SYSTEM: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    // A prompt answered by a program that fails: git stops instead of sending the prompt text as a user name.
    GIT_ASKPASS: 'false',
    SSH_ASKPASS: 'false',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_ALLOW_PROTOCOL: allowFile ? 'https:http:ssh:git:file' : 'https:http:ssh:git',
    GIT_PROTOCOL_FROM_USER: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
  };
  for (const k of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'SSH_AUTH_SOCK', 'GIT_SSL_CAINFO', 'SSL_CERT_FILE']) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  return env;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let items;
    try {
      items = await fs.readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const it of items) {
      const p = path.join(d, it.name);
      if (it.isDirectory()) stack.push(p);
      else if (it.isFile()) total += (await fs.stat(p).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}

/** Reads blobs through one long-lived `git cat-file --batch`, one request at a time. */
class BlobReader {
  private proc;
  private queue: Promise<unknown> = Promise.resolve();
  private buffered: Buffer = Buffer.alloc(0);
  private waiter?: () => void;
  private closed = false;

  constructor(gitDir: string, args: string[], env: Record<string, string>) {
    this.proc = spawn('git', [...args, '--git-dir', gitDir, 'cat-file', '--batch'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    this.proc.stdout.on('data', (d: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, d]) : d;
      this.waiter?.();
    });
    this.proc.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    this.proc.stdin.on('error', () => {});
  }

  private async need(n: number): Promise<void> {
    while (this.buffered.length < n) {
      if (this.closed) throw new Error('git cat-file ended early');
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = undefined;
    }
  }

  read(sha: string): Promise<Buffer> {
    const job = this.queue.then(async () => {
      this.proc.stdin.write(`${sha}\n`);
      while (this.buffered.indexOf(0x0a) < 0) await this.need(this.buffered.length + 1);
      const nl = this.buffered.indexOf(0x0a);
      const header = this.buffered.subarray(0, nl).toString('latin1');
      const m = /^[0-9a-f]+ \w+ (\d+)$/.exec(header);
      if (!m) {
        this.buffered = this.buffered.subarray(nl + 1);
        throw new Error(`object ${sha}: ${header}`);
      }
      const size = Number(m[1]);
      await this.need(nl + 1 + size + 1);
      const data = Buffer.from(this.buffered.subarray(nl + 1, nl + 1 + size));
      this.buffered = this.buffered.subarray(nl + 1 + size + 1);
      return data;
    });
    this.queue = job.catch(() => {});
    return job;
  }

  close(): void {
    if (!this.closed) this.proc.stdin.end();
    this.proc.kill();
  }
}

function looksLikeSha(ref: string): boolean {
  return /^[0-9a-f]{7,64}$/i.test(ref);
}

export async function acquireGit(plan: GitPlan, limits: Limits, tempDir?: string): Promise<BaseWorkspace> {
  if (plan.allowFile) await assertLocalRepositoryInside(plan.url, limits.maxFiles);
  const base = await fs.mkdtemp(path.join(tempDir ?? os.tmpdir(), 'lurescan-git-'));
  const home = path.join(base, 'home');
  const hooks = path.join(base, 'no-hooks');
  const template = path.join(base, 'no-template');
  const gitDir = path.join(base, 'repo.git');
  await Promise.all([fs.mkdir(home), fs.mkdir(hooks), fs.mkdir(template)]);
  const authEnv = plan.authorization ? authorizationEnv(plan.url, plan.authorization) : {};
  const env = { ...hardenedEnv(home, plan.allowFile), ...authEnv };
  const cfg = hardenedConfig(home, hooks, plan.allowFile);
  const cleanup = () => fs.rm(base, { recursive: true, force: true });
  const shown = redactUrl(plan.url);
  const abort = new AbortController();
  let overSize = false;

  const git = simpleGit({
    baseDir: base,
    config: cfg.filter((_, i) => i % 2 === 1),
    abort: abort.signal,
    // Every variable we set is part of the hardening; everything else from the ambient environment is dropped.
    allowEnvironment: Object.keys(env),
    timeout: { block: limits.gitTimeoutMs },
    // simple-git refuses these settings by default because a caller could point them at a program. Ours point them
    // at nothing (empty hooks and template folders, empty helpers, `false`, `never`): they are the hardening.
    unsafe: {
      allowUnsafeTemplateDir: true,
      allowUnsafeHooksPath: true,
      allowUnsafeSshCommand: true,
      allowUnsafeAskPass: true,
      allowUnsafeCredentialHelper: true,
      allowUnsafeFsMonitor: true,
      allowUnsafeFilter: true,
      allowUnsafeProtocolOverride: true,
      allowUnsafePack: true,
      allowUnsafeConfigPaths: true,
      // Only when we put the credentials header there ourselves (authorizationEnv); ambient values never pass.
      allowUnsafeConfigEnvCount: 'GIT_CONFIG_COUNT' in authEnv,
    },
  }).env(env);

  const watcher = setInterval(() => {
    void dirSize(gitDir).then((n) => {
      if (n > limits.maxGitBytes) {
        overSize = true;
        abort.abort();
      }
    });
  }, 500);
  const deadline = setTimeout(() => abort.abort(), limits.gitTimeoutMs);
  try {
    await git.raw(['init', '--bare', '--quiet', `--template=${template}`, gitDir]);
    const repo = git.cwd({ path: gitDir, root: false });
    const wanted = plan.ref ?? 'HEAD';
    const fetchArgs = ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--no-write-fetch-head', '--no-auto-gc'];
    let commit: string | undefined;
    try {
      await repo.raw([...fetchArgs, '--depth=1', plan.url, `+${wanted}:refs/lurescan/target`]);
      commit = (await repo.raw(['rev-parse', '--verify', 'refs/lurescan/target^{commit}'])).trim();
    } catch (err) {
      if (abort.signal.aborted) throw err;
      if (!plan.ref || !looksLikeSha(plan.ref)) throw err;
      // Servers that refuse a bare commit id in 'want': fetch every branch and tag, then find the commit.
      await repo.raw([...fetchArgs, plan.url, '+refs/heads/*:refs/remotes/r/*', '+refs/tags/*:refs/tags/*']);
      commit = (await repo.raw(['rev-parse', '--verify', `${plan.ref}^{commit}`])).trim();
    }
    clearInterval(watcher);
    // The poll may not have seen a fetch that finished quickly; measure once more.
    if ((await dirSize(gitDir)) > limits.maxGitBytes) overSize = true;
    if (overSize) throw new Error(`repository is over the ${limits.maxGitBytes}-byte limit`);

    const reader = new BlobReader(gitDir, cfg, env);
    try {
      // The commit object's header gives T19 context; a hostile commit could be huge, so only an ordinary-sized one is read.
      const commitSize = Number((await repo.raw(['cat-file', '-s', commit]).catch(() => '')).trim()) || Infinity;
      const commitTimezones = commitSize <= limits.maxCommitObjectBytes ? timezonesOf((await reader.read(commit).catch(() => Buffer.alloc(0))).toString('utf8')) : undefined;
      const { entries, diagnostics } = await listTree(gitDir, cfg, env, commit, limits, reader, abort.signal);
      clearTimeout(deadline);
      return new BaseWorkspace(
        shown,
        { source: shown, url: shown, ref: plan.ref, commit, ...(commitTimezones ? { commitTimezones } : {}) },
        entries,
        limits,
        diagnostics,
        async () => {
          reader.close();
          await cleanup();
        },
      );
    } catch (err) {
      reader.close();
      throw err;
    }
  } catch (err) {
    clearInterval(watcher);
    clearTimeout(deadline);
    await cleanup();
    const msg = (err as Error).message ?? String(err);
    // The cause is not attached: git's own message may carry the URL with credentials; ours is redacted.
    // eslint-disable-next-line preserve-caught-error
    if (overSize) throw new Error(`git: ${shown} is over the ${limits.maxGitBytes}-byte limit; fetch stopped`);
    // eslint-disable-next-line preserve-caught-error
    if (abort.signal.aborted) throw new Error(`git: fetching ${shown} took longer than ${limits.gitTimeoutMs} ms; stopped`);
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`git: could not fetch ${shown}${plan.ref ? ` at ${plan.ref}` : ''}: ${firstLine(redactAll(msg, plan.url))}`);
  }
}

/**
 * The commit's tree, read from a streamed `git ls-tree -r`: a tree of a dozen objects can name 10^9 paths (one subtree
 * repeated in every level), so the listing is parsed as it arrives and git is stopped at maxFiles instead of being
 * buffered whole. The acquisition's abort signal (the git deadline) stops it too.
 */
async function listTree(
  gitDir: string,
  cfg: string[],
  env: Record<string, string>,
  commit: string,
  limits: Limits,
  reader: BlobReader,
  signal: AbortSignal,
): Promise<{ entries: EntrySpec[]; diagnostics: Diagnostic[] }> {
  const entries: EntrySpec[] = [];
  const diagnostics: Diagnostic[] = [];
  const links: { spec: EntrySpec; sha: string; size: number }[] = [];
  let seen = 0;
  let capped = false;
  const take = (rec: string): void => {
    const tab = rec.indexOf('\t');
    if (tab < 0) return;
    const [mode, type, sha, sizeStr] = rec.slice(0, tab).trim().split(/\s+/);
    const p = rec.slice(tab + 1);
    if (++seen > limits.maxFiles) {
      capped = true;
      return;
    }
    if (type === 'commit') {
      diagnostics.push({ code: 'submodule-not-followed', message: `submodule at commit ${sha} is not fetched or scanned`, file: p, incomplete: true });
      return;
    }
    const size = Number(sizeStr) || 0;
    if (mode === '120000') {
      const spec: EntrySpec = { path: p, size: 0, kind: 'symlink', linkTarget: '' };
      links.push({ spec, sha, size });
      entries.push(spec);
      return;
    }
    // The blob id names the bytes (git checks it against SHA-1 collisions): the reuse key needs no second read of them.
    entries.push({ path: p, size, kind: 'file', mode, load: () => reader.read(sha), contentId: `git-blob:${sha}` });
  };
  await new Promise<void>((resolve, reject) => {
    const proc = spawn('git', [...cfg, '--git-dir', gitDir, 'ls-tree', '-r', '-l', '-z', '--full-tree', commit], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending: Buffer = Buffer.alloc(0);
    let stderr = '';
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => finish(new Error('listing the tree was stopped by the git deadline'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    proc.stdout.on('data', (d: Buffer) => {
      if (settled) return;
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      let start = 0;
      for (let nul = pending.indexOf(0, start); nul >= 0; nul = pending.indexOf(0, start)) {
        take(pending.subarray(start, nul).toString('utf8'));
        start = nul + 1;
        if (capped) return finish();
      }
      pending = pending.subarray(start);
    });
    proc.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString('utf8');
    });
    proc.on('error', (e) => finish(e));
    proc.on('close', (code) => finish(code === 0 || capped ? undefined : new Error(`git ls-tree failed: ${stderr.trim() || `exit ${code}`}`)));
  });
  if (capped) diagnostics.push({ code: 'file-count-limit', message: `more than ${limits.maxFiles} entries; the rest were not scanned`, incomplete: true });
  // The deadline stops a read that does not answer too: closing the reader ends git cat-file, and the read fails.
  const stop = (): void => reader.close();
  signal.addEventListener('abort', stop);
  try {
    for (const l of links) {
      if (signal.aborted) throw new Error('reading link targets was stopped by the git deadline');
      l.spec.linkTarget = l.size <= 4096 ? (await reader.read(l.sha)).toString('utf8') : '';
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return { entries, diagnostics };
}

/** The UTC offsets of a commit object's author and committer lines ('author Name <mail> 1700000000 +0900'). */
export function timezonesOf(commitObject: string): { author?: string; committer?: string } | undefined {
  const head = commitObject.slice(0, Math.max(0, commitObject.indexOf('\n\n')) || 4096);
  const tz = (who: string) => {
    const line = head.split('\n').find((l) => l.startsWith(`${who} `));
    const last = line?.slice(line.lastIndexOf(' ') + 1);
    return last && /^[+-]\d{4}$/.test(last) ? last : undefined;
  };
  const author = tz('author');
  const committer = tz('committer');
  return author || committer ? { author, committer } : undefined;
}

/** git rewrites the URL in its own messages (`unable to look up user:password@host` for git://): redact by value too. */
function redactAll(msg: string, url: string): string {
  return new SecretSet(credentialsIn(url), 3).redact(msg);
}

function firstLine(s: string): string {
  const lines = s.split('\n').map((l) => l.trim()).filter((l) => l && !/^hint:/.test(l));
  return lines.find((l) => /fatal|error/i.test(l)) ?? lines[0] ?? 'unknown error';
}
