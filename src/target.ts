/** Turn what a user typed into a ScanTarget. No I/O beyond a stat to tell a folder from a file. */
import { statSync } from 'node:fs';
import type { ScanTarget } from './types.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** Patterns a string must match to be treated as a remote git URL. */
export function isGitUrl(s: string): boolean {
  return /^(?:https?|ssh|git):\/\//i.test(s) || /^[\w.-]+@[\w.-]+:[^\\]/.test(s) || /\.git$/i.test(s) && /^[a-z]+:\/\//i.test(s);
}

const ARCHIVE_EXT = /\.(?:zip|tar|tgz|tar\.gz)$/i;

export function parseTarget(input: string, ref?: string): ScanTarget {
  if (!input) throw new UsageError('no target given: pass a folder, a git URL or an archive');
  if (isGitUrl(input)) return { kind: 'git', url: input, ref };
  if (/^file:\/\//i.test(input)) return { kind: 'git', url: input, ref, allowFileProtocol: true };
  if (/^npm:/i.test(input)) return { kind: 'npm', spec: input.slice(4) };
  let st;
  try {
    st = statSync(input);
  } catch {
    throw new UsageError(`${input}: no such file or folder, and not a git URL (https://, ssh://, git://, git@host:owner/repo)`);
  }
  if (st.isDirectory()) {
    return ref ? { kind: 'git', url: input, ref, allowFileProtocol: true } : { kind: 'path', path: input };
  }
  if (st.isFile()) {
    if (ARCHIVE_EXT.test(input)) return { kind: 'archive', path: input };
    // Unknown extension: the archive reader checks the magic bytes and says so if it is not an archive.
    return { kind: 'archive', path: input };
  }
  throw new UsageError(`${input}: not a folder, a regular file or a git URL`);
}

export function describeTarget(t: ScanTarget): string {
  switch (t.kind) {
    case 'path':
    case 'archive':
      return t.path;
    case 'git':
      return t.ref ? `${t.url}#${t.ref}` : t.url;
    case 'npm':
      return `npm:${t.spec}`;
  }
}
