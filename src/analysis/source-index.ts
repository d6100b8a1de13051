/**
 * The source-analysis pass every T04–T09/T13/T14 rule shares, run once per workspace: a linear prefilter over each
 * source file's text picks the files worth parsing; those are parsed (bounded in size and time) and analysed into
 * facts. A file that cannot be parsed keeps a text-level fallback and a Diagnostic, never silence.
 */
import type { Diagnostic, Workspace, WorkspaceFile } from '../types.js';
import type { Limits } from '../options.js';
import type { Signatures, SourcePatterns } from '../signatures/types.js';
import { parseJs, pluginsFor } from './js/parse.js';
import { parseRegions, REGIONS } from './js/regions.js';
import { JsAnalyzer, decodeLiterals, DEC, ENV, type JsFacts, type DecodedString } from './js/facts.js';
import { PyAnalyzer, type PyFacts } from './python/facts.js';
import { bundleInfo, inNodeModules, type BundleInfo } from './bundle.js';
import { BudgetExceeded, clipboardFacts, mayWriteClipboard, type ScriptFacts } from './web/clipboard.js';
import { envEntries, type EnvEntry } from './env-config.js';
import { checkFileType, claimedFormat, isGenuineBinary } from './filetype.js';
import { bytesOf, headOf, offerText, SNIFF_BYTES } from '../acquire/bytes.js';
import { localSyncReaders } from '../acquire/local.js';
import { decodeText, keptTextChars } from '../acquire/workspace.js';
import { AnalysisPool, poolSize } from './source-pool.js';
import { contentHash, type ResultCache } from './result-cache.js';

export type SourceLang = 'js' | 'py';

export interface SourceFile {
  path: string;
  lang: SourceLang;
  text: string;
  bundle: BundleInfo;
  /** Set when the prefilter let the file through and it parsed. */
  js?: JsFacts;
  py?: PyFacts;
  /** Decodings of standalone literals (base64/hex blobs), whatever the parse outcome. */
  literalDecodes: DecodedString[];
  /** Set when parsing failed or hit a limit: rules fall back to text-level checks. */
  fallback?: string;
  /**
   * What the script copies to the clipboard and shows, analysed on its own (clickfix-page's view of a script no page
   * loads), from the same parse; `limit` when that analysis ran out of time. Only for JS files outside installed
   * packages that could write to the clipboard at all.
   */
  clipboard?: ScriptFacts | { limit: string };
  /** A large bundle analysed by region (js/regions.ts): how many regions, and how many characters they hold. */
  regions?: { count: number; chars: number };
}

export interface SourceIndex {
  /** Every JS/TS/Python file that passed the prefilter, parsed or not. */
  files: SourceFile[];
  /** Decoded values of .env files and config/*.{js,json} values. */
  env: EnvEntry[];
  /** Files the prefilter looked at, and how many it let through. */
  /** `workers`: analysis threads used (0: all in this thread); `cached`: files whose analysis came from the result cache. */
  stats: { considered: number; passed: number; parsed: number; ms: number; workers: number; cached: number; same: number };
  diagnostics: Diagnostic[];
}

const JS_EXT = /\.[cm]?[jt]sx?$/i;
const PY_EXT = /\.pyw?$/i;

