/**
 * Links inside the scanned tree, resolved without touching the disk: a symlink (folder, git tree, zip or tar) or an
 * archive hard link whose target is in the tree presents that target at the link's path too, because rules decide by
 * path and `.vscode -> config/editor` makes `config/editor/tasks.json` the tasks VS Code runs. A directory link
 * presents every file under its target (bounded by the room left under maxFiles); chains are followed up to
 * MAX_HOPS links; a link to a folder that contains it is a loop, not expanded (its files are presented at their own
 * paths already). A link that leaves the tree, is absolute or points at nothing makes the scan incomplete: what it
 * would show is not in the scan. Nothing here reads a file; the content comes from the target entry's own loader.
 */
import path from 'node:path';
import type { Diagnostic, WorkspaceFile } from '../types.js';

/** Links followed in one chain before it is called a loop (Linux allows 40). */
const MAX_HOPS = 40;

/** What resolving a path leads to. */
type Node = { kind: 'file'; file: WorkspaceFile } | { kind: 'dir'; path: string } | { kind: 'outside' | 'missing' | 'loop'; why: string };

/** A link as the resolver needs it: the entry, and whether its target is relative to the archive root (a tar hard link). */
export interface LinkEntry {
  file: WorkspaceFile;
  hard: boolean;
}

/** A file shown at another path, and why. */
export interface Presented {
  path: string;
  file: WorkspaceFile;
  note: string;
  /** The link (the first of a chain) that puts the file at this path. */
  link: string;
}

/** The root a link may not leave: the innermost archive that holds it (`a.zip!/`), or the scanned tree (''). */
export function rootOf(f: WorkspaceFile): string {
  if (f.container === undefined) return '';
  const at = f.path.lastIndexOf('!/');
  return at >= 0 ? f.path.slice(0, at + 2) : '';
}

export class LinkResolver {
  private readonly files = new Map<string, WorkspaceFile>();
  private readonly links = new Map<string, LinkEntry>();
  /** Every path, sorted, to find what is under a folder (binary search on the prefix). */
  private readonly sorted: string[];
  private readonly dirs = new Set<string>();

  constructor(entries: readonly WorkspaceFile[], hardLink: (f: WorkspaceFile) => boolean) {
    for (const f of entries) {
      if (f.kind === 'file' && !this.files.has(f.path)) this.files.set(f.path, f);
      else if (f.kind === 'symlink' && !this.links.has(f.path)) this.links.set(f.path, { file: f, hard: hardLink(f) });
      for (let i = f.path.indexOf('/'); i >= 0; i = f.path.indexOf('/', i + 1)) this.dirs.add(f.path.slice(0, i));
    }
    this.sorted = [...this.files.keys(), ...this.links.keys()].sort();
  }

  /** Where the link's own text points, as a path from the tree root; undefined when it leaves its root. */
  private targetOf(link: LinkEntry): { path?: string; why?: string } {
    const text = link.file.linkTarget ?? '';
    if (text === '') return { why: 'its target could not be read' };
    if (text.includes('\0')) return { why: 'its target holds a NUL byte' };
    const t = text.replace(/\\/g, '/');
    if (t.startsWith('/') || /^[a-z]:/i.test(t)) return { why: `${text} is absolute, outside the scanned tree` };
    const root = rootOf(link.file);
    const from = link.hard ? '' : path.posix.dirname(link.file.path.slice(root.length));
    const joined = path.posix.normalize(path.posix.join(from === '.' ? '' : from, t));
    if (joined === '..' || joined.startsWith('../')) return { why: `${text} is outside the scanned tree` };
    return { path: root + (joined === '.' ? '' : joined.replace(/\/$/, '')) };
  }

  /** Resolve a path segment by segment, following links in any segment. */
  resolve(p: string, hops = 0): Node {
    const segs = p === '' ? [] : p.split('/');
    let cur = '';
    for (let i = 0; i < segs.length; i++) {
      const next = cur === '' ? segs[i] : `${cur}/${segs[i]}`;
      const link = this.links.get(next);
      if (link) {
        if (hops >= MAX_HOPS) return { kind: 'loop', why: `more than ${MAX_HOPS} links in a chain (a loop)` };
        const t = this.targetOf(link);
        if (t.path === undefined) return { kind: 'outside', why: t.why! };
        const rest = segs.slice(i + 1).join('/');
        return this.resolve(rest ? (t.path ? `${t.path}/${rest}` : rest) : t.path, hops + 1);
      }
      if (i === segs.length - 1) {
        const file = this.files.get(next);
        if (file) return { kind: 'file', file };
      }
      if (i < segs.length - 1 || !this.files.has(next)) {
        if (!this.dirs.has(next)) return { kind: 'missing', why: `${next} is not in the scanned tree` };
      }
      cur = next;
    }
    return { kind: 'dir', path: cur };
  }

