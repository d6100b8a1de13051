/**
 * A local folder scanned at a ref (`lurescan ./project --ref main`) is fetched by git from that folder. git does not
 * only read the folder: `.git` may be a file saying `gitdir: /somewhere/else`, or a symbolic link; the git folder
 * may name a `commondir` (a worktree's shared repository) or `objects/info/alternates` (object stores it borrows
 * from); any file inside may be a link. Each of these makes git read — and lurescan scan and print — a repository
 * outside the folder the user named, chosen by whoever wrote the folder. Before git runs, this finds the git folder
 * the way git's upload-pack does (`<dir>/.git`, `<dir>`, `<dir>.git/.git`, `<dir>.git`, the first that exists) and
 * refuses the scan when it, its common folder, an alternate object store, or a link inside them resolves outside.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export class RepositoryOutsideTarget extends Error {}

/** The local path a git URL names when it is one (a plain path or file://), else undefined. */
export function localRepositoryPath(url: string): string | undefined {
  if (/^file:\/\//i.test(url)) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[\w.-]+@[\w.-]+:/.test(url)) return undefined;
  return path.resolve(url);
}

async function statOrUndefined(p: string) {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

async function isDir(p: string): Promise<boolean> {
  return !!(await statOrUndefined(p))?.isDirectory();
}

/** `gitdir: <path>` of a gitfile, resolved against the file's folder as git does. */
async function gitfileTarget(file: string): Promise<string | undefined> {
  const text = (await readFile(file, 'utf8').catch(() => '')).slice(0, 4096);
  const m = /^gitdir: (.+)$/m.exec(text);
  return m ? path.resolve(path.dirname(file), m[1].trim()) : undefined;
}

/** git's is_git_directory, roughly: HEAD, plus objects and refs in the folder or its commondir. */
async function looksLikeGitDir(dir: string): Promise<boolean> {
  if (!(await statOrUndefined(path.join(dir, 'HEAD')))) return false;
  const common = await commonDirOf(dir);
  return (await isDir(path.join(common, 'objects'))) && (await isDir(path.join(common, 'refs')));
}

async function commonDirOf(gitDir: string): Promise<string> {
  const text = (await readFile(path.join(gitDir, 'commondir'), 'utf8').catch(() => '')).split('\n')[0].trim();
  return text ? path.resolve(gitDir, text) : gitDir;
}

/** The git folder upload-pack would open for `dir`, and which candidate led there. */
async function findGitDir(dir: string): Promise<{ candidate: string; gitDir: string } | undefined> {
  for (const suffix of [`${path.sep}.git`, '', `.git${path.sep}.git`, '.git']) {
    const candidate = dir + suffix;
    const st = await statOrUndefined(candidate);
    if (!st) continue;
    if (st.isFile()) {
      const target = await gitfileTarget(candidate);
      return { candidate, gitDir: target ?? candidate };
    }
    if (st.isDirectory() && (await looksLikeGitDir(candidate))) return { candidate, gitDir: candidate };
  }
  return undefined;
}

/**
 * Throw {@link RepositoryOutsideTarget} when git, asked to fetch from `dir`, would read a repository (or part of
 * one) outside `dir`. `maxEntries` bounds the walk for links inside the git folder.
 */
export async function assertRepositoryInside(dir: string, maxEntries: number): Promise<void> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch {
    return; // git reports a missing folder itself
  }
  const shown = path.relative(process.cwd(), dir) || '.';
  const inside = (p: string) => p === root || p.startsWith(root + path.sep);
  const refuse = (what: string, where: string): never => {
    throw new RepositoryOutsideTarget(`${shown}: ${what} points outside the folder (to ${where}); refusing to scan a repository the folder does not contain — scan that repository itself, or a clone`);
  };
  const resolved = async (p: string): Promise<string> => realpath(p).catch(() => path.resolve(p));

  const found = await findGitDir(root);
  if (!found) return; // not a repository: git says so
  const candidateName = path.relative(root, found.candidate) || '.';
  if (!inside(await resolved(found.candidate))) refuse(candidateName, await resolved(found.candidate));
  const gitDir = await resolved(found.gitDir);
  if (!inside(gitDir)) refuse(found.gitDir === found.candidate ? candidateName : `the gitdir in ${candidateName}`, gitDir);
  const common = await resolved(await commonDirOf(gitDir));
  if (!inside(common)) refuse(`the commondir of ${path.relative(root, gitDir) || '.'}`, common);

  // Alternates: each object store may borrow from others, recursively (git stops at five levels).
  const stores = [path.join(gitDir, 'objects'), path.join(common, 'objects')];
  const seen = new Set<string>();
  for (let i = 0; i < stores.length && seen.size < 64; i++) {
    const store = await resolved(stores[i]);
    if (seen.has(store)) continue;
    seen.add(store);
    if (!inside(store)) refuse(`the object store ${path.relative(root, stores[i])}`, store);
    const list = await readFile(path.join(store, 'info', 'alternates'), 'utf8').catch(() => '');
    for (const line of list.split('\n')) {
      const entry = line.trim();
      if (!entry || entry.startsWith('#')) continue;
      const alt = await resolved(path.resolve(store, entry));
      if (!inside(alt)) refuse(`objects/info/alternates in ${path.relative(root, store)}`, alt);
      stores.push(alt);
    }
  }

  // Any link inside the git folders that leaves the tree (objects, refs, packed-refs, HEAD, one loose object …).
  const pending = [...new Set([gitDir, common])];
  let entries = 0;
  while (pending.length) {
    const d = pending.pop()!;
    let items;
    try {
      items = await readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const it of items) {
      if (++entries > maxEntries) throw new RepositoryOutsideTarget(`${shown}: the git folder has more than ${maxEntries} entries; cannot check that it stays inside the folder`);
      const p = path.join(d, it.name);
      if (it.isSymbolicLink()) {
        const target = await resolved(p);
        if (!inside(target)) refuse(path.relative(root, p), target);
      } else if (it.isDirectory()) pending.push(p);
    }
  }
}

/** For a git URL that names a local folder (a path or file://): {@link assertRepositoryInside}; other URLs pass. */
export async function assertLocalRepositoryInside(url: string, maxEntries: number): Promise<void> {
  const dir = localRepositoryPath(url);
  if (dir) await assertRepositoryInside(dir, maxEntries);
}