export function sourceLang(path: string): SourceLang | undefined {
  if (/\.d\.[cm]?ts$/i.test(path)) return undefined;
  if (JS_EXT.test(path)) return 'js';
  if (PY_EXT.test(path)) return 'py';
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface Prefilter {
  /** One alternation of the tokens per language, global (searched from `lastIndex`). */
  js: RegExp;
  py: RegExp;
  /** Longer than any token plus the character before it. */
  overlap: number;
}

const prefilters = new WeakMap<SourcePatterns, Prefilter>();

/**
 * One alternation of plain tokens per language; V8 compiles it to a linear scan. A file that has none of them has
 * nothing the rules look for. Python's whole-word tokens (pythonWords) must not run on into a longer identifier.
 */
export function prefilterFor(p: SourcePatterns): Prefilter {
  let pf = prefilters.get(p);
  if (!pf) {
    const extra = [...p.walletExtensions.map((w) => w.id), ...p.polinriderMarkers];
    const js = [...p.prefilter.js, ...extra];
    const py = [...p.prefilter.python, ...extra];
    const overlap = Math.max(...js.map((t) => t.length), ...py.map((t) => t.length)) + 1;
    // A whole-word token is followed by anything but a word character: `exec(`, `requests.get`, not `execution`.
    const words = new Set(p.prefilter.pythonWords ?? []);
    const compile = (tokens: string[], whole: ReadonlySet<string> = new Set()) => new RegExp(tokens.map((t) => escapeRe(t) + (whole.has(t) ? '(?!\\w)' : '')).join('|'), 'g');
    pf = { js: compile(js), py: compile(py, words), overlap };
    prefilters.set(p, pf);
  }
  return pf;
}

const isIdentChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;

/**
 * Does the text hold a token? A token that starts like an identifier (`eval(`, `Function(`, `fetch(`, `_0x`) only
 * counts where it starts one: `isFunction(`, `retrieval(` and `prefetch(` are other names, and the analysis matches
 * names exactly, so a file that has only those has nothing for it. A token that starts with punctuation
 * (`.constructor(`, `\x`, `...process.env`) counts anywhere. A rejected match is searched again one character
 * further on: any other token matching at the same place starts with the same identifier character.
 */
function hasToken(re: RegExp, s: string): boolean {
  return eachToken(re, s, () => false);
}

/**
 * Calls `visit` with the offset and text of each token hasToken would count, in order, until it returns false;
 * whether it was stopped.
 */
function eachToken(re: RegExp, s: string, visit: (at: number, token: string) => boolean): boolean {
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (!isIdentChar(m[0].charCodeAt(0)) || m.index === 0 || !isIdentChar(s.charCodeAt(m.index - 1))) {
      if (!visit(m.index, m[0])) return true;
    } else re.lastIndex = m.index + 1;
  }
  return false;
}

const indexes = new WeakMap<Workspace, Promise<SourceIndex>>();
const caches = new WeakMap<Workspace, ResultCache>();

/** Analyses of this workspace's files are read from and written to `cache` (scanWorkspace sets it from ScanOptions). */
export function useResultCache(ws: Workspace, cache: ResultCache): void {
  caches.set(ws, cache);
}

/** The result cache a workspace's scan uses, if any (rules that analyse files of their own share it). */
export function resultCacheOf(ws: Workspace): ResultCache | undefined {
  return caches.get(ws);
}

const patternHashes = new WeakMap<SourcePatterns, string>();
function patternHash(p: SourcePatterns): string {
  let h = patternHashes.get(p);
  if (!h) patternHashes.set(p, (h = contentHash(JSON.stringify(p))));
  return h;
}

/** What a cached analysis is stored as: the file without its path and text, and its diagnostics without the path. */
interface CachedAnalysis {
  file?: Omit<SourceFile, 'path' | 'text'>;
  diagnostics: Omit<Diagnostic, 'file'>[];
}

/**
 * The key of one file's analysis: its bytes, and what analyseFile reads besides them — language, how it is treated
 * (a disguised font), extension (the parser's TypeScript/JSX choice), the bundle decision and whether it is an
 * installed package's (both depend on the path), the parse limit and the source patterns.
 */
function analysisKey(bytes: Buffer, path: string, lang: SourceLang, as: SourceLang | undefined, bundle: BundleInfo, sigs: Signatures, limits: Limits): string[] {
  const ext = /\.[^./]*$/.exec(path)?.[0].toLowerCase() ?? '';
  return [contentHash(bytes), lang, as ?? '', ext, JSON.stringify(bundle), inNodeModules(path) ? 'nm' : '', String(limits.maxParseChars), patternHash(sigs.source)];
}

