/**
 * A GitHub REST API double on loopback. Every request is validated against GitHub's OpenAPI description
 * (OpenApiValidator) and every response it sends is too, so neither our client nor the double can drift from
 * the real API unnoticed. A small stateful layer holds pull request files, issue comments and file contents.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiValidator, type Match } from './openapi-validator.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  operationId?: string;
  status: number;
  authorization?: string;
  problems: string[];
}

interface Comment {
  id: number;
  body: string;
  login: string;
  type: 'Bot' | 'User';
  created_at: string;
  updated_at: string;
}

let shared: OpenApiValidator | undefined;

/** The description is large (13 MB): parse it once per test process. */
export function validator(): OpenApiValidator {
  shared ??= new OpenApiValidator();
  return shared;
}

/** Calls `handle` with a request's whole body once it has arrived (both API doubles validate bodies). */
export function onBody(req: http.IncomingMessage, handle: (body: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => handle(Buffer.concat(chunks).toString('utf8')));
}

/** GitHub's answer to a request the OpenAPI description does not allow: 422 with the validator's problems. */
export function invalidRequest(problems: string[]): { message: string; documentation_url: string } {
  return { message: `request does not match the OpenAPI description: ${problems.join('; ')}`, documentation_url: 'https://docs.github.com/rest' };
}

const TIME = '2026-11-25T12:00:00Z';

export class GitHubApiDouble {
  readonly requests: RecordedRequest[] = [];
  /** pull number → changed files (repository-relative paths and statuses). */
  readonly pulls = new Map<number, { filename: string; status: string; previous_filename?: string }[]>();
  /** issue number → comments. */
  readonly comments = new Map<number, Comment[]>();
  /** 'base...head' → changed files (compare API, used on push events with base-ref/head-ref). */
  readonly compares = new Map<string, { filename: string; status: string; previous_filename?: string }[]>();
  /** `${ref}:${path}` → text. */
  readonly contents = new Map<string, string>();
  /** operationId → status to answer with instead (e.g. 403), consumed once per entry. */
  readonly failures = new Map<string, number[]>();
  private server?: http.Server;
  private nextId = 1000;
  url = '';

  constructor(
    readonly owner = 'acme',
    readonly repo = 'take-home',
  ) {}

