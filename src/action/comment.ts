/** The PR comment, per the comment-summary-in-pr policy. */
import type { GitHubClient } from '../github/client.js';
import type { RepoRef } from '../github/pulls.js';
import { commentMarker, findComment, upsertComment, type CommentAction } from '../github/comments.js';
import type { CommentPolicy } from './inputs.js';

/**
 * always: create or update. on-failure: create or update when there is something to say; when the PR has
 * become clean, an earlier comment is updated to the clean summary (never left showing a stale BLOCK) and
 * no new one is posted. never: leave comments alone.
 */
export async function publishComment(
  gh: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  policy: CommentPolicy,
  hasProblems: boolean,
  render: (marker: string) => string,
  key: string,
): Promise<CommentAction> {
  if (policy === 'never') return 'none';
  const marker = commentMarker(key);
  if (policy === 'on-failure' && !hasProblems) {
    const existing = await findComment(gh, repo, issueNumber, marker);
    if (!existing) return 'none';
  }
  const { action } = await upsertComment(gh, repo, issueNumber, marker, render(marker));
  return action;
}