/** Results that depend on the clock (a time limit hit on a busy machine) are not kept: the next scan may finish. */
function cacheable(file: SourceFile | undefined): boolean {
  if (file?.clipboard && 'limit' in file.clipboard) return false;
  return !file?.fallback || file.fallback.startsWith('syntax error') || file.fallback.includes('parse limit');
}

function toCached(file: SourceFile | undefined, diagnostics: Diagnostic[]): CachedAnalysis {
  if (!file) return { diagnostics: diagnostics.map(({ file: _f, ...d }) => d) };
  const { path: _p, text: _t, ...rest } = file;
  return { file: rest, diagnostics: diagnostics.map(({ file: _f, ...d }) => d) };
}

function fromCached(c: CachedAnalysis, path: string, text: string): { file?: SourceFile; diagnostics: Diagnostic[] } {
  const file = c.file ? ({ ...c.file, path, text } as SourceFile) : undefined;
  if (file?.clipboard && !('limit' in file.clipboard)) for (const w of file.clipboard.writes) w.file = path;
  return { file, diagnostics: c.diagnostics.map((d) => ({ ...d, file: path })) };
}

/** The shared index of a workspace; computed by the first rule that asks, then reused. */
export function sourceIndex(ws: Workspace, sigs: Signatures, limits: Limits): Promise<SourceIndex> {
  let p = indexes.get(ws);
  if (!p) {
    p = buildIndex(ws, sigs, limits);
    indexes.set(ws, p);
  }
  return p;
}

/** Larger files are searched in windows of this size, so the search never makes one large string per file. */
const PREFILTER_WINDOW = 128 * 1024;

/**
 * The prefilter on raw bytes: tokens are ASCII, so a latin1 view finds them without decoding UTF-8. A large file is
 * viewed a window at a time (windows overlap by more than the longest token): a whole-file string of a file that
 * fails would be garbage in V8's large-object space, freed only by a full collection, and the scan's peak memory
 * on a big tree is made of such garbage.
 */
export function passesPrefilter(lang: SourceLang, bytes: Buffer | string, sigs: Signatures): boolean {
  const pf = prefilterFor(sigs.source);
  const re = lang === 'js' ? pf.js : pf.py;
  if (typeof bytes === 'string' || bytes.length <= PREFILTER_WINDOW) return hasToken(re, typeof bytes === 'string' ? bytes : bytes.toString('latin1'));
  for (let off = 0; off < bytes.length; off += PREFILTER_WINDOW) {
    if (hasToken(re, bytes.toString('latin1', Math.max(0, off - pf.overlap), Math.min(bytes.length, off + PREFILTER_WINDOW)))) return true;
  }
  return false;
}

function bundleOf(path: string, text: string, sigs: Signatures, as?: SourceLang): BundleInfo {
  // JavaScript inside a font or image is never a legitimate bundle, however minified it looks.
  return as && !sourceLang(path) ? { bundle: false } : bundleInfo(path, text, sigs.source);
}

function newSourceFile(path: string, text: string, sigs: Signatures, lang: SourceLang, as?: SourceLang): SourceFile {
  return { path, lang, text, bundle: bundleOf(path, text, sigs, as), literalDecodes: [] };
}

function markFallback(file: SourceFile, why: string, diagnostics: Diagnostic[]): SourceFile {
  file.fallback = why;
  diagnostics.push({ code: 'parse-fallback', message: `not parsed (${why}); text-level checks only`, file: file.path, incomplete: false });
  return file;
}

/** clickfix-page's analysis of one script on its own, on the tree the index already parsed. */
function scriptClipboard(program: Parameters<typeof clipboardFacts>[0][number]['program'], path: string, limits: Limits): SourceFile['clipboard'] {
  try {
    return clipboardFacts([{ program, file: path, lineOffset: 0 }], undefined, limits.maxAnalysisMsPerFile);
  } catch (err) {
    // Anything else: no shared answer, and clickfix-page analyses the script itself as it always did.
    return err instanceof BudgetExceeded ? { limit: err.message } : undefined;
  }
}

