/**
 * The vocabulary of `lurescan org`: one entry per repository, and the report that holds them. The JSON report is
 * exactly an OrgReport; shard results are OrgReports too, which is what `org merge` reads.
 */
import type { Diagnostic, Finding, ScanStats, Verdict } from '../types.js';

/** An org scan adds `error`: the repository could not be scanned (after retries); the reason says why. */
export type OrgVerdict = Verdict | 'error';
export const ORG_VERDICTS: readonly OrgVerdict[] = ['block', 'warn', 'pass', 'error'];

/**
 * T19 repository facts. Context for the person reading the report, never part of the verdict: a new account
 * with one commit is also how many honest side projects start.
 */
export interface RepoContext {
  createdAt?: string;
  ownerCreatedAt?: string;
  forkParent?: string;
  commitCount?: number;
  /** UTC offsets in the scanned HEAD commit's author and committer lines, read from the fetched object. */
  authorTz?: string;
  committerTz?: string;
  /** Readable sentences for the report, e.g. 'single-commit history'. */
  notes: string[];
}

export interface OrgEntry {
  name: string;
  full_name: string;
  owner: string;
  /** The org or user login the repository was listed through. */
  listedVia: string;
  verdict: OrgVerdict;
  /** The default branch's commit that was scanned (or that the state entry was for). */
  headSha?: string;
  defaultBranch?: string;
  /** clone_url as the API returned it, credentials removed. */
  cloneUrl: string;
  private: boolean;
  fork: boolean;
  archived: boolean;
  /** scan: scanned in this run; state: unchanged since a previous run, reported from the state directory. */
  source: 'scan' | 'state';
  attempts: number;
  /** Why the repository ended as `error`. */
  error?: string;
  complete: boolean;
  findings: Finding[];
  diagnostics: Diagnostic[];
  stats?: ScanStats;
  context: RepoContext;
  /** When the result was produced (for state entries: the earlier run). */
  scannedAt: string;
}

export interface OrgTotals {
  repos: number;
  block: number;
  warn: number;
  pass: number;
  error: number;
  /** Scanned in this run. */
  scanned: number;
  /** Reported from the state directory without fetching. */
  fromState: number;
  findings: number;
  incomplete: number;
}

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

export interface OrgReport {
  kind: 'lurescan-org-report';
  schemaVersion: 1;
  tool: { name: 'lurescan'; version: string };
  signatures: { version: string };
  org?: string;
  users: string[];
  /** The API host (no credentials); merge refuses to combine reports from different hosts or orgs. */
  apiUrl: string;
  shard?: ShardSpec;
  /** Present on merged reports: the shards combined. */
  mergedShards?: ShardSpec[];
  startedAt: string;
  finishedAt: string;
  /** Every repository listed (after the fork/archived filters, before sharding): what merge checks against. */
  inventory: string[];
  skipped: { forks: number; archived: number };
  totals: OrgTotals;
  /** Blocked first, then warn, error, pass; by name within each. */
  repositories: OrgEntry[];
}

const ORDER: Record<OrgVerdict, number> = { block: 0, warn: 1, error: 2, pass: 3 };

export function sortEntries(entries: OrgEntry[]): OrgEntry[] {
  return [...entries].sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || a.full_name.localeCompare(b.full_name));
}

export function totalsOf(entries: OrgEntry[]): OrgTotals {
  const t: OrgTotals = { repos: entries.length, block: 0, warn: 0, pass: 0, error: 0, scanned: 0, fromState: 0, findings: 0, incomplete: 0 };
  for (const e of entries) {
    t[e.verdict]++;
    if (e.source === 'state') t.fromState++;
    else if (e.verdict !== 'error') t.scanned++;
    t.findings += e.findings.length;
    if (!e.complete && e.verdict !== 'error') t.incomplete++;
  }
  return t;
}
