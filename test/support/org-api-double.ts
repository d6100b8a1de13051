/**
 * A GitHub REST API double for org scans, on loopback, built on the same OpenAPI validator as the Action's double:
 * every request is checked against api.github.com's description and every response it sends is too. It serves
 * organisations and users with paginated repository lists whose clone_urls point wherever the test says (a real
 * git daemon), each repository's HEAD commit and commit count, account ages and fork parents, and injects faults
 * on request: 5xx, 429 and secondary-rate-limit 403 with retry-after, slow responses. GET answers carry an ETag
 * and a matching If-None-Match gets 304, as GitHub's conditional requests do.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Match } from './openapi-validator.js';
import { invalidRequest, onBody, validator, type RecordedRequest } from './github-api-double.js';

export interface RepoSpec {
  owner: string;
  name: string;
  cloneUrl: string;
  headSha: string;
  defaultBranch?: string;
  commitCount?: number;
  private?: boolean;
  fork?: boolean;
  parent?: string;
  archived?: boolean;
  createdAt?: string;
  /** Author and committer dates of HEAD, with offsets where the test wants a time-zone mismatch. */
  authorDate?: string;
  committerDate?: string;
  empty?: boolean;
}

export interface Fault {
  operationId: string;
  /** Only requests whose query has these values (e.g. { page: '2' }). */
  query?: Record<string, string>;
  /** Only requests for this repository (owner/name). */
  repo?: string;
  status?: number;
  headers?: Record<string, string>;
  message?: string;
  /** Wait this long before answering (with the fault, or normally when status is unset). */
  delayMs?: number;
  /** How many matching requests it applies to; default 1. */
  times?: number;
}

/** One request as the double saw it (the same record as the Action's double keeps). */
export type OrgRequest = RecordedRequest;

const TIME = '2026-11-25T12:00:00Z';

export class OrgApiDouble {
  readonly requests: OrgRequest[] = [];
  readonly repos: RepoSpec[] = [];
  /** login → created_at; logins in `orgs` are organisations, the rest users. */
  readonly orgs = new Map<string, string>();
  readonly users = new Map<string, string>();
  readonly faults: Fault[] = [];
  /** When set, requests must carry this token. */
  token?: string;
  /** A path prefix the double is mounted under, as GitHub Enterprise Server serves its API under /api/v3. */
  prefix = '';
  /** Largest page the double serves, whatever per_page asks (GitHub: 100); small values exercise pagination. */
  maxPerPage = 100;
  url = '';
  private server?: http.Server;

  async start(): Promise<string> {
    const v = validator();
    this.server = http.createServer((req, res) => {
      onBody(req, (body) => {
        const url = new URL(req.url ?? '/', this.url);
        if (this.prefix) {
          if (!url.pathname.startsWith(`${this.prefix}/`)) {
            res.writeHead(404, { 'content-type': 'text/plain' }).end(`not under ${this.prefix}`);
            return;
          }
          url.pathname = url.pathname.slice(this.prefix.length);
        }
        const method = req.method ?? 'GET';
        const { match, problems } = v.validateRequest(method, url, req.headers, body);
        const rec: OrgRequest = { method, path: url.pathname, query: url.search, operationId: match?.operationId, status: 0, authorization: req.headers.authorization, problems };
        this.requests.push(rec);
        const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
          const text = payload === undefined ? '' : JSON.stringify(payload);
          const common = { 'x-ratelimit-remaining': '4999', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) };
          if (status === 200 && method === 'GET') {
            // Conditional requests as GitHub does them: a weak ETag of the body; If-None-Match that matches → 304.
            const etag = `W/"${createHash('sha1').update(text).update(headers.link ?? '').digest('hex')}"`;
            if (req.headers['if-none-match'] === etag) {
              rec.status = 304;
              res.writeHead(304, { etag, ...common }).end();
              return;
            }
            headers = { etag, ...headers };
          }
          rec.status = status;
          if (match && status < 300) rec.problems.push(...v.validateResponse(match, method, status, payload));
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...common, ...headers });
          res.end(text);
        };
        if (!match || problems.length) return send(422, invalidRequest(problems));
        if (this.token && req.headers.authorization !== `token ${this.token}` && req.headers.authorization !== `bearer ${this.token}` && req.headers.authorization !== `Bearer ${this.token}`) {
          return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
        }
        const fault = this.takeFault(match, url);
        const answer = () => {
          if (fault?.status) {
            return send(fault.status, { message: fault.message ?? `injected ${fault.status}`, documentation_url: 'https://docs.github.com/rest', status: String(fault.status) }, fault.headers ?? {});
          }
          try {
            this.handle(match, url, send);
          } catch (err) {
            rec.problems.push(`double crashed: ${(err as Error).message}`);
            send(500, { message: 'double error' });
          }
        };
        if (fault?.delayMs) setTimeout(answer, fault.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  problems(): string[] {
    return this.requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.path}${r.query}: ${p}`));
  }

  count(operationId: string): number {
    return this.requests.filter((r) => r.operationId === operationId).length;
  }

  private takeFault(m: Match, url: URL): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        f.operationId === m.operationId &&
        (!f.repo || f.repo === `${m.params.owner}/${m.params.repo}`) &&
        Object.entries(f.query ?? {}).every(([k, v]) => (url.searchParams.get(k) ?? (k === 'page' ? '1' : undefined)) === v),
    );
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  user(login: string) {
    const base = `${this.url}/users/${login}`;
    const isOrg = this.orgs.has(login);
    return {
      login, id: 1000 + [...login].reduce((n, c) => n * 31 + c.charCodeAt(0), 7) % 100000, node_id: `U_${login}`, avatar_url: `${this.url}/avatars/${login}`, gravatar_id: '', url: base,
      html_url: `https://github.invalid/${login}`, followers_url: `${base}/followers`, following_url: `${base}/following{/other_user}`,
      gists_url: `${base}/gists{/gist_id}`, starred_url: `${base}/starred{/owner}{/repo}`, subscriptions_url: `${base}/subscriptions`,
      organizations_url: `${base}/orgs`, repos_url: `${base}/repos`, events_url: `${base}/events{/privacy}`, received_events_url: `${base}/received_events`,
      type: isOrg ? 'Organization' : 'User', site_admin: false,
    };
  }

