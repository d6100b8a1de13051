/**
 * The shared Workspace implementation: a list of entries whose bytes come from a loader that each acquirer
 * supplies (the file system, an archive held in memory, a git object store). Reads are bounded and counted.
 */
import type { Diagnostic, FileKind, Provenance, Workspace, WorkspaceAlias, WorkspaceFile } from '../types.js';
import type { Limits } from '../options.js';
import { headOf, looksLikeText } from './bytes.js';
import { resolveLinks, rootOf } from './links.js';
import { lexicalPath, platformKey, rolePathOf, windowsPath } from './role-path.js';

export interface EntrySpec {
  path: string;
  size: number;
  kind: FileKind;
  linkTarget?: string;
  mode?: string;
  load?: () => Promise<Buffer>;
  /** Reads the first n bytes without loading the whole file, where the source allows it. */
  head?: (n: number) => Promise<Buffer>;
  /**
   * The file's first bytes when an earlier read kept them (a folder's tree digest keeps 512), without reading: at most
   * that many, or the whole file when it is shorter. Undefined when none were kept.
   */
  keptHead?: () => Buffer | undefined;
  /**
   * How many times larger the entry is than the bytes it took in the scanned tree: 1 for a file of a folder or a
   * repository, the compression ratio for an archive entry, the product of the ratios for an entry of a nested
   * archive. The nested-archive reader multiplies it on so that a bomb spread over levels is still refused.
   */
  ratio?: number;
  /** For an entry of an archive found inside the scanned tree: the path of the outermost such archive. */
  container?: string;
  /** A tar hard link: linkTarget is a path from the archive's root, not from the link's folder. */
  hardLink?: boolean;
  /** Set when the acquirer itself presents an entry under a second name (a zip's Unicode Path field). */
  alias?: WorkspaceAlias;
  /**
   * A content-addressed name of the bytes the acquirer already has (a git blob id): the scan's reuse key takes it
   * instead of hashing bytes it would have to fetch again (engine/scan-memo.ts).
   */
  contentId?: string;
}

/** Decode bytes as text: UTF-8 by default, UTF-16 when a BOM says so; a UTF-8 BOM is dropped. */
export function decodeText(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
    return swapped.swap16().toString('utf16le');
  }
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  return buf.toString('utf8');
}

/** Normalise a relative path to forward slashes without a leading './'. */
export function normalisePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}

/** Budget shared by all reads of one workspace. */
class ReadBudget {
  used = 0;
  exhausted = false;
  constructor(readonly max: number) {}
  take(n: number): boolean {
    if (this.used + n > this.max) {
      this.exhausted = true;
      return false;
    }
    this.used += n;
    return true;
  }
}

/** A tree whose files add up to more than this keeps less text in memory (keptTextChars). An object so that tests can lower it. */
export const LARGE_TEXT_TREE = { bytes: 256 * 1024 * 1024 };

/**
 * How many characters of text a scan keeps in memory (the text cache here, the source index's retained texts) for a
 * tree whose files add up to `treeBytes`: `chars` normally; for a tree over LARGE_TEXT_TREE a quarter of it, shrunk
 * further in proportion to how much larger the tree is (the kept share of the tree stays the same).
 * Both keep the first texts that come and read the others again: on a tree many times their size they save few reads
 * (the rules that read every file walk it from the start each, and only the first files are kept), and what they keep
 * is peak memory — on the 1.3 GB tree of docs/BENCHMARKS.md, 40–60 MiB of it at a full bound for about 2 % more CPU,
 * and ~15 MiB more at a quarter, where it spared reads of less than 1 % of the tree.
 */
export function keptTextChars(treeBytes: number, chars: number): number {
  if (treeBytes <= LARGE_TEXT_TREE.bytes) return chars;
  return Math.floor((chars / 4) * (LARGE_TEXT_TREE.bytes / treeBytes));
}

/**
 * Small cache so that several rules reading one file decode it once, bounded in total size. The rules that read every
 * text file share one pass (engine/run.ts); this cache serves the reads after it (clickfix-page's pages and scripts,
 * the index rules' texts, ctx.text). Filled in the order files are first read and never evicted: rules that walk the
 * files one after another in the same order made an evicting cache miss for each of them on a tree larger than it
 * (verdaccio's 38 MB node_modules was read four to five times over); kept this way, the first files up to the bound are
 * read once and the rest once per rule that reads them.
 */
