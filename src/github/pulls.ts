/** Files a pull request (or a base...head comparison) changes, and file contents at a ref. */
import type { GitHubClient } from './client.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface ChangedFile {
  /** Repository-relative path after the change. */
  path: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  previousPath?: string;
}

/** GitHub lists at most 3,000 files for a pull request; past that the diff is incomplete. */
export const PR_FILES_LIMIT = 3000;

export async function listPullRequestFiles(gh: GitHubClient, repo: RepoRef, pullNumber: number): Promise<{ files: ChangedFile[]; truncated: boolean }> {
  const raw = await gh.paginate(gh.rest.pulls.listFiles, { ...repo, pull_number: pullNumber, per_page: 100 });
  const files = raw.map((f) => ({ path: f.filename, status: f.status, ...(f.previous_filename ? { previousPath: f.previous_filename } : {}) }));
  return { files, truncated: files.length >= PR_FILES_LIMIT };
}

/** Files changed between two refs (push events, or explicit base-ref/head-ref). */
export async function compareFiles(gh: GitHubClient, repo: RepoRef, base: string, head: string): Promise<{ files: ChangedFile[]; truncated: boolean }> {
  const files: ChangedFile[] = [];
  // The compare endpoint pages its files list; page through until a short page.
  for (let page = 1; page <= 30; page++) {
    const { data } = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 100, page });
    const batch = data.files ?? [];
    for (const f of batch) files.push({ path: f.filename, status: f.status, ...(f.previous_filename ? { previousPath: f.previous_filename } : {}) });
    if (batch.length < 100) return { files, truncated: false };
  }
  return { files, truncated: true };
}

/** A file's text at a ref, or undefined when it does not exist there (404). Other errors throw. */
export async function fileAtRef(gh: GitHubClient, repo: RepoRef, filePath: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await gh.rest.repos.getContent({ ...repo, path: filePath, ref });
    if (Array.isArray(data) || data.type !== 'file') return undefined;
    if ('content' in data && typeof data.content === 'string' && data.encoding === 'base64') return Buffer.from(data.content, 'base64').toString('utf8');
    return undefined;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}
