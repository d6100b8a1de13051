/**
 * Scan every repository of an organisation (and listed users): list through the API, take this shard's share,
 * report unchanged repositories from the state directory, fetch and scan the rest through the hardened git path
 * with bounded concurrency, retry failures with back-off, and end with one entry per repository. A repository's
 * failure is its own entry (`error` with the reason); it never stops the run.
 */
import pLimit from 'p-limit';
import type { GitHubClient } from '../github/client.js';
import { accountCreatedAt, forkParent, headOf, listRepositories, NOT_MODIFIED, type HeadInfo, type ListedRepo } from '../github/repos.js';
import { scan as defaultScan, VERSION } from '../scan.js';
import { redactUrl } from '../secrets/shape.js';
import { SecretSet } from '../secrets/secret-set.js';
import { loadSignatures } from '../signatures/load.js';
import { DEFAULT_ORG_LIMITS, type OrgLimits, type ScanOptions } from '../options.js';
import type { ScanResult, ScanTarget } from '../types.js';
import { inShard } from './shard.js';
import type { StateStore } from './state.js';
import { sortEntries, totalsOf, type OrgEntry, type OrgReport, type RepoContext, type ShardSpec } from './types.js';
import { contextNotes } from './context.js';

export type OrgEvent =
  | { type: 'listed'; total: number; inShard: number }
  | { type: 'repo-done'; entry: OrgEntry; done: number; total: number }
  | { type: 'retry'; fullName: string; attempt: number; delayMs: number; reason: string }
  | { type: 'warning'; message: string };

