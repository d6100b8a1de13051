/**
 * `org merge`: combine shard reports into one and prove nothing was lost: every shard of 1..n present once, every
 * listed repository reported exactly once, each by the shard it hashes to.
 */
import { shardOf } from './shard.js';
import { sortEntries, totalsOf, type OrgEntry, type OrgReport, type ShardSpec } from './types.js';

export interface MergeResult {
  report: OrgReport;
  /** Missing shards or repositories, duplicates, mismatched runs. Empty when the merge is whole. */
  problems: string[];
  /** Things worth saying that do not make the merge wrong (e.g. a repository created between shard jobs). */
  notes: string[];
}

export function isOrgReport(x: unknown): x is OrgReport {
  return !!x && typeof x === 'object' && (x as OrgReport).kind === 'lurescan-org-report' && Array.isArray((x as OrgReport).repositories);
}

export function mergeReports(reports: OrgReport[]): MergeResult {
  const problems: string[] = [];
  const notes: string[] = [];
  if (!reports.length) throw new Error('org merge needs at least one shard report');
  const first = reports[0];
  for (const r of reports.slice(1)) {
    if ((r.org ?? '') !== (first.org ?? '') || r.apiUrl !== first.apiUrl || [...r.users].sort().join(',') !== [...first.users].sort().join(',')) {
      problems.push(`shard reports are from different scans: ${first.org ?? first.users.join(',')} at ${first.apiUrl} vs ${r.org ?? r.users.join(',')} at ${r.apiUrl}`);
    }
  }
  const shards: ShardSpec[] = reports.flatMap((r) => r.mergedShards ?? (r.shard ? [r.shard] : []));
  const count = shards[0]?.count ?? 1;
  if (reports.length > 1 && reports.some((r) => !r.shard && !r.mergedShards)) problems.push('some reports carry no shard (they were not made with --shard i/n)');
  if (shards.some((s) => s.count !== count)) problems.push(`shard reports disagree on the number of shards: ${[...new Set(shards.map((s) => s.count))].join(', ')}`);
  const seenShard = new Map<number, number>();
  for (const s of shards) seenShard.set(s.index, (seenShard.get(s.index) ?? 0) + 1);
  for (const [i, n] of seenShard) if (n > 1) problems.push(`shard ${i}/${count} appears ${n} times`);
  if (shards.length) for (let i = 1; i <= count; i++) if (!seenShard.has(i)) problems.push(`shard ${i}/${count} is missing`);

  const byName = new Map<string, OrgEntry[]>();
  for (const r of reports) {
    for (const e of r.repositories) {
      const k = e.full_name.toLowerCase();
      byName.set(k, [...(byName.get(k) ?? []), e]);
      if (r.shard && shardOf(e.full_name, r.shard.count) !== r.shard.index) {
        problems.push(`${e.full_name} is reported by shard ${r.shard.index}/${r.shard.count} but belongs to shard ${shardOf(e.full_name, r.shard.count)}`);
      }
    }
  }
  for (const [, list] of byName) if (list.length > 1) problems.push(`${list[0].full_name} is reported ${list.length} times`);

  // Each shard lists the org itself; a repository created or deleted between shard jobs shows up in some
  // inventories only. It is missing only when the shard it belongs to listed it and did not report it.
  const inventory = new Map<string, string>();
  for (const r of reports) for (const n of r.inventory) inventory.set(n.toLowerCase(), n);
  for (const [k, name] of inventory) {
    if (byName.has(k)) continue;
    const owner = reports.find((r) => (r.shard ? shardOf(name, r.shard.count) === r.shard.index : true));
    if (owner?.shard && !owner.inventory.some((n) => n.toLowerCase() === k)) notes.push(`${name} appeared in the listing of another shard only (created or deleted during the run)`);
    else problems.push(`${name} was listed but is in no shard's results${owner ? '' : ` (its shard ${shardOf(name, count)}/${count} is missing)`}`);
  }

  const entries = sortEntries([...byName.values()].map((l) => l[0]));
  const started = reports.map((r) => r.startedAt).sort()[0];
  const finished = reports.map((r) => r.finishedAt).sort().at(-1)!;
  const report: OrgReport = {
    kind: 'lurescan-org-report',
    schemaVersion: 1,
    tool: first.tool,
    signatures: first.signatures,
    org: first.org,
    users: first.users,
    apiUrl: first.apiUrl,
    ...(shards.length ? { mergedShards: [...shards].sort((a, b) => a.index - b.index) } : {}),
    startedAt: started,
    finishedAt: finished,
    inventory: [...inventory.values()].sort((a, b) => a.localeCompare(b)),
    skipped: { forks: Math.max(...reports.map((r) => r.skipped.forks)), archived: Math.max(...reports.map((r) => r.skipped.archived)) },
    totals: totalsOf(entries),
    repositories: entries,
  };
  const versions = new Set(reports.map((r) => r.signatures.version));
  if (versions.size > 1) notes.push(`shards used different signature versions: ${[...versions].join(', ')}`);
  return { report, problems, notes };
}