  async start(): Promise<string> {
    const v = validator();
    this.server = http.createServer((req, res) => {
      onBody(req, (body) => {
        const url = new URL(req.url ?? '/', this.url);
        const { match, problems } = v.validateRequest(req.method ?? 'GET', url, req.headers, body);
        const rec: RecordedRequest = { method: req.method ?? '', path: url.pathname, query: url.search, operationId: match?.operationId, status: 0, authorization: req.headers.authorization, problems };
        this.requests.push(rec);
        const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
          rec.status = status;
          if (match && status < 400) rec.problems.push(...v.validateResponse(match, req.method ?? 'GET', status, payload));
          const text = payload === undefined ? '' : JSON.stringify(payload);
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '4999', 'x-ratelimit-limit': '5000', ...headers });
          res.end(text);
        };
        if (!match || problems.length) return send(422, invalidRequest(problems));
        const injected = this.failures.get(match.operationId);
        if (injected?.length) {
          const status = injected.shift()!;
          return send(status, { message: status === 403 ? 'Resource not accessible by integration' : 'Not Found', documentation_url: 'https://docs.github.com/rest', status: String(status) });
        }
        try {
          this.handle(match, req.method ?? 'GET', url, body, send);
        } catch (err) {
          rec.problems.push(`double crashed: ${(err as Error).message}`);
          send(500, { message: 'double error' });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every request problem the validator found, as lines. */
  problems(): string[] {
    return this.requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.path}${r.query}: ${p}`));
  }

  private user(login: string, type: 'Bot' | 'User') {
    const safe = encodeURIComponent(login);
    const base = `${this.url}/users/${safe}`;
    return {
      login, id: login.length * 7919, node_id: `U_${login}`, avatar_url: `${this.url}/avatars/${safe}`, gravatar_id: '', url: base,
      html_url: `https://github.invalid/${safe}`, followers_url: `${base}/followers`, following_url: `${base}/following{/other_user}`,
      gists_url: `${base}/gists{/gist_id}`, starred_url: `${base}/starred{/owner}{/repo}`, subscriptions_url: `${base}/subscriptions`,
      organizations_url: `${base}/orgs`, repos_url: `${base}/repos`, events_url: `${base}/events{/privacy}`, received_events_url: `${base}/received_events`,
      type, site_admin: false,
    };
  }

  private commentJson(issue: number, c: Comment) {
    const repoUrl = `${this.url}/repos/${this.owner}/${this.repo}`;
    return {
      id: c.id, node_id: `IC_${c.id}`, url: `${repoUrl}/issues/comments/${c.id}`, html_url: `https://github.invalid/${this.owner}/${this.repo}/pull/${issue}#issuecomment-${c.id}`,
      body: c.body, user: this.user(c.login, c.type), created_at: c.created_at, updated_at: c.updated_at, issue_url: `${repoUrl}/issues/${issue}`, author_association: c.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
    };
  }

  private diffEntries(files: { filename: string; status: string; previous_filename?: string }[]) {
    return files.map((f, i) => ({
      sha: (i + 1).toString(16).padStart(40, '0'), filename: f.filename, status: f.status, additions: 1, deletions: 0, changes: 1,
      blob_url: `https://github.invalid/${this.owner}/${this.repo}/blob/head/${encodeURI(f.filename)}`,
      raw_url: `https://github.invalid/${this.owner}/${this.repo}/raw/head/${encodeURI(f.filename)}`,
      contents_url: `${this.url}/repos/${this.owner}/${this.repo}/contents/${encodeURI(f.filename)}?ref=head`,
      ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
    }));
  }

  private commit(sha: string) {
    const api = `${this.url}/repos/${this.owner}/${this.repo}`;
    const person = { name: 'Candidate', email: 'candidate@example.invalid', date: TIME };
    return {
      url: `${api}/commits/${sha}`, sha, node_id: `C_${sha.slice(0, 12)}`, html_url: `https://github.invalid/${this.owner}/${this.repo}/commit/${sha}`, comments_url: `${api}/commits/${sha}/comments`,
      commit: { author: person, committer: person, comment_count: 0, message: 'Solution', tree: { sha: 'e'.repeat(40), url: `${api}/git/trees/${'e'.repeat(40)}` }, url: `${api}/git/commits/${sha}` },
      author: null, committer: null, parents: [],
    };
  }

  /** Pages a list the way GitHub does: per_page (default 30), page, and a Link header. */
  private page<T>(items: T[], url: URL): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Number(url.searchParams.get('page') ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const links: string[] = [];
    const at = (p: number) => {
      const u = new URL(url);
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const last = Math.max(1, Math.ceil(items.length / perPage));
    if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
    return { items: slice, headers: links.length ? { link: links.join(', ') } : {} };
  }

  private handle(m: Match, method: string, url: URL, body: string, send: (s: number, p?: unknown, h?: Record<string, string>) => void): void {
    if (m.params.owner !== this.owner || m.params.repo !== this.repo) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    switch (m.operationId) {
      case 'pulls/list-files': {
        const files = this.pulls.get(Number(m.params.pull_number));
        if (!files) return send(404, { message: 'Not Found' });
        const { items, headers } = this.page(this.diffEntries(files), url);
        return send(200, items, headers);
      }
      case 'repos/compare-commits-with-basehead': {
        const files = this.compares.get(m.params.basehead);
        if (!files) return send(404, { message: 'Not Found' });
        const [base, head] = m.params.basehead.split('...');
        const { items } = this.page(this.diffEntries(files), url);
        const api = `${this.url}/repos/${this.owner}/${this.repo}`;
        const html = `https://github.invalid/${this.owner}/${this.repo}`;
        return send(200, {
          url: `${api}/compare/${m.params.basehead}`, html_url: `${html}/compare/${m.params.basehead}`, permalink_url: `${html}/compare/${m.params.basehead}`,
          diff_url: `${html}/compare/${m.params.basehead}.diff`, patch_url: `${html}/compare/${m.params.basehead}.patch`,
          base_commit: this.commit(base), merge_base_commit: this.commit(base), status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1,
          commits: [this.commit(head)], files: items,
        });
      }
      case 'issues/list-comments': {
        const list = this.comments.get(Number(m.params.issue_number)) ?? [];
        const { items, headers } = this.page(list.map((c) => this.commentJson(Number(m.params.issue_number), c)), url);
        return send(200, items, headers);
      }
      case 'issues/create-comment': {
        const issue = Number(m.params.issue_number);
        const c: Comment = { id: this.nextId++, body: (JSON.parse(body) as { body: string }).body, login: 'github-actions[bot]', type: 'Bot', created_at: TIME, updated_at: TIME };
        this.comments.set(issue, [...(this.comments.get(issue) ?? []), c]);
        return send(201, this.commentJson(issue, c), { location: `${this.url}/repos/${this.owner}/${this.repo}/issues/comments/${c.id}` });
      }
      case 'issues/update-comment':
      case 'issues/delete-comment': {
        const id = Number(m.params.comment_id);
        for (const [issue, list] of this.comments) {
          const c = list.find((x) => x.id === id);
          if (!c) continue;
          if (m.operationId === 'issues/delete-comment') {
            this.comments.set(issue, list.filter((x) => x.id !== id));
            return send(204);
          }
          c.body = (JSON.parse(body) as { body: string }).body;
          c.updated_at = '2026-11-25T12:05:00Z';
          return send(200, this.commentJson(issue, c));
        }
        return send(404, { message: 'Not Found' });
      }
      case 'repos/get-content': {
        const ref = url.searchParams.get('ref') ?? 'main';
        const text = this.contents.get(`${ref}:${m.params.path}`);
        if (text === undefined) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content' });
        const api = `${this.url}/repos/${this.owner}/${this.repo}`;
        const name = m.params.path.split('/').pop()!;
        return send(200, {
          type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name, path: m.params.path, content: Buffer.from(text).toString('base64'),
          sha: 'f'.repeat(40), url: `${api}/contents/${m.params.path}?ref=${ref}`, git_url: `${api}/git/blobs/${'f'.repeat(40)}`,
          html_url: `https://github.invalid/${this.owner}/${this.repo}/blob/${ref}/${m.params.path}`, download_url: `https://raw.invalid/${this.owner}/${this.repo}/${ref}/${m.params.path}`,
          _links: { self: `${api}/contents/${m.params.path}`, git: `${api}/git/blobs/${'f'.repeat(40)}`, html: `https://github.invalid/${this.owner}/${this.repo}/blob/${ref}/${m.params.path}` },
        });
      }
      default:
        return send(501, { message: `the double does not implement ${method} ${m.operationId}` });
    }
  }
}