export interface OrgScanOptions {
  client: GitHubClient;
  /** The REST base URL, recorded (without credentials) in the report. */
  apiUrl: string;
  org?: string;
  users?: string[];
  includeForks?: boolean;
  includeArchived?: boolean;
  shard?: ShardSpec;
  state?: StateStore;
  limits?: Partial<OrgLimits>;
  /** The token, to reach private repositories over https and to scrub from every message. */
  token?: string;
  scanOptions?: ScanOptions;
  /** Tests wrap this to count fetches; the default is the library's scan(). */
  scanRepo?: (target: ScanTarget, options: ScanOptions) => Promise<ScanResult>;
  onEvent?: (e: OrgEvent) => void;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** Replace every occurrence of the token (in its encoded forms too) and credentials in URLs in a message. */
export function redactor(token: string | undefined): (s: string) => string {
  return new SecretSet([token], 4).redactor;
}

/**
 * What to fetch a repository with. A private repository on the API's own host gets the token as an HTTP
 * Authorization header (basic x-access-token:<token>, the form GitHub documents for app and Actions tokens), which
 * the git acquirer hands to git through its environment: never in the URL, never on a command line. A clone_url
 * on any other host, over another scheme than the API's (or https), or carrying its own user never gets it.
 */
export function fetchTarget(repo: ListedRepo, apiUrl: string, token: string | undefined): { url: string; authorization?: string } {
  if (!token || !repo.private) return { url: repo.cloneUrl };
  let u: URL;
  let api: URL;
  try {
    u = new URL(repo.cloneUrl);
    api = new URL(apiUrl);
  } catch {
    return { url: repo.cloneUrl };
  }
  const apiHost = api.hostname === 'api.github.com' ? 'github.com' : api.hostname;
  const schemeOk = u.protocol === 'https:' || u.protocol === api.protocol;
  if (!schemeOk || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.hostname !== apiHost || u.username) return { url: repo.cloneUrl };
  return { url: repo.cloneUrl, authorization: `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` };
}

/** Failures that another attempt cannot fix. */
function permanent(message: string): boolean {
  return /over the \d+-byte limit/.test(message);
}

export async function scanOrg(opts: OrgScanOptions): Promise<OrgReport> {
  const limits: OrgLimits = { ...DEFAULT_ORG_LIMITS, ...opts.limits };
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const scanRepo = opts.scanRepo ?? defaultScan;
  const emit = opts.onEvent ?? (() => {});
  const redact = redactor(opts.token);
  const startedAt = now().toISOString();
  // The same signatures scan() will use (bundled, plus the OSV import when scanOptions names its folder).
  const signatures = loadSignatures(undefined, { cacheDir: opts.scanOptions?.signatureCacheDir }).version;

  const listed = await listRepositories(opts.client, { org: opts.org, users: opts.users, includeForks: opts.includeForks, includeArchived: opts.includeArchived });
  const inventory = listed.repos.map((r) => r.fullName);
  const mine = listed.repos.filter((r) => inShard(r.fullName, opts.shard));
  emit({ type: 'listed', total: inventory.length, inShard: mine.length });

  const owners = new Map<string, Promise<string | undefined>>();
  const ownerAge = (repo: ListedRepo) => {
    const key = repo.owner.toLowerCase();
    if (!owners.has(key)) owners.set(key, accountCreatedAt(opts.client, repo.owner, !!opts.org && key === opts.org.toLowerCase()));
    return owners.get(key)!;
  };

  const limit = pLimit(Math.max(1, limits.concurrency));
  let done = 0;
  const entries = await Promise.all(
    mine.map((repo) =>
      limit(async () => {
        const entry = await scanOne(repo);
        done++;
        emit({ type: 'repo-done', entry, done, total: mine.length });
        return entry;
      }),
    ),
  );

  async function scanOne(repo: ListedRepo): Promise<OrgEntry> {
    const base = {
      name: repo.name,
      full_name: repo.fullName,
      owner: repo.owner,
      listedVia: repo.listedVia,
      defaultBranch: repo.defaultBranch,
      cloneUrl: redactUrl(repo.cloneUrl),
      private: repo.private,
      fork: repo.fork,
      archived: repo.archived,
    };
    // What an earlier run stored for this repository, if it was made with these signatures and this lurescan.
    const prior = opts.state ? await opts.state.peek(repo.fullName) : undefined;
    const reusable = prior && prior.key.signatures === signatures && prior.key.tool === VERSION ? prior : undefined;
    let head: HeadInfo | undefined;
    let headError: string | undefined;
    try {
      const answer = await headOf(opts.client, repo, reusable?.head?.etag);
      // 304: HEAD has not moved since the stored answer (and the question cost no rate limit).
      head = answer === NOT_MODIFIED ? reusable!.head : answer;
    } catch (err) {
      headError = redact((err as Error).message ?? String(err));
      emit({ type: 'warning', message: `${repo.fullName}: could not read the default branch's HEAD from the API (${headError}); scanning without the state shortcut` });
    }
    const context: RepoContext = {
      createdAt: repo.createdAt,
      ownerCreatedAt: await ownerAge(repo),
      forkParent: repo.fork ? await forkParent(opts.client, repo) : undefined,
      commitCount: head?.commitCount,
      notes: [],
    };
    context.notes = contextNotes(context, head, now());

    if (!head && !headError) {
      return { ...base, verdict: 'pass', source: 'scan', attempts: 0, complete: true, findings: [], diagnostics: [{ code: 'empty-repository', message: 'the repository has no commits; nothing to scan', incomplete: false }], context, scannedAt: now().toISOString() };
    }
    if (head && reusable && reusable.key.headSha === head.sha) {
      context.authorTz = reusable.entry.context.authorTz;
      context.committerTz = reusable.entry.context.committerTz;
      context.notes = contextNotes(context, head, now());
      if (head.etag && head.etag !== reusable.head?.etag) {
        // Same HEAD, new ETag (a user renamed, say): keep the newer one so the next run can get its 304.
        await opts.state!.put(reusable.key, reusable.entry, head).catch(() => {});
      }
      return { ...reusable.entry, ...base, source: 'state', context };
    }

    let attempt = 0;
    let lastError = '';
    while (attempt < limits.attempts) {
      attempt++;
      try {
        const result = await scanRepo({ kind: 'git', ...fetchTarget(repo, opts.apiUrl, opts.token), ref: repo.defaultBranch }, opts.scanOptions ?? {});
        const headSha = result.provenance.commit ?? head?.sha;
        context.authorTz = result.provenance.commitTimezones?.author;
        context.committerTz = result.provenance.commitTimezones?.committer;
        context.notes = contextNotes(context, head, now());
        const entry: OrgEntry = {
          ...base,
          verdict: result.verdict,
          headSha,
          source: 'scan',
          attempts: attempt,
          complete: result.complete,
          findings: result.findings,
          diagnostics: result.diagnostics,
          stats: result.stats,
          context,
          scannedAt: now().toISOString(),
        };
        if (opts.state && headSha) {
          try {
            await opts.state.put({ fullName: repo.fullName, headSha, signatures: result.signatures.version, tool: VERSION }, entry, head?.sha === headSha ? head : undefined);
          } catch (err) {
            emit({ type: 'warning', message: `${repo.fullName}: could not write the state entry: ${redact((err as Error).message)}` });
          }
        }
        return entry;
      } catch (err) {
        lastError = redact((err as Error).message ?? String(err));
        if (permanent(lastError) || attempt >= limits.attempts) break;
        const delayMs = limits.retryBaseMs * 2 ** (attempt - 1);
        emit({ type: 'retry', fullName: repo.fullName, attempt, delayMs, reason: lastError });
        await sleep(delayMs);
      }
    }
    return { ...base, verdict: 'error', headSha: head?.sha, source: 'scan', attempts: attempt, error: lastError, complete: false, findings: [], diagnostics: [], context, scannedAt: now().toISOString() };
  }

  const sorted = sortEntries(entries);
  return {
    kind: 'lurescan-org-report',
    schemaVersion: 1,
    tool: { name: 'lurescan', version: VERSION },
    signatures: { version: signatures },
    org: opts.org,
    users: opts.users ?? [],
    apiUrl: redactUrl(opts.apiUrl),
    ...(opts.shard ? { shard: opts.shard } : {}),
    startedAt,
    finishedAt: now().toISOString(),
    inventory,
    skipped: listed.skipped,
    totals: totalsOf(sorted),
    repositories: sorted,
  };
}