/**
 * Places a region must cover beyond the prefilter's tokens, from the same signatures the analysis reads: the names of
 * code sinks as whole words (`eval`, `Function`, the child_process and vm functions: `Function.apply(…)`, `cp.exec`)
 * and where the modules behind them are bound — `require(` of anything but a relative path, and ES imports of `vm`,
 * `child_process`, `module` and the network modules — so that a binding and its use in another region meet.
 */
const anchors = new WeakMap<SourcePatterns, { sinks: RegExp; modules: RegExp }>();

function regionAnchors(p: SourcePatterns): { sinks: RegExp; modules: RegExp } {
  let a = anchors.get(p);
  if (!a) {
    const names = [...new Set(['Function', 'eval', ...p.childProcessFns, ...p.vmFns])].map(escapeRe);
    const modules = [...new Set(['vm', 'child_process', 'module', ...p.networkModules.map((m) => m.replace(/^node:/, ''))])].map(escapeRe);
    a = {
      sinks: new RegExp(`\\b(?:${names.join('|')})\\b`, 'g'),
      modules: new RegExp(`require\\s*\\(\\s*(?!['"\`]\\.)|\\bfrom\\s*['"](?:node:)?(?:${modules.join('|')})['"]`, 'g'),
    };
    anchors.set(p, a);
  }
  return a;
}
/** Where clickfix-page's analysis of a script looks (mayWriteClipboard's words). */
const CLIPBOARD_WORDS = /lipboard|execCommand/g;

/**
 * The places of a file the prefilter's tokens point at (as hasToken counts them), plus the clipboard words when
 * the clipboard analysis will run. A lone `\x` (a regular expression's `[\x00-\x1f]`) is not a place: an escaped
 * word (two escapes in a row) is.
 */
export function prefilterHits(text: string, sigs: Signatures, clipboard: boolean): number[] {
  const hits: number[] = [];
  eachToken(prefilterFor(sigs.source).js, text, (at, token) => {
    if (token !== '\\x' || /^\\x[\da-fA-F]{2}\\x[\da-fA-F]{2}/.test(text.slice(at, at + 8))) hits.push(at);
    return true;
  });
  // Sinks the prefilter's tokens do not spell and the modules behind them (regionAnchors), which the whole-file
  // analysis would find once any token let the file in.
  const { sinks, modules } = regionAnchors(sigs.source);
  for (const m of text.matchAll(sinks)) hits.push(m.index);
  for (const m of text.matchAll(modules)) if (!isIdentChar(text.charCodeAt(m.index - 1))) hits.push(m.index);
  if (clipboard) for (const m of text.matchAll(CLIPBOARD_WORDS)) hits.push(m.index);
  return hits;
}

/** Names such as `_0x3f2a1b`, which string-array obfuscators give everything, counted up to 20. */
function obfuscatorNames(text: string): number {
  let n = 0;
  for (let i = text.indexOf('_0x'); i >= 0 && n < 20; i = text.indexOf('_0x', i + 3)) if (/^_0x[\da-f]{4}/i.test(text.slice(i, i + 7))) n++;
  return n;
}

/**
 * Region analysis (js/regions.ts) for a large bundle: plain JavaScript of REGIONS.minChars or more that a bundler or
 * minifier made. Never for a disguised file (a font that is JavaScript is a payload, not a bundle) nor for
 * string-array obfuscation, whose decoder needs the whole program.
 */
function byRegion(path: string, text: string, bundle: BundleInfo, sigs: Signatures, clipboard: boolean, as?: SourceLang): ReturnType<typeof parseRegions> {
  if (as || !bundle.bundle || text.length < REGIONS.minChars || !/\.[cm]?js$/i.test(path)) return undefined;
  if (text.includes('while(!![])') || obfuscatorNames(text) >= 20) return undefined;
  return parseRegions(text, prefilterHits(text, sigs, clipboard), pluginsFor(path));
}