class TextCache {
  private map = new Map<WorkspaceFile, string>();
  private total = 0;
  constructor(private readonly max: number) {}
  get(k: WorkspaceFile): string | undefined {
    return this.map.get(k);
  }
  /** Whether a text of this many characters would still be kept. */
  room(chars: number): boolean {
    return chars <= this.max / 4 && this.total + chars <= this.max;
  }
  set(k: WorkspaceFile, v: string): void {
    if (!this.room(v.length) || this.map.has(k)) return;
    this.map.set(k, v);
    this.total += v.length;
  }
}

class Entry implements WorkspaceFile {
  readonly path: string;
  readonly size: number;
  readonly kind: FileKind;
  readonly linkTarget?: string;
  readonly mode?: string;
  readonly container?: string;
  readonly alias?: WorkspaceAlias;
  readonly ratio: number;
  readonly hardLink: boolean;
  readonly contentId?: string;
  readonly head?: (n: number) => Promise<Buffer>;
  readonly keptHead?: () => Buffer | undefined;
  private readonly load?: () => Promise<Buffer>;
  private counted = false;
  /** looksLikeText's verdict on this file, once read (see textIfText). */
  private looksText?: boolean;

  constructor(
    spec: EntrySpec,
    private readonly ws: BaseWorkspace,
  ) {
    this.path = spec.path;
    this.size = spec.size;
    this.kind = spec.kind;
    this.linkTarget = spec.linkTarget;
    this.mode = spec.mode;
    this.load = spec.load;
    this.head = spec.head;
    this.keptHead = spec.keptHead;
    this.ratio = spec.ratio ?? 1;
    this.hardLink = spec.hardLink === true;
    if (spec.container !== undefined) this.container = spec.container;
    if (spec.alias !== undefined) this.alias = spec.alias;
    if (spec.contentId !== undefined) this.contentId = spec.contentId;
  }

  /** This entry's content presented at another path (see WorkspaceFile.alias). */
  presentedAt(path: string, alias: WorkspaceAlias): Entry {
    const spec: EntrySpec = { path, size: this.size, kind: this.kind, mode: this.mode, load: this.load, head: this.head, keptHead: this.keptHead, ratio: this.ratio, alias, contentId: this.contentId };
    if (this.container !== undefined) spec.container = this.container;
    return new Entry(spec, this.ws);
  }

  async bytes(): Promise<Buffer | undefined> {
    if (this.kind !== 'file' || !this.load) return undefined;
    if (this.size > this.ws.limits.maxFileBytes) return undefined;
    if (!this.counted) {
      if (!this.ws.budget.take(this.size)) {
        this.ws.noteOnce('total-bytes-cap', `stopped reading after ${this.ws.budget.max} bytes (maxTotalBytes); later files were not analysed`);
        return undefined;
      }
      this.counted = true;
    }
    try {
      return await this.load();
    } catch (err) {
      this.ws.diagnostics.push({
        code: 'read-error',
        message: `could not read: ${(err as Error).message}`,
        file: this.path,
        incomplete: true,
      });
      return undefined;
    }
  }

  /** See textIfText in bytes.ts: one read gives the verdict and the text, which the text cache then holds. */
  async textIfText(): Promise<string | undefined> {
    if (this.looksText === false) return undefined;
    if (this.looksText) return this.text();
    const buf = await this.bytes();
    if (!buf) return undefined;
    this.looksText = looksLikeText(buf);
    if (!this.looksText) return undefined;
    const t = decodeText(buf);
    this.ws.cache.set(this, t);
    return t;
  }

  /**
   * The first n bytes: the kept head when it holds them, else the acquirer's partial read where it has one (folders,
   * archive entries), else the whole file through the bounded, counted bytes(). Undefined when none can read it.
   */
  async headBytes(n: number): Promise<Buffer | undefined> {
    const kept = this.keptHead?.();
    if (kept && (n <= kept.length || kept.length >= this.size)) return kept.subarray(0, n);
    if (!this.head) return (await this.bytes())?.subarray(0, n);
    try {
      return await this.head(n);
    } catch {
      return undefined;
    }
  }

