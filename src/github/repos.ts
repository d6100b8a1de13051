/**
 * Listing an organisation's (and users') repositories and the cheap facts the org scanner keys its state on:
 * the default branch's HEAD commit, and T19 provenance (repository and account age, fork parent, commit count,
 * single-commit history). Every call goes through the throttled, retrying client from client.ts.
 */
import type { GitHubClient } from './client.js';
import { statusOf } from './errors.js';

export interface ListedRepo {
  /** owner/name as the API spells it. */
  fullName: string;
  name: string;
  owner: string;
  /** Where the repository came from: the org or one of the --user logins. */
  listedVia: string;
  cloneUrl: string;
  defaultBranch?: string;
  private: boolean;
  fork: boolean;
  archived: boolean;
  /** Size in KiB as GitHub reports it; 0 usually means an empty repository. */
  sizeKb?: number;
  createdAt?: string;
  pushedAt?: string;
}

export interface ListOptions {
  org?: string;
  users?: string[];
  includeForks?: boolean;
  includeArchived?: boolean;
}

export interface ListResult {
  repos: ListedRepo[];
  /** Repositories left out by the fork/archived filters, counted so the report can say so. */
  skipped: { forks: number; archived: number };
}

interface ApiRepo {
  name: string;
  full_name: string;
  owner: { login: string } | null;
  clone_url?: string;
  default_branch?: string;
  private: boolean;
  fork: boolean;
  archived?: boolean;
  size?: number;
  created_at?: string | null;
  pushed_at?: string | null;
}

function toListed(r: ApiRepo, via: string): ListedRepo | undefined {
  if (!r.clone_url) return undefined;
  return {
    fullName: r.full_name,
    name: r.name,
    owner: r.owner?.login ?? r.full_name.split('/')[0],
    listedVia: via,
    cloneUrl: r.clone_url,
    defaultBranch: r.default_branch,
    private: r.private,
    fork: r.fork,
    archived: !!r.archived,
    sizeKb: r.size,
    createdAt: r.created_at ?? undefined,
    pushedAt: r.pushed_at ?? undefined,
  };
}

/** Every repository of the org and the users, once each (an org repo also reached through a user is kept once). */
export async function listRepositories(client: GitHubClient, opts: ListOptions): Promise<ListResult> {
  const seen = new Map<string, ListedRepo>();
  const skipped = { forks: 0, archived: 0 };
  const add = (items: ApiRepo[], via: string) => {
    for (const r of items) {
      const l = toListed(r, via);
      if (!l) continue;
      const key = l.fullName.toLowerCase();
      if (seen.has(key)) continue;
      if (l.fork && !opts.includeForks) {
        skipped.forks++;
        continue;
      }
      if (l.archived && !opts.includeArchived) {
        skipped.archived++;
        continue;
      }
      seen.set(key, l);
    }
  };
  if (opts.org) {
    add((await client.paginate(client.rest.repos.listForOrg, { org: opts.org, type: 'all', per_page: 100 })) as ApiRepo[], opts.org);
  }
  for (const user of opts.users ?? []) {
    add((await client.paginate(client.rest.repos.listForUser, { username: user, type: 'owner', per_page: 100 })) as ApiRepo[], user);
  }
  return { repos: [...seen.values()].sort((a, b) => a.fullName.localeCompare(b.fullName)), skipped };
}

export interface HeadInfo {
  sha: string;
  /** The response's ETag: sent back as If-None-Match next time, a 304 answer costs no rate limit. */
  etag?: string;
  /** Commits reachable from the default branch, from the Link header of a one-per-page listing. */
  commitCount?: number;
  authorLogin?: string;
  committerLogin?: string;
  authorEmail?: string;
  committerEmail?: string;
  authorDate?: string;
  committerDate?: string;
}

/** headOf's answer when the ETag given still matches: nothing changed since the response it came from. */
export const NOT_MODIFIED = 'not-modified' as const;

/**
 * The default branch's HEAD commit and how many commits it has, in one request: list commits one per page; the
 * first item is HEAD, the Link header's last page is the count. undefined for an empty repository (409). With the
 * ETag of an earlier answer, GitHub replies 304 when nothing changed, and a 304 does not count against the rate
 * limit: that is what keeps a nightly run over a large, mostly unchanged organisation cheap.
 */
export async function headOf(client: GitHubClient, repo: ListedRepo, etag?: string): Promise<HeadInfo | typeof NOT_MODIFIED | undefined> {
  try {
    const res = await client.rest.repos.listCommits({
      owner: repo.owner,
      repo: repo.name,
      ...(repo.defaultBranch ? { sha: repo.defaultBranch } : {}),
      per_page: 1,
      ...(etag ? { headers: { 'if-none-match': etag } } : {}),
    });
    const first = res.data[0];
    if (!first) return undefined;
    return {
      sha: first.sha,
      etag: typeof res.headers.etag === 'string' ? res.headers.etag : undefined,
      commitCount: lastPage(String(res.headers.link ?? '')) ?? res.data.length,
      authorLogin: first.author && 'login' in first.author ? first.author.login : undefined,
      committerLogin: first.committer && 'login' in first.committer ? first.committer.login : undefined,
      authorEmail: first.commit.author?.email,
      committerEmail: first.commit.committer?.email,
      authorDate: first.commit.author?.date,
      committerDate: first.commit.committer?.date,
    };
  } catch (err) {
    if (statusOf(err) === 304 && etag) return NOT_MODIFIED;
    if (statusOf(err) === 409) return undefined;
    throw err;
  }
}

/** When an account (org or user) was created; undefined when the API will not say. */
export async function accountCreatedAt(client: GitHubClient, login: string, isOrg: boolean): Promise<string | undefined> {
  try {
    const res = isOrg ? await client.rest.orgs.get({ org: login }) : await client.rest.users.getByUsername({ username: login });
    return (res.data as { created_at?: string }).created_at;
  } catch {
    return undefined;
  }
}

/** The full name of the repository a fork was made from. */
export async function forkParent(client: GitHubClient, repo: ListedRepo): Promise<string | undefined> {
  try {
    const res = await client.rest.repos.get({ owner: repo.owner, repo: repo.name });
    return res.data.parent?.full_name;
  } catch {
    return undefined;
  }
}

/** The page number of the Link header's rel="last" URL. */
export function lastPage(link: string): number | undefined {
  for (const part of link.split(',')) {
    const m = /^\s*<([^>]*)>\s*;\s*rel="last"/.exec(part);
    if (!m) continue;
    try {
      const n = Number(new URL(m[1]).searchParams.get('page'));
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
