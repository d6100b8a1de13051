/**
 * A folder on disk. Every entry is lstat'ed, never followed: a symlink is reported with its target and not
 * read through, so a link to ~/.ssh or / cannot pull content from outside the root into the scan.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../types.js';
import type { Limits } from '../options.js';
import { BaseWorkspace, type EntrySpec } from './workspace.js';

/** Git's own object store and LFS cache: the tree's content is already in the work tree. */
const SKIPPED_DIRS = new Set(['.git/objects', '.git/lfs', '.git/logs']);

async function readBounded(abs: string, max: number): Promise<Buffer> {
  // O_NOFOLLOW: a file swapped for a symlink after the walk is refused, not followed.
  const fh = await fs.open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    const len = Math.min(st.size, max);
    const buf = Buffer.alloc(len);
    let off = 0;
    while (off < len) {
      const { bytesRead } = await fh.read(buf, off, len - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === len ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

export async function acquireLocal(root: string, limits: Limits): Promise<BaseWorkspace> {
  const absRoot = path.resolve(root);
  const st = await fs.lstat(absRoot);
  if (!st.isDirectory()) throw new Error(`${root} is not a folder`);
  const entries: EntrySpec[] = [];
  const diagnostics: Diagnostic[] = [];
  let capped = false;

  async function walk(dirAbs: string, rel: string, depth: number): Promise<void> {
    if (capped) return;
    if (depth > limits.maxDepth) {
      diagnostics.push({ code: 'depth-limit', message: `deeper than ${limits.maxDepth} levels; not walked`, file: rel, incomplete: true });
      return;
    }
    let names: string[];
    try {
      names = (await fs.readdir(dirAbs)).sort();
    } catch (err) {
      diagnostics.push({ code: 'read-error', message: `could not list: ${(err as Error).message}`, file: rel || '.', incomplete: true });
      return;
    }
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const childAbs = path.join(dirAbs, name);
      if (SKIPPED_DIRS.has(childRel)) continue;
      if (entries.length >= limits.maxFiles) {
        capped = true;
        diagnostics.push({ code: 'file-count-limit', message: `more than ${limits.maxFiles} entries; the rest were not scanned`, incomplete: true });
        return;
      }
      let cst;
      try {
        cst = await fs.lstat(childAbs);
      } catch (err) {
        diagnostics.push({ code: 'read-error', message: (err as Error).message, file: childRel, incomplete: true });
        continue;
      }
      if (cst.isSymbolicLink()) {
        let target = '';
        try {
          target = await fs.readlink(childAbs);
        } catch {
          /* unreadable link text: reported with an empty target */
        }
        entries.push({ path: childRel, size: 0, kind: 'symlink', linkTarget: target });
      } else if (cst.isDirectory()) {
        await walk(childAbs, childRel, depth + 1);
      } else if (cst.isFile()) {
        entries.push({
          path: childRel,
          size: cst.size,
          kind: 'file',
          mode: (cst.mode & 0o111) !== 0 ? '100755' : '100644',
          load: () => readBounded(childAbs, limits.maxFileBytes),
          head: (n) => readBounded(childAbs, n),
        });
      } else {
        entries.push({ path: childRel, size: 0, kind: 'other' });
      }
    }
  }

  await walk(absRoot, '', 0);
  return new BaseWorkspace(absRoot, { source: root }, entries, limits, diagnostics);
}