  private repoJson(r: RepoSpec, index: number) {
    const api = `${this.url}/repos/${r.owner}/${r.name}`;
    const urls: Record<string, string> = {};
    for (const k of ['archive_url', 'assignees_url', 'blobs_url', 'branches_url', 'collaborators_url', 'comments_url', 'commits_url', 'compare_url', 'contents_url', 'contributors_url', 'deployments_url', 'downloads_url', 'events_url', 'forks_url', 'git_commits_url', 'git_refs_url', 'git_tags_url', 'hooks_url', 'issue_comment_url', 'issue_events_url', 'issues_url', 'keys_url', 'labels_url', 'languages_url', 'merges_url', 'milestones_url', 'notifications_url', 'pulls_url', 'releases_url', 'stargazers_url', 'statuses_url', 'subscribers_url', 'subscription_url', 'tags_url', 'teams_url', 'trees_url']) {
      urls[k] = `${api}/${k.replace(/_url$/, '')}`;
    }
    return {
      id: 5000 + index, node_id: `R_${index}`, name: r.name, full_name: `${r.owner}/${r.name}`, owner: this.user(r.owner), private: !!r.private,
      html_url: `https://github.invalid/${r.owner}/${r.name}`, description: null, fork: !!r.fork, url: api, ...urls,
      git_url: r.cloneUrl, ssh_url: `git@github.invalid:${r.owner}/${r.name}.git`, clone_url: r.cloneUrl, svn_url: `https://github.invalid/${r.owner}/${r.name}`,
      mirror_url: null, homepage: null, language: 'JavaScript', forks_count: 0, stargazers_count: 0, watchers_count: 0, size: r.empty ? 0 : 12,
      default_branch: r.defaultBranch ?? 'main', open_issues_count: 0, is_template: false, topics: [], has_issues: true, has_projects: false, has_wiki: false,
      has_pages: false, has_downloads: true, has_discussions: false, archived: !!r.archived, disabled: false, visibility: r.private ? 'private' : 'public',
      pushed_at: TIME, created_at: r.createdAt ?? '2024-01-10T09:00:00Z', updated_at: TIME, forks: 0, open_issues: 0, watchers: 0, license: null,
    };
  }

  private findRepo(owner: string, name: string): RepoSpec | undefined {
    return this.repos.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  }

  /** Pages a list the way GitHub does: per_page (default 30, at most 100), page, and a Link header. */
  private page<T>(items: T[], url: URL): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(this.maxPerPage, Number(url.searchParams.get('per_page') ?? 30));
    const page = Number(url.searchParams.get('page') ?? 1);
    const at = (p: number) => {
      const u = new URL(url);
      u.pathname = `${this.prefix}${u.pathname}`;
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const links: string[] = [];
    if (page > 1) links.push(`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`);
    if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
    return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
  }

