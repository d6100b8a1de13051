/**
 * One summary comment per pull request and run target, found again by a hidden marker and updated in place,
 * never a new comment on every push.
 */
import type { GitHubClient } from './client.js';
import type { RepoRef } from './pulls.js';

/** The hidden marker; `key` separates several lurescan steps in one repository (e.g. per scanned path). */
export function commentMarker(key: string): string {
  const safe = key.replace(/[^\w./-]/g, '_').slice(0, 100);
  return `<!-- lurescan:summary key=${safe} -->`;
}

export async function findComment(gh: GitHubClient, repo: RepoRef, issueNumber: number, marker: string): Promise<{ id: number; body: string } | undefined> {
  for await (const page of gh.paginate.iterator(gh.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 })) {
    // Prefer our own (a bot's) comment: anyone can post a comment that starts with the marker.
    const marked = page.data.filter((c) => typeof c.body === 'string' && c.body.startsWith(marker));
    const hit = marked.find((c) => c.user?.type === 'Bot') ?? marked[0];
    if (hit) return { id: hit.id, body: hit.body ?? '' };
  }
  return undefined;
}

export type CommentAction = 'created' | 'updated' | 'unchanged' | 'deleted' | 'none';

/** Create the comment, or update the one carrying the marker. `body` must start with the marker. */
export async function upsertComment(gh: GitHubClient, repo: RepoRef, issueNumber: number, marker: string, body: string): Promise<{ action: CommentAction; id: number }> {
  const existing = await findComment(gh, repo, issueNumber, marker);
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', id: existing.id };
    await gh.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    return { action: 'updated', id: existing.id };
  }
  const { data } = await gh.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { action: 'created', id: data.id };
}

export async function deleteComment(gh: GitHubClient, repo: RepoRef, issueNumber: number, marker: string): Promise<CommentAction> {
  const existing = await findComment(gh, repo, issueNumber, marker);
  if (!existing) return 'none';
  await gh.rest.issues.deleteComment({ ...repo, comment_id: existing.id });
  return 'deleted';
}
