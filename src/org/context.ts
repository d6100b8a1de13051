/**
 * T19 repository facts as sentences for the report. Context only: the verdict comes from the code alone. A fresh
 * single-commit repository from a new account is what a lure looks like, and also what a weekend project does.
 */
import type { HeadInfo } from '../github/repos.js';
import type { RepoContext } from './types.js';

const DAY = 86_400_000;
/** Younger than this reads as "new" in the report. */
export const NEW_REPO_DAYS = 30;
export const NEW_ACCOUNT_DAYS = 90;

function ageDays(iso: string | undefined, now: Date): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : Math.floor((now.getTime() - t) / DAY);
}

/** The UTC offset written in an ISO date ('+09:00'), or undefined for 'Z' and dates without one. */
function offsetOf(iso: string | undefined): string | undefined {
  const m = iso ? /([+-]\d{2}:?\d{2})$/.exec(iso) : null;
  return m ? m[1].replace(':', '') : undefined;
}

export function contextNotes(ctx: RepoContext, head: HeadInfo | undefined, now: Date): string[] {
  const notes: string[] = [];
  const repoAge = ageDays(ctx.createdAt, now);
  if (repoAge !== undefined && repoAge < NEW_REPO_DAYS) notes.push(`repository created ${repoAge} day(s) ago`);
  const ownerAge = ageDays(ctx.ownerCreatedAt, now);
  if (ownerAge !== undefined && ownerAge < NEW_ACCOUNT_DAYS) notes.push(`owner account created ${ownerAge} day(s) ago`);
  if (ctx.forkParent) notes.push(`fork of ${ctx.forkParent}`);
  if (ctx.commitCount === 1) notes.push('single-commit history');
  // The fetched commit object says it best; GitHub's REST API usually gives dates in UTC ('Z'), so its offsets
  // are a fallback for repositories reported from state before this was recorded.
  const a = ctx.authorTz ?? offsetOf(head?.authorDate);
  const c = ctx.committerTz ?? offsetOf(head?.committerDate);
  if (a && c && a !== c) notes.push(`author and committer time zones differ (${a} vs ${c})`);
  if (head?.authorEmail && head.committerEmail && head.authorEmail !== head.committerEmail && head.committerEmail !== 'noreply@github.com') {
    notes.push('HEAD commit authored and committed by different identities');
  }
  return notes;
}