export function analyseFile(path: string, text: string, sigs: Signatures, limits: Limits, diagnostics: Diagnostic[], prefiltered = false, as?: SourceLang): SourceFile | undefined {
  const lang = as ?? sourceLang(path);
  if (!lang) return undefined;
  if (!prefiltered && !passesPrefilter(lang, text, sigs)) return undefined;
  const file = newSourceFile(path, text, sigs, lang, as);
  const fail = (why: string): SourceFile => markFallback(file, why, diagnostics);
  if (text.length > limits.maxParseChars) return fail(`${text.length} characters is over the ${limits.maxParseChars}-character parse limit`);
  try {
    if (lang === 'js') {
      const clipboard = !as && !inNodeModules(path) && mayWriteClipboard(text);
      const regions = byRegion(path, text, file.bundle, sigs, clipboard, as);
      if (regions) {
        file.regions = { count: regions.count, chars: regions.chars };
        file.js = new JsAnalyzer(regions.program, text, sigs.source, limits.maxAnalysisMsPerFile).run(1);
        if (clipboard) file.clipboard = scriptClipboard(regions.program, path, limits);
        return file;
      }
      const parsed = parseJs(text, path, limits.maxParseChars);
      if (!parsed.ok) return fail(`syntax error: ${parsed.error.slice(0, 200)}`);
      // Bundles get one pass: their own runtime is not what a loader hides in, and they are large.
      file.js = new JsAnalyzer(parsed.program, text, sigs.source, limits.maxAnalysisMsPerFile).run(file.bundle.bundle ? 1 : 3);
      if (!file.bundle.bundle) file.literalDecodes = decodeLiterals(file.js.literals);
      if (clipboard) file.clipboard = scriptClipboard(parsed.program, path, limits);
    } else {
      file.py = new PyAnalyzer(text, sigs.source.pythonHiddenPaths, limits.maxAnalysisMsPerFile).run();
      file.literalDecodes = decodeLiterals(file.py.literals);
    }
  } catch (err) {
    return fail((err as Error).message.slice(0, 200));
  }
  return file;
}

/**
 * Source text the index keeps in memory for the rules' text-level checks and snippets. Past it, a file of a local
 * folder keeps no text and is read again when a rule asks, so that a 1 GB tree does not hold every parsed file's
 * text for the whole scan (docs/BENCHMARKS.md, peak RSS); a quarter of it on a very large tree (keptTextChars). Other workspaces keep their text: an archive is in
 * memory already and a git workspace is capped by maxGitBytes.
 */
export const RETAINED_TEXT = { chars: 24 * 1024 * 1024 };

/** `reread` holds the last few re-read texts of one index: rules look at one file several times in a row. */
function releaseText(file: SourceFile, read: (path: string) => Buffer | undefined, reread: Map<SourceFile, string>): void {
  Object.defineProperty(file, 'text', {
    enumerable: true,
    configurable: true,
    get(): string {
      let t = reread.get(file);
      if (t === undefined) {
        const bytes = read(file.path);
        t = bytes ? decodeText(bytes) : '';
        reread.set(file, t);
        if (reread.size > 4) reread.delete(reread.keys().next().value as SourceFile);
      }
      return t;
    },
  });
}

/**
 * Text that must pass the prefilter before the index starts worker threads (source-pool.ts): below it, starting
 * workers and loading the parser in them costs more than it saves. A take-home repository stays under it.
 */
const POOL_MIN_CHARS = 4 * 1024 * 1024;
/** … and this many files: three huge files (node_modules/typescript) are not worth starting workers for. */
const POOL_MIN_FILES = 8;

/**
 * A tree whose source candidates add up to this much starts its workers with the first file to analyse, so that
 * loading the parser in them overlaps the reading and prefiltering instead of following 4 MiB of it.
 */
const POOL_AT_ONCE_BYTES = 16 * 1024 * 1024;

