/** What the workflow run is about, from the runner's environment and event payload. */
import { readFileSync } from 'node:fs';
import type { RepoRef } from '../github/pulls.js';

export interface RunContext {
  eventName: string;
  repo?: RepoRef;
  apiUrl: string;
  /** Set on pull_request and pull_request_target events. */
  pull?: { number: number; baseSha: string; headSha: string; fork: boolean };
}

interface PullRequestPayload {
  pull_request?: {
    number: number;
    base: { sha: string; repo?: { full_name?: string } };
    head: { sha: string; repo?: { full_name?: string } | null };
  };
}

export function readContext(env: NodeJS.ProcessEnv): RunContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const ctx: RunContext = { eventName, apiUrl: env.GITHUB_API_URL || 'https://api.github.com', ...(owner && repo ? { repo: { owner, repo } } : {}) };
  if (!env.GITHUB_EVENT_PATH) return ctx;
  let payload: PullRequestPayload;
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as PullRequestPayload;
  } catch {
    return ctx;
  }
  const pr = payload.pull_request;
  if (pr && typeof pr.number === 'number') {
    const baseName = pr.base.repo?.full_name;
    const headName = pr.head.repo?.full_name;
    ctx.pull = { number: pr.number, baseSha: pr.base.sha, headSha: pr.head.sha, fork: !headName || (!!baseName && headName !== baseName) };
  }
  return ctx;
}
