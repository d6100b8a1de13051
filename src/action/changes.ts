/**
 * The change under scan: files listed through the API (the pull request's files, or base...head), the
 * effective mode, and a lazy comparison of changed dependency files with their base versions.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { GitHubClient } from '../github/client.js';
import { compareFiles, fileAtRef, listPullRequestFiles, type ChangedFile } from '../github/pulls.js';
import { explainApiError } from '../github/errors.js';
import { DEFAULT_LIMITS } from '../options.js';
import { escapeControl } from '../reporters/escape.js';
import type { ActionInputs, Mode } from './inputs.js';
import type { RunContext } from './context.js';
import { dependencyDelta, dependencyFileKind, type DependencyDelta } from './diff.js';

export interface DiffPlan {
  mode: Mode;
  /** Changed paths relative to the scanned folder (diff mode). */
  changed: Set<string>;
  /** Changed paths relative to the repository, or undefined when they could not be listed. */
  changedInRepo?: Set<string>;
  /** 'base...head' for messages. */
  range?: string;
  /** Ref the base versions of files are read at. */
  baseRef?: string;
  warnings: string[];
  /** Changed dependency files (lockfiles, manifests) compared with their base versions. */
  dependencyFiles(scanRoot: string): Promise<Map<string, DependencyDelta>>;
}

export async function changedFilesFor(inputs: ActionInputs, ctx: RunContext, gh: GitHubClient | undefined, pathPrefix: string): Promise<DiffPlan> {
  const warnings: string[] = [];
  const base = inputs.baseRef ?? ctx.pull?.baseSha;
  const head = inputs.headRef ?? ctx.pull?.headSha;
  const noDeps = async () => new Map<string, DependencyDelta>();
  const full = (why?: string): DiffPlan => {
    if (why && inputs.mode === 'diff') warnings.push(`${why}; scanning in full mode instead`);
    return { mode: 'full', changed: new Set(), warnings, dependencyFiles: noDeps };
  };
  const wantList = inputs.mode === 'diff' || !!ctx.pull;
  if (!wantList) return full();
  if (!gh || !ctx.repo) return full(inputs.mode === 'diff' ? "diff mode needs the 'token' input and GITHUB_REPOSITORY to list changed files" : undefined);
  let files: ChangedFile[];
  let truncated: boolean;
  try {
    if (ctx.pull && !inputs.baseRef && !inputs.headRef) ({ files, truncated } = await listPullRequestFiles(gh, ctx.repo, ctx.pull.number));
    else if (base && head) ({ files, truncated } = await compareFiles(gh, ctx.repo, base, head));
    else return full(`diff mode on a '${ctx.eventName || 'unknown'}' event needs 'base-ref' and 'head-ref'`);
  } catch (err) {
    const msg = explainApiError(err, 'list the changed files', { repo: `${ctx.repo.owner}/${ctx.repo.repo}`, fork: ctx.pull?.fork });
    if (inputs.mode === 'diff') return full(msg);
    warnings.push(msg);
    return { mode: 'full', changed: new Set(), warnings, dependencyFiles: noDeps };
  }
  const changedInRepo = new Set(files.filter((f) => f.status !== 'removed').map((f) => f.path));
  if (inputs.mode !== 'diff') return { mode: 'full', changed: new Set(), changedInRepo, warnings, dependencyFiles: noDeps };
  if (truncated) return { ...full('the change lists 3,000 files or more, more than the API returns'), changedInRepo };

  const under = pathPrefix ? `${pathPrefix}/` : '';
  const toScanned = (p: string) => (under ? (p.startsWith(under) ? p.slice(under.length) : undefined) : p);
  const live = files.filter((f) => f.status !== 'removed');
  const changed = new Set(live.map((f) => toScanned(f.path)).filter((p): p is string => p !== undefined));
  const repo = ctx.repo;
  return {
    mode: 'diff',
    changed,
    changedInRepo,
    range: base && head ? `${base.slice(0, 12)}...${head.slice(0, 12)}` : undefined,
    baseRef: base,
    warnings,
    async dependencyFiles(scanRoot: string) {
      const out = new Map<string, DependencyDelta>();
      for (const f of live) {
        const rel = toScanned(f.path);
        const kind = rel === undefined ? undefined : dependencyFileKind(rel);
        if (rel === undefined || !kind) continue;
        let headText: string;
        try {
          const st = await fs.lstat(path.join(scanRoot, rel));
          if (!st.isFile() || st.size > DEFAULT_LIMITS.maxFileBytes) continue;
          headText = await fs.readFile(path.join(scanRoot, rel), 'utf8');
        } catch {
          continue;
        }
        let baseText: string | undefined;
        try {
          baseText = base && f.status !== 'added' ? await fileAtRef(gh, repo, f.previousPath ?? f.path, base) : undefined;
        } catch (err) {
          warnings.push(`${explainApiError(err, `read the base version of ${escapeControl(f.path)}`)}; every finding in it is reported`);
          out.set(rel, { file: rel, kind, added: [], understood: false });
          continue;
        }
        out.set(rel, await dependencyDelta(rel, headText, baseText));
      }
      return out;
    },
  };
}