  /**
   * Bytes of this file another reader already has (the source index reads every source file for its prefilter), with
   * their decoded text when it made one: the text check's verdict is kept and, while the text cache has room, the
   * text, so that the rules reading every text file do not read this one again.
   */
  offer(buf: Buffer, text?: string): void {
    this.looksText ??= looksLikeText(buf);
    if (this.looksText && this.ws.cache.get(this) === undefined && this.ws.cache.room(text?.length ?? buf.length)) this.ws.cache.set(this, text ?? decodeText(buf));
  }

  async text(): Promise<string | undefined> {
    const cached = this.ws.cache.get(this);
    if (cached !== undefined) {
      // A rule that finds every text in the cache would otherwise never let a timer run: maxRuleMs and the progress
      // display depend on them (file reads yield the same way, acquire/local.ts).
      if ((++this.ws.cacheHits & 63) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      return cached;
    }
    const buf = await this.bytes();
    if (!buf) return undefined;
    // The verdict costs a 4 KiB look and spares a later textIfText() a second read of this file.
    this.looksText ??= looksLikeText(buf);
    const t = decodeText(buf);
    this.ws.cache.set(this, t);
    return t;
  }
}

/** Entries and uncompressed bytes taken from archives so far in one scan, over every nesting level. */
export interface ArchiveBudget {
  entries: number;
  bytes: number;
}

function pathOrder(a: WorkspaceFile, b: WorkspaceFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export class BaseWorkspace implements Workspace {
  readonly files: WorkspaceFile[];
  readonly budget: ReadBudget;
  /**
   * Decoded texts shared by the rules. Small on purpose: on a large tree every rule that reads every file would keep
   * hundreds of MB of text alive, and a miss costs one more read (from the page cache for a folder). See keptTextChars.
   */
  readonly cache: TextCache;
  /** Shared by the scanned archive (when the target is one) and every archive expanded inside the scan. */
  archiveBudget: ArchiveBudget = { entries: 0, bytes: 0 };
  /** Set once nested archives have been expanded, so that scanning a workspace twice does not expand them twice. */
  nestedExpanded = false;
  /** Text-cache hits so far (see Entry.text). */
  cacheHits = 0;
  private readonly byPath = new Map<string, WorkspaceFile>();
  /** Lookups by name as macOS and Windows resolve it (case, trailing dots and spaces), when no exact name matches. */
  private readonly byPlatformKey = new Map<string, WorkspaceFile>();
  private readonly noted = new Set<string>();
  private rolesPresented = false;

  constructor(
    readonly root: string,
    readonly provenance: Provenance,
    entries: EntrySpec[],
    readonly limits: Limits,
    readonly diagnostics: Diagnostic[],
    private readonly onDispose: () => Promise<void> = async () => {},
  ) {
    this.budget = new ReadBudget(limits.maxTotalBytes);
    this.cache = new TextCache(keptTextChars(entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0), 32 * 1024 * 1024));
    this.files = entries.map((e) => new Entry(e, this));
    this.files.sort(pathOrder);
    for (const f of this.files) this.index(f);
  }

  private index(f: WorkspaceFile): void {
    if (!this.byPath.has(f.path)) this.byPath.set(f.path, f);
    const key = platformKey(f.path);
    // A real file wins over one presented there; among real files the first (sorted) one.
    const had = this.byPlatformKey.get(key);
    if (!had || (had.alias && !f.alias)) this.byPlatformKey.set(key, f);
  }

  /** Add entries read from an archive inside the tree; they are scanned like the tree's own files. */
  addEntries(specs: EntrySpec[]): WorkspaceFile[] {
    const added = specs.map((e) => new Entry(e, this));
    this.files.push(...added);
    this.files.sort(pathOrder);
    for (const f of added) this.index(f);
    return added;
  }

  /**
   * Present every file in each role a link or a platform gives it, before anything reads the tree by path: a link
   * inside the tree shows its target at the link's path (folders, chains; links out of the tree or to nothing make
   * the scan incomplete; see links.ts), and a name an extractor or a case-insensitive platform reads as a known path
   * (`.VSCode/Tasks.json`, `.vscode./tasks.json`, `p/./package.json`) is shown there too (see role-path.ts). The
   * stored entry stays where it is, so two entries that land on one path are both scanned. Runs once, after nested
   * archives are expanded; the added entries count against maxFiles.
   */
  presentRoles(isRole: (p: string) => boolean): void {
    if (this.rolesPresented) return;
    this.rolesPresented = true;
    const room = Math.max(0, this.limits.maxFiles - this.files.length);
    const links = this.files.some((f) => f.kind === 'symlink') ? resolveLinks(this.files, (f) => f instanceof Entry && f.hardLink, room) : { presented: [], diagnostics: [] };
    this.diagnostics.push(...links.diagnostics);
    const added: Entry[] = [];
    for (const p of links.presented) {
      if (!(p.file instanceof Entry) || p.file.path === p.path) continue;
      added.push(p.file.presentedAt(p.path, { of: p.file.path, how: 'link', note: `${p.note}: this is ${p.file.path}`, link: p.link }));
    }
    let left = room - added.length;
    for (const f of [...this.files, ...added]) {
      if (f.kind !== 'file' || !(f instanceof Entry)) continue;
      // Inside a nested archive only the entry's own name is read by an extractor; the archive's path stays as it is.
      const root = rootOf(f);
      const inner = rolePathOf(f.path.slice(root.length), isRole);
      const at = inner === undefined ? undefined : root + inner;
      if (at === undefined || at === f.path) continue;
      if (left-- <= 0) {
        this.noteOnce('link-expansion-limit', `names that extractors or platforms read differently would add more than ${room} files (the room left under maxFiles); the rest were not scanned at those paths`);
        break;
      }
      const of = f.alias?.of ?? f.path;
      const how = f.alias ? `${f.alias.note}; ` : '';
      added.push(
        f.presentedAt(at, {
          of,
          how: f.alias?.how ?? 'name',
          note: `${how}stored as ${JSON.stringify(f.path)}, which ${nameReason(f.path, at)} ${at}`,
          ...(f.alias?.link !== undefined ? { link: f.alias.link } : {}),
        }),
      );
    }
    if (added.length) this.addPresented(added);
  }

  private addPresented(added: Entry[]): void {
    this.files.push(...added);
    this.files.sort(pathOrder);
    for (const f of added) this.index(f);
  }


  /** See {@link EntrySpec.ratio}; 1 for a file that is not from an archive. */
  ratioOf(f: WorkspaceFile): number {
    return f instanceof Entry ? f.ratio : 1;
  }

  /**
   * The first n bytes of a file: through the acquirer's partial read where it has one (folders, archive entries),
   * else the whole file through the bounded, counted bytes(). Undefined when neither can read it.
   */
  headOf(f: WorkspaceFile, n: number): Promise<Buffer | undefined> {
    return headOf(f, n);
  }

  /**
   * Report files over the size limit. A large file whose first bytes prove it is the media or archive
   * format its name claims is noted without making the scan incomplete; anything else was hidden from
   * the scan, so the result must say it is incomplete.
   */
  async reportOversized(isGenuineBinary: (path: string, head: Buffer) => boolean): Promise<void> {
    for (const f of this.files) {
      if (f.kind !== 'file' || f.size <= this.limits.maxFileBytes) continue;
      let genuine = false;
      const head = f instanceof Entry ? f.head : undefined;
      if (head) {
        try {
          genuine = isGenuineBinary(f.path, await head(64));
        } catch {
          genuine = false;
        }
      }
      this.diagnostics.push({
        code: 'file-too-large',
        message: `${f.size} bytes is over the ${this.limits.maxFileBytes}-byte file limit; not read` +
          (genuine ? ' (its header matches its type)' : ''),
        file: f.path,
        incomplete: !genuine,
      });
    }
  }

  /** The file at a path; failing an exact match, the one macOS or Windows would open for it (case, trailing dots). */
  get(path: string): WorkspaceFile | undefined {
    const p = normalisePath(path);
    return this.byPath.get(p) ?? this.byPlatformKey.get(platformKey(p));
  }

  noteOnce(code: string, message: string): void {
    if (this.noted.has(code)) return;
    this.noted.add(code);
    this.diagnostics.push({ code, message, incomplete: true });
  }

  async dispose(): Promise<void> {
    await this.onDispose();
  }
}

/** Why a stored name lands at another path, for the evidence. */
function nameReason(stored: string, at: string): string {
  if (lexicalPath(stored) === at) return 'every extractor writes as';
  if (windowsPath(lexicalPath(stored)) === at) return 'Windows writes (trailing dots and spaces dropped) as';
  return 'macOS and Windows (case-insensitive by default) open as';
}