  private notFound(send: (s: number, p?: unknown, h?: Record<string, string>) => void) {
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  }

  private handle(m: Match, url: URL, send: (s: number, p?: unknown, h?: Record<string, string>) => void): void {
    switch (m.operationId) {
      case 'repos/list-for-org':
      case 'repos/list-for-user': {
        const login = m.params.org ?? m.params.username;
        const known = m.operationId === 'repos/list-for-org' ? this.orgs.has(login) : this.users.has(login) || this.orgs.has(login);
        if (!known) return this.notFound(send);
        const list = this.repos.map((r, i) => ({ r, i })).filter(({ r }) => r.owner.toLowerCase() === login.toLowerCase()).map(({ r, i }) => this.repoJson(r, i));
        const { items, headers } = this.page(list, url);
        return send(200, items, headers);
      }
      case 'repos/list-commits': {
        const r = this.findRepo(m.params.owner, m.params.repo);
        if (!r) return this.notFound(send);
        if (r.empty) return send(409, { message: 'Git Repository is empty.', documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits' });
        const n = r.commitCount ?? 3;
        const commits = Array.from({ length: n }, (_, i) => (i === 0 ? r.headSha : (i + 1).toString(16).padStart(40, 'a')));
        const api = `${this.url}/repos/${r.owner}/${r.name}`;
        const list = commits.map((sha, i) => ({
          url: `${api}/commits/${sha}`, sha, node_id: `C_${sha.slice(0, 8)}`, html_url: `https://github.invalid/${r.owner}/${r.name}/commit/${sha}`, comments_url: `${api}/commits/${sha}/comments`,
          commit: {
            url: `${api}/git/commits/${sha}`,
            author: { name: 'fixture', email: 'fixture@example.invalid', date: i === 0 && r.authorDate ? r.authorDate : TIME },
            committer: { name: 'fixture', email: 'fixture@example.invalid', date: i === 0 && r.committerDate ? r.committerDate : TIME },
            message: 'initial', comment_count: 0, tree: { sha: 'e'.repeat(40), url: `${api}/git/trees/${'e'.repeat(40)}` },
          },
          author: null, committer: null,
          parents: i + 1 < n ? [{ sha: commits[i + 1], url: `${api}/commits/${commits[i + 1]}` }] : [],
        }));
        const { items, headers } = this.page(list, url);
        return send(200, items, headers);
      }
      case 'orgs/get': {
        const created = this.orgs.get(m.params.org);
        if (!created) return this.notFound(send);
        const base = `${this.url}/orgs/${m.params.org}`;
        return send(200, {
          login: m.params.org, id: 9000, node_id: `O_${m.params.org}`, url: base, repos_url: `${base}/repos`, events_url: `${base}/events`, hooks_url: `${base}/hooks`, issues_url: `${base}/issues`,
          members_url: `${base}/members{/member}`, public_members_url: `${base}/public_members{/member}`, avatar_url: `${this.url}/avatars/${m.params.org}`, description: null,
          html_url: `https://github.invalid/${m.params.org}`, has_organization_projects: false, has_repository_projects: false, public_repos: this.repos.length, public_gists: 0,
          followers: 0, following: 0, type: 'Organization', created_at: created, updated_at: TIME, archived_at: null,
        });
      }
      case 'users/get-by-username': {
        const created = this.users.get(m.params.username);
        if (!created) return this.notFound(send);
        return send(200, { ...this.user(m.params.username), name: null, company: null, blog: '', location: null, email: null, hireable: null, bio: null, public_repos: 1, public_gists: 0, followers: 0, following: 0, created_at: created, updated_at: TIME });
      }
      case 'repos/get': {
        const r = this.findRepo(m.params.owner, m.params.repo);
        if (!r) return this.notFound(send);
        const idx = this.repos.indexOf(r);
        const full: Record<string, unknown> = { ...this.repoJson(r, idx), network_count: 0, subscribers_count: 0 };
        if (r.parent) {
          const [po, pn] = r.parent.split('/');
          full.parent = this.repoJson({ owner: po, name: pn, cloneUrl: `git://127.0.0.1:1/${pn}.git`, headSha: '0'.repeat(40) }, 99_000);
          full.source = full.parent;
        }
        return send(200, full);
      }
      default:
        return send(501, { message: `the double does not implement ${m.operationId}` });
    }
  }
}