  /** Files and links directly or deeply under a folder ('' is the root). */
  under(dir: string): string[] {
    const prefix = dir === '' ? '' : `${dir}/`;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < this.sorted.length && this.sorted[i].startsWith(prefix); i++) out.push(this.sorted[i]);
    return out;
  }

  linkAt(p: string): LinkEntry | undefined {
    return this.links.get(p);
  }

  allLinks(): LinkEntry[] {
    return [...this.links.values()];
  }
}

/**
 * Resolve every link: what to present where, and a diagnostic per link. `room` bounds how many files all links
 * together may add (what is left under maxFiles).
 */
export function resolveLinks(entries: readonly WorkspaceFile[], hardLink: (f: WorkspaceFile) => boolean, room: number): { presented: Presented[]; diagnostics: Diagnostic[] } {
  const r = new LinkResolver(entries, hardLink);
  const presented: Presented[] = [];
  const diagnostics: Diagnostic[] = [];
  let capped = false;
  const describe = (l: LinkEntry) => `${l.hard ? 'hard link' : 'symlink'} to ${l.file.linkTarget || '(unreadable target)'}`;

  const present = (at: string, file: WorkspaceFile, note: string, link: string): boolean => {
    if (presented.length >= room) {
      capped = true;
      return false;
    }
    presented.push({ path: at, file, note, link });
    return true;
  };

  /** Present the files under real folder `dir` at `at`; `stack` holds the real folders being expanded (a loop guard). */
  const expand = (dir: string, at: string, note: string, link: string, stack: string[]): void => {
    for (const p of r.under(dir)) {
      if (capped) return;
      const shown = `${at}/${p.slice(dir === '' ? 0 : dir.length + 1)}`;
      if (!r.linkAt(p)) {
        const node = r.resolve(p);
        if (node.kind === 'file') present(shown, node.file, note, link);
        continue;
      }
      // A link inside the linked folder: where it leads is its own business (reported once, at its own path); here
      // only what it adds under the presented path.
      const node = r.resolve(p);
      if (node.kind === 'file') present(shown, node.file, note, link);
      else if (node.kind === 'dir' && !stack.some((s) => within(s, node.path))) expand(node.path, shown, note, link, [...stack, node.path]);
    }
  };

  for (const link of r.allLinks()) {
    if (capped) break;
    const f = link.file;
    const node = r.resolve(f.path);
    const what = describe(link);
    if (node.kind === 'file') {
      present(f.path, node.file, `${f.path} is a ${what}`, f.path);
      diagnostics.push({ code: 'symlink-resolved', message: `${what}; its target ${node.file.path} is scanned at both paths`, file: f.path, incomplete: false });
    } else if (node.kind === 'dir') {
      const realParent = realDirOf(r, f.path);
      if (realParent === undefined || within(realParent, node.path)) {
        diagnostics.push({ code: 'symlink-not-followed', message: `${what}, a folder that contains the link (a loop); its files are scanned at their own paths`, file: f.path, incomplete: false });
        continue;
      }
      expand(node.path, f.path, `${f.path} is a ${what}`, f.path, [node.path, realParent]);
      diagnostics.push({ code: 'symlink-resolved', message: `${what}; the folder's files are scanned under ${f.path}/ too`, file: f.path, incomplete: false });
    } else if (node.kind === 'loop') {
      diagnostics.push({ code: 'symlink-not-followed', message: `${what}: ${node.why}; nothing can be read through it`, file: f.path, incomplete: false });
    } else {
      diagnostics.push({
        code: 'symlink-not-followed',
        message: `${what}: ${node.why}; not followed, so what it shows was not scanned`,
        file: f.path,
        incomplete: true,
      });
    }
  }
  if (capped) {
    diagnostics.push({ code: 'link-expansion-limit', message: `links in the tree would add more than ${room} files (the room left under maxFiles); the rest were not scanned at their linked paths`, incomplete: true });
  }
  return { presented, diagnostics };
}

/** Whether `p` is `dir` or under it ('' contains everything). */
function within(p: string, dir: string): boolean {
  return dir === '' || p === dir || p.startsWith(`${dir}/`);
}

/** The real folder a link's own path sits in, after resolving links among its parents. */
function realDirOf(r: LinkResolver, linkPath: string): string | undefined {
  const parent = path.posix.dirname(linkPath);
  if (parent === '.') return '';
  const node = r.resolve(parent);
  return node.kind === 'dir' ? node.path : undefined;
}