/**
 * With a single worker (two cores) the pool runs no two analyses at once: the main thread waits for it, and starting it
 * (a second heap, the parser loaded and compiled again, every file and its facts copied across) is pure cost. Measured
 * on two cores (docs/BENCHMARKS.md): verdaccio's `node_modules` the same CPU and 35–45 MiB less peak RSS in-thread,
 * `pragtek/coinvault` 2.15 s of CPU instead of 2.81 s, `ethers.js` 2.17 s instead of 2.38 s. A single worker is then
 * started only for trees whose source candidates add up to this much, where its heap cap keeps a run of huge files
 * out of the main heap. An object so that tests can lower it.
 */
export const ONE_WORKER = { minCandidateBytes: 64 * 1024 * 1024 };

/**
 * Files at least this large are keyed by content even without a result cache, so that a second copy in the same
 * scan reuses the first one's analysis; below it, hashing costs about what analysing again would.
 */
const SAME_BYTES_MIN = 16 * 1024;

/** Reads in flight at once: file reads are latency-bound (open, stat, read, close), so overlap them. */
const READ_CONCURRENCY = 32;

async function buildIndex(ws: Workspace, sigs: Signatures, limits: Limits): Promise<SourceIndex> {
  const started = Date.now();
  const index: SourceIndex = { files: [], env: [], stats: { considered: 0, passed: 0, parsed: 0, ms: 0, workers: 0, cached: 0, same: 0 }, diagnostics: [] };
  const cache = caches.get(ws);
  const envFiles: WorkspaceFile[] = [];
  const candidates: { f: WorkspaceFile; lang: SourceLang; disguised: boolean }[] = [];
  for (const f of ws.files) {
    if (f.kind !== 'file' || f.size === 0) continue;
    if (/(?:^|\/)\.env(?:\.[\w.-]+)?$|\.env$|(?:^|\/)config\/[^/]+\.(?:json|[cm]?js|ts)$/i.test(f.path)) envFiles.push(f);
    // A font or image whose bytes are JavaScript is analysed as the JavaScript it is (THREATS T10 droppers).
    const disguised = !sourceLang(f.path) && !!claimedFormat(f.path, sigs) && f.size < limits.maxParseChars;
    const lang = sourceLang(f.path) ?? (disguised ? 'js' : undefined);
    if (lang) candidates.push({ f, lang, disguised });
  }
  index.stats.considered = candidates.length;
  const candidateBytes = candidates.reduce((n, c) => n + c.f.size, 0);
  const skipped: { f: WorkspaceFile; lang: SourceLang }[] = [];
  const syncRead = localSyncReaders.get(ws);
  const reread = new Map<SourceFile, string>();
  let retained = 0;
  const retainChars = keptTextChars(ws.files.reduce((n, f) => n + (f.kind === 'file' ? f.size : 0), 0), RETAINED_TEXT.chars);
  const detach = retainChars < RETAINED_TEXT.chars;
  const keep = (sf: SourceFile): void => {
    index.stats.passed++;
    if (!sf.fallback) index.stats.parsed++;
    retained += sf.text.length;
    // Only files the folder itself holds can be read again; an entry of a nested archive keeps its text.
    if (syncRead?.has(sf.path) && retained > retainChars) releaseText(sf, syncRead.read, reread);
  };
  // Files come back from the workers in any order; they are put back in path order before anyone sees them.
  const done: { seq: number; sf?: SourceFile; diagnostics: Diagnostic[] }[] = [];
  const record = (seq: number, sf: SourceFile | undefined, diagnostics: Diagnostic[]): void => {
    if (sf) keep(sf);
    done.push({ seq, sf, diagnostics });
  };
  let seq = 0;
  let passingChars = 0;
  let pool: AnalysisPool | undefined;
  let poolTried = false;
  const large = candidateBytes >= POOL_AT_ONCE_BYTES && candidates.length >= POOL_MIN_FILES;
  const poolWorthIt = poolSize() >= 2 || candidateBytes >= ONE_WORKER.minCandidateBytes;
  const inflight = new Set<Promise<unknown>>();
  const track = (job: Promise<unknown>): void => {
    inflight.add(job);
    // Settled either way (a failure surfaces from Promise.all below, not as an unhandled rejection here).
    job.then(
      () => inflight.delete(job),
      () => inflight.delete(job),
    );
  };
  // Files with the same bytes, path class and language in one scan are analysed once: by key, the answer (or the
  // pending analysis) of the first. Vendored copies of one bundle (two `.yarn/releases/yarn-*.cjs`) are common.
  const analysed = new Map<string, CachedAnalysis | Promise<CachedAnalysis>>();
  let parseCap: Diagnostic | undefined;
  try {
    outer: for (let i = 0; i < candidates.length; i += READ_CONCURRENCY) {
      const chunk = candidates.slice(i, i + READ_CONCURRENCY);
      // A font or image whose header proves its format is not JavaScript: its kept head settles that without a read.
      const read = await Promise.all(chunk.map(async (c) => (c.disguised && isGenuineBinary(c.f.path, (await headOf(c.f, SNIFF_BYTES)) ?? Buffer.alloc(0), sigs) ? undefined : bytesOf(c.f))));
      for (let j = 0; j < chunk.length; j++) {
        const { f, lang, disguised } = chunk[j];
        const bytes = read[j];
        if (!bytes || (disguised && checkFileType(f.path, bytes, sigs)?.actual !== 'javascript')) continue;
        if (!passesPrefilter(lang, bytes, sigs)) {
          if (lang === 'js' && !disguised) skipped.push({ f, lang });
          // The text rules read every text file after the index: share this read with them (kept while there is room).
          if (!disguised) offerText(f, bytes);
          continue;
        }
        if (seq >= limits.maxParsedFiles) {
          parseCap = { code: 'parse-cap', message: `more than ${limits.maxParsedFiles} source files passed the prefilter; the rest were not analysed`, file: f.path, incomplete: true };
          break outer;
        }
        // Decoded here, not read through the workspace's text cache: the index decides what it keeps (RETAINED_TEXT).
        // The cache is offered the same string for the text rules, within its own bound.
        const text = decodeText(bytes);
        if (!disguised) offerText(f, bytes, text);
        const as = disguised ? ('js' as const) : undefined;
        const n = seq++;
        const key = cache || bytes.length >= SAME_BYTES_MIN ? analysisKey(bytes, f.path, lang, as, bundleOf(f.path, text, sigs, as), sigs, limits) : undefined;
        const sameKey = key?.join('\0');
        const same = sameKey === undefined ? undefined : analysed.get(sameKey);
        if (same) {
          index.stats.same++;
          const copy = (c: CachedAnalysis): void => {
            const r = fromCached(structuredClone(c), f.path, text);
            record(n, r.file, r.diagnostics);
          };
          if (same instanceof Promise) track(same.then(copy));
          else copy(same);
          continue;
        }
        const hit = cache && key && cache.get<CachedAnalysis>('source', key);
        if (hit) {
          const r = fromCached(hit, f.path, text);
          index.stats.cached++;
          record(n, r.file, r.diagnostics);
          continue;
        }
        const store = (file: SourceFile | undefined, diagnostics: Diagnostic[]): CachedAnalysis => {
          const c = toCached(file, diagnostics);
          if (sameKey !== undefined) analysed.set(sameKey, c);
          if (cache && key && cacheable(file)) cache.put('source', key, c);
          return c;
        };
        passingChars += text.length;
        // On a large tree, the first file the cache does not hold starts the workers; a warm scan never starts them.
        if (!poolTried && poolWorthIt && (large || (passingChars >= POOL_MIN_CHARS && seq - index.stats.cached >= POOL_MIN_FILES))) {
          poolTried = true;
          pool = AnalysisPool.start(sigs.source, limits);
          index.stats.workers = pool?.workers ?? 0;
        }
        if (!pool) {
          const diagnostics: Diagnostic[] = [];
          const file = analyseFile(f.path, text, sigs, limits, diagnostics, true, as);
          const c = store(file, diagnostics);
          // The parser's strings are slices of the file's text, so facts kept from it keep the whole text alive. On a
          // tree that keeps little text (keptTextChars), keep a copy of the facts instead, as a worker's answer is.
          if (detach && file) {
            const r = fromCached(structuredClone(c), f.path, text);
            record(n, r.file, r.diagnostics);
          } else record(n, file, diagnostics);
          continue;
        }
        const job = pool.run({ path: f.path, text, as }).then((r) => {
          if ('crashed' in r) {
            const diagnostics: Diagnostic[] = [];
            const file = markFallback(newSourceFile(f.path, text, sigs, lang, as), r.crashed, diagnostics);
            record(n, file, diagnostics);
            // A crash is never written to the cache, but a copy of the same bytes in this scan would crash the same way.
            const c = toCached(file, diagnostics);
            if (sameKey !== undefined) analysed.set(sameKey, c);
            return c;
          }
          const c = store(r.file, r.diagnostics);
          if (r.file) r.file.text = text;
          record(n, r.file, r.diagnostics);
          return c;
        });
        if (sameKey !== undefined) analysed.set(sameKey, job);
        track(job);
        if (inflight.size >= pool.capacity) await Promise.race(inflight);
      }
    }
    await Promise.all(inflight);
  } finally {
    await pool?.close();
  }
  done.sort((a, b) => a.seq - b.seq);
  for (const d of done) {
    if (d.sf) index.files.push(d.sf);
    index.diagnostics.push(...d.diagnostics);
  }
  if (parseCap) index.diagnostics.push(parseCap);
  // Second look: a file the prefilter skipped may be the one that calls a suspicious exported helper at load
  // (`getCookie();` in index.js, the request with a hidden URL in controllers/user.js). Parse those callers too.
  const suspicious = new Set<string>();
  for (const sf of index.files)
    for (const n of sf.js?.net ?? []) if (n.inFunction && !n.importTime && (n.url.taint & (DEC | ENV) || n.sendsEnv || n.secretHeaders.length)) suspicious.add(n.inFunction);
  if (suspicious.size && suspicious.size <= 50) {
    const names = [...suspicious];
    for (const { f, lang } of skipped) {
      if (index.stats.passed >= limits.maxParsedFiles) break;
      const bytes = await bytesOf(f);
      const text = bytes && decodeText(bytes);
      if (text === undefined || !names.some((n) => text.includes(`${n}(`))) continue;
      const key = cache && bytes ? analysisKey(bytes, f.path, lang, undefined, bundleOf(f.path, text, sigs), sigs, limits) : undefined;
      const hit = key && cache!.get<CachedAnalysis>('source', key);
      let sf: SourceFile | undefined;
      if (hit) {
        const r = fromCached(hit, f.path, text);
        index.stats.cached++;
        index.diagnostics.push(...r.diagnostics);
        sf = r.file;
      } else {
        const diagnostics: Diagnostic[] = [];
        sf = analyseFile(f.path, text, sigs, limits, diagnostics, true, lang);
        if (key && cacheable(sf)) cache!.put('source', key, toCached(sf, diagnostics));
        index.diagnostics.push(...diagnostics);
      }
      if (!sf) continue;
      keep(sf);
      index.files.push(sf);
    }
  }
  for (const f of envFiles) {
    const text = await f.text();
    if (text !== undefined) index.env.push(...envEntries(f.path, text));
  }
  index.stats.ms = Date.now() - started;
  return index;
}

const emitted = new WeakSet<Workspace>();

/** For rules: the shared index; its diagnostics are reported once per workspace, by whichever rule asks first. */
export async function indexFor(ctx: {
  workspace: Workspace;
  signatures: Signatures;
  limits: Limits;
  diagnostic(d: Omit<Diagnostic, 'incomplete'> & { incomplete?: boolean }): void;
}): Promise<SourceIndex> {
  const index = await sourceIndex(ctx.workspace, ctx.signatures, ctx.limits);
  if (!emitted.has(ctx.workspace)) {
    emitted.add(ctx.workspace);
    for (const d of index.diagnostics) ctx.diagnostic(d);
  }
  return index;
}
