/**
 * The one place an Octokit is built: REST endpoints plus throttling (primary and secondary rate limits) and
 * retry (5xx, network errors). Shared by the Action and the org scanner. Construction does no I/O.
 */
import { Octokit } from '@octokit/rest';
import { throttling } from '@octokit/plugin-throttling';
import { retry } from '@octokit/plugin-retry';
import { DEFAULT_API_URL } from './api-url.js';

const ThrottledOctokit = Octokit.plugin(throttling, retry);
/** The plugins add behaviour, not methods: callers see a plain REST Octokit. */
export type GitHubClient = Octokit;

export interface ClientOptions {
  token: string;
  /** REST base URL; GitHub Enterprise Server and tests pass their own (GITHUB_API_URL). */
  baseUrl?: string;
  userAgent?: string;
  /** Where Octokit's warnings go; never receives the token. */
  log?: { debug: (m: string) => void; info: (m: string) => void; warn: (m: string) => void; error: (m: string) => void };
  /** Retries on rate limits before giving up. */
  maxRateLimitRetries?: number;
}

export { DEFAULT_API_URL };

export function createClient(opts: ClientOptions): GitHubClient {
  const maxRetries = opts.maxRateLimitRetries ?? 2;
  const log = opts.log ?? { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return new ThrottledOctokit({
    auth: opts.token,
    baseUrl: trimSlashes(opts.baseUrl ?? DEFAULT_API_URL),
    userAgent: opts.userAgent ?? 'lurescan',
    log,
    throttle: {
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log.warn(`GitHub API rate limit hit for ${options.method} ${options.url}; ${retryCount < maxRetries ? `retrying in ${retryAfter}s` : 'giving up'}`);
        return retryCount < maxRetries;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log.warn(`GitHub API secondary rate limit for ${options.method} ${options.url}; ${retryCount < maxRetries ? `retrying in ${retryAfter}s` : 'giving up'}`);
        return retryCount < maxRetries;
      },
    },
    retry: { retries: 2 },
  }) as GitHubClient;
}

function trimSlashes(url: string): string {
  let u = url;
  while (u.endsWith('/')) u = u.slice(0, -1);
  return u;
}
