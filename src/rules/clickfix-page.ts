import { defineRule, visitedTexts, type FindingInput, type RuleContext, type TextVisitor } from './define-rule.js';
import { analyseCommand, notableTraits, type CommandAnalysis } from '../analysis/command.js';
import { parseJs, type Node } from '../analysis/js/parse.js';
import { blocksSelection, collapse, pageFacts, type PageFacts } from '../analysis/web/page.js';
import { BudgetExceeded, clipboardFacts, mayWriteClipboard, quotedStrings, type ClipboardWrite, type CopiedValue, type ScriptFacts, type ScriptSource } from '../analysis/web/clipboard.js';
import { rank } from '../analysis/urls.js';
import { inNodeModules } from '../analysis/bundle.js';
import { indexFor, resultCacheOf } from '../analysis/source-index.js';
import { contentHash, type ResultCache } from '../analysis/result-cache.js';
import { LineIndex, snippet } from '../analysis/text.js';
import type { Confidence, Evidence, Severity } from '../types.js';
import type { ClickFixPatterns } from '../signatures/types.js';

const PAGE = /\.(?:html?|xhtml|shtml)$/i;
const SCRIPT = /\.[cm]?[jt]sx?$/i;
/** Scripts up to this size keep their parsed tree while pages are read (several pages may load them). */
const CACHED_SCRIPT_CHARS = 200_000;
const PROSE = /\.(?:md|mdx|markdown)$/i;
/** Pages and scripts read for displayed text when a copied command must be checked against what is shown. */
const MAX_CORPUS_CHARS = 16 * 1024 * 1024;
const MAX_UNITS = 500;

/** A copy handler and what surrounds it: the page (or module) text, for instructions and selection blocking. */
interface Unit {
  file: string;
  page?: PageFacts;
  writes: ClipboardWrite[];
  /** Page and script text, for the lure phrases and the text-level selection checks. */
  texts: { file: string; text: string }[];
}

/** Traits that make a command one that downloads and runs code. */
function runsDownload(a: CommandAnalysis): boolean {
  return a.traits.some((t) => t.kind === 'pipe-to-shell' || t.kind === 'download-exec' || t.kind === 'encoded-powershell' || (t.kind === 'inline-code' && t.severity === 'critical'));
}

/** The most severe trait that is about the command itself rather than a URL in it. */
function commandSeverity(a: CommandAnalysis): Severity {
  const ranks = a.traits.filter((t) => t.kind !== 'url' && t.kind !== 'benign').map((t) => rank(t.severity));
  const r = Math.max(0, ...ranks);
  return (['info', 'low', 'medium', 'high', 'critical'] as const)[r] ?? 'info';
}

/** Comparable form of a command: whitespace collapsed, a shell prompt in front removed. */
function normalise(s: string): string {
  return collapse(s).replace(/^(?:[$>%#]|PS [^>]{0,80}>)\s/, '');
}

function compile(list: string[]): RegExp[] {
  return list.map((r) => new RegExp(r, 'i'));
}

const compiled = new WeakMap<ClickFixPatterns, { openRun: RegExp[]; paste: RegExp[]; verification: RegExp[] }>();
function patternsOf(p: ClickFixPatterns) {
  let c = compiled.get(p);
  if (!c) {
    c = { openRun: compile(p.openRun), paste: compile(p.paste), verification: compile(p.verification) };
    compiled.set(p, c);
  }
  return c;
}

/** Fake verification plus the way to run it: `Verify you are human … press Win + R … Ctrl + V`. */
function lureInstructions(texts: { file: string; text: string }[], p: ClickFixPatterns): { what: string; file: string; line: number } | undefined {
  const c = patternsOf(p);
  let verification: { m: string; file: string; line: number } | undefined;
  let how: string | undefined;
  for (const { file, text } of texts) {
    const t = text.length > 4 * 1024 * 1024 ? text.slice(0, 4 * 1024 * 1024) : text;
    const flat = collapse(t);
    for (const r of c.verification) {
      const m = r.exec(flat);
      if (m && !verification) {
        // The line in the original text: search for the phrase's first word there.
        const at = t.toLowerCase().indexOf(m[0].split(' ')[0].toLowerCase());
        verification = { m: m[0], file, line: at >= 0 ? new LineIndex(t).position(at).line : 1 };
      }
    }
    for (const r of [...c.openRun, ...c.paste]) {
      const m = r.exec(flat);
      if (m) how ??= m[0];
    }
  }
  return verification && how ? { what: `"${verification.m}" … "${how}"`, file: verification.file, line: verification.line } : undefined;
}

const JS_BLOCKS = /\bonselectstart\s*=|\boncopy\s*=|\boncontextmenu\s*=|addEventListener\(\s*['"](?:selectstart|copy|cut|contextmenu)['"]|\buserSelect\s*=\s*['"]none|user-select\s*:\s*none/;

function selectionBlocks(unit: Unit): string[] {
  const out = (unit.page?.selectionBlocks ?? []).map((b) => `${b.file ?? unit.file}:${b.line} ${b.what}`);
  for (const { file, text } of unit.texts) {
    if (file === unit.file && unit.page) continue;
    const m = JS_BLOCKS.exec(text);
    if (m) out.push(`${file}:${new LineIndex(text).position(m.index).line} ${m[0]}`);
  }
  return out.slice(0, 4);
}

/** A script that could not be parsed but writes to the clipboard: every string literal in it is a candidate. */
function textLevelWrite(file: string, code: string, lineOffset: number): ClipboardWrite[] {
  const at = code.search(/lipboard|execCommand/);
  if (at < 0) return [];
  const values = quotedStrings(code).map((q) => ({ value: q.value, how: ['a string literal of a script that could not be parsed'] }));
  return [{ file, line: new LineIndex(code).position(at).line + lineOffset, column: 1, api: 'Clipboard write', values, dynamic: true, network: false, pageText: false, textLevel: true }];
}

/** A page-relative or root-relative reference to a file of the repository; remote URLs are not followed. */
function resolveScript(page: string, src: string, has: (p: string) => boolean): string | undefined {
  if (/^[a-z][\w+.-]*:|^\/\//i.test(src)) return undefined;
  const clean = src.split(/[?#]/)[0];
  const dir = page.includes('/') ? page.slice(0, page.lastIndexOf('/')) : '';
  const candidates = clean.startsWith('/') ? [clean.slice(1), dir ? `${dir}${clean}` : clean.slice(1)] : [dir ? `${dir}/${clean}` : clean];
  for (const c of candidates) {
    const parts: string[] = [];
    for (const seg of c.split('/')) {
      if (seg === '..') parts.pop();
      else if (seg && seg !== '.') parts.push(seg);
    }
    const p = parts.join('/');
    if (has(p)) return p;
  }
  return undefined;
}

/** One script's clipboard analysis on its own: its facts, the time limit it reached, or why it did not parse. */
type Standalone = ScriptFacts | { limit: string } | { unparsed: string };

/**
 * A script no page loads, analysed on its own; kept in the result cache by content like the source index's files, so
 * a script that parsed once is not parsed again. A time limit reached depends on the machine's load: not kept.
 */
function standalone(path: string, text: string, maxChars: number, maxMs: number, cache: ResultCache | undefined): Standalone {
  const key = cache ? [contentHash(text), /\.[^./]*$/.exec(path)?.[0].toLowerCase() ?? '', String(maxChars)] : undefined;
  const hit = key && cache!.get<Standalone>('clipboard', key);
  if (hit) {
    if ('writes' in hit) for (const w of hit.writes) w.file = path;
    return hit;
  }
  let r: Standalone;
  const parsed = parseJs(text, path, maxChars);
  if (!parsed.ok) r = { unparsed: parsed.error.slice(0, 200) };
  else {
    try {
      r = clipboardFacts([{ program: parsed.program, file: path, lineOffset: 0 }], undefined, maxMs);
    } catch (err) {
      if (!(err instanceof BudgetExceeded)) throw err;
      return { limit: err.message };
    }
  }
  if (key) cache!.put('clipboard', key, r);
  return r;
}

/** The per-file part: scripts that could write to the clipboard at all (a substring test before any parse). */
function copyScriptsIn(ctx: RuleContext): TextVisitor & { copyScripts: string[] } {
  const copyScripts: string[] = [];
  return {
    copyScripts,
    anyText: true,
    wants: (f) => f.kind === 'file' && SCRIPT.test(f.path) && f.size <= ctx.limits.maxParseChars,
    visit(f, text) {
      if (text && mayWriteClipboard(text)) copyScripts.push(f.path);
    },
  };
}

export default defineRule({
  meta: {
    id: 'clickfix-page',
    title: 'Web page whose copy button puts a hidden download-and-run command on the clipboard (ClickFix)',
    description:
      'Reads HTML pages (with parse5) and the scripts they load or carry, and works out what every clipboard write copies (navigator.clipboard.writeText, execCommand("copy") of a hidden textarea, ' +
      'clipboardData.setData in copy handlers, clipboard.js and copy-to-clipboard), through variables, helpers and decoders such as atob and String.fromCharCode. ' +
      'A copied command that downloads and runs code (judged by the shared command analyser) which the repository never shows as text is critical; so is one shown openly on a page that asks visitors to "verify you are human" by pasting into Win+R or a terminal. ' +
      'Install pages that copy exactly the command they show (rustup, Homebrew) stay quiet, as do copy buttons for ordinary commands and clipboard libraries.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T20'],
    remediation: 'Do not paste anything this page copies. Open the file and read the command it puts on the clipboard; report the repository.',
  },
  async check(ctx) {
    const paths = new Set(ctx.workspace.files.filter((f) => f.kind === 'file').map((f) => f.path));
    const has = (p: string) => paths.has(p);
    const maxChars = ctx.limits.maxParseChars;
    const units: Unit[] = [];
    const parsed = new Map<string, Node | null>();
    const parse = (code: string, where: string, file: string): Node | undefined => {
      const r = parseJs(code, file, maxChars);
      if (r.ok) return r.program;
      ctx.diagnostic({ code: 'parse-fallback', message: `${where} not parsed (${r.error.slice(0, 200)}); its clipboard writes are checked at text level only`, file, incomplete: false });
      return undefined;
    };
    // Scripts several pages load are parsed once; the cache lives only while pages are read and keeps the trees of
    // small scripts only (a Babel tree is ~55 bytes per source character: the bundles a few report pages load held
    // over 150 MB). A script that does not parse is remembered whatever its size, so it is reported once.
    const parseFile = async (path: string, cache: boolean): Promise<{ program?: Node; text: string } | undefined> => {
      const text = await ctx.text(path);
      if (text === undefined) return undefined;
      const hit = parsed.get(path);
      if (hit !== undefined) return { program: hit ?? undefined, text };
      const program = parse(text, path, path);
      if (cache && (!program || text.length <= CACHED_SCRIPT_CHARS)) parsed.set(path, program ?? null);
      return { program, text };
    };
    const displayed: string[] = [];
    const analyse = (u: Unit, sources: ScriptSource[]): void => {
      try {
        const facts = clipboardFacts(sources, u.page ? (id) => u.page!.elementsById.get(id) : undefined, ctx.limits.maxAnalysisMsPerFile);
        u.writes.push(...facts.writes);
        displayed.push(...facts.displayed);
      } catch (err) {
        if (!(err instanceof BudgetExceeded)) throw err;
        ctx.diagnostic({ code: 'analysis-limit', message: `${u.file}: ${err.message}; its clipboard writes were not all analysed`, file: u.file, incomplete: true });
      }
    };
    const pageTexts: { file: string; facts?: PageFacts; text: string }[] = [];

    const { copyScripts } = await visitedTexts(ctx, copyScriptsIn);
    const copyScriptNames = [...new Set(copyScripts.map((p) => p.slice(p.lastIndexOf('/') + 1)))];

    // Pages: their own scripts and handlers, the repository scripts they load, copy attributes. One page per call: the
    // trees of the scripts a page loads die with its call (a suspended async function keeps what its registers held,
    // so a loop body kept the last page's trees alive through the awaits of the pages after it: ~22 MB on the
    // benchmark's 1.31 GiB tree).
    const loadedByPage = new Set<string>();
    const readPage = async (f: (typeof ctx.workspace.files)[number]): Promise<void> => {
      const text = await f.text();
      if (!text) return;
      const entry: (typeof pageTexts)[number] = { file: f.path, text };
      pageTexts.push(entry);
      const loadsCopyScript = copyScriptNames.some((n) => text.includes(n));
      if (!mayWriteClipboard(text) && !/data-(?:clipboard|copy)/i.test(text) && !loadsCopyScript) return;
      if (text.length > maxChars) {
        ctx.diagnostic({ code: 'parse-error', message: `${f.path}: ${text.length} characters is over the ${maxChars}-character parse limit; its clipboard writes were not analysed`, file: f.path, incomplete: true });
        return;
      }
      const page = pageFacts(text);
      entry.facts = page;
      const unit: Unit = { file: f.path, page, writes: [], texts: [{ file: f.path, text }] };
      const sources: ScriptSource[] = [];
      const fallbacks: ClipboardWrite[] = [];
      for (const s of page.scripts) {
        const program = parse(s.code, `${f.path}:${s.line}${s.handler ? ` ${s.handler}` : ' <script>'}`, f.path);
        if (program) sources.push({ program, file: f.path, lineOffset: s.line - 1 });
        else fallbacks.push(...textLevelWrite(f.path, s.code, s.line - 1));
      }
      for (const href of page.styleSheets) {
        const p = resolveScript(f.path, href, has);
        const css = p && /\.css$/i.test(p) ? await ctx.text(p) : undefined;
        if (p && css && blocksSelection(css)) page.selectionBlocks.push({ file: p, line: new LineIndex(css).position(Math.max(0, css.indexOf('user-select'))).line, what: 'user-select: none' });
      }
      for (const src of page.scriptSources) {
        const p = resolveScript(f.path, src, has);
        if (!p || !SCRIPT.test(p)) continue;
        const js = await parseFile(p, true);
        if (!js) continue;
        loadedByPage.add(p);
        unit.texts.push({ file: p, text: js.text });
        if (js.program) sources.push({ program: js.program, file: p, lineOffset: 0 });
        else fallbacks.push(...textLevelWrite(p, js.text, 0));
      }
      if (!unit.texts.some((t) => mayWriteClipboard(t.text)) && !page.copyAttributes.length) return;
      analyse(unit, sources);
      unit.writes.push(...fallbacks);
      for (const a of page.copyAttributes) {
        const target = a.attribute === 'data-clipboard-target' || (a.attribute === 'data-copy' && a.value.startsWith('#'));
        let values: CopiedValue[];
        if (target) {
          const el = /^#[\w-]+$/.test(a.value.trim()) ? page.elementsById.get(a.value.trim().slice(1)) : undefined;
          values = el ? [{ value: el.text, how: [`text of ${a.value.trim()} (${el.visible ? 'shown on the page' : 'hidden on the page'})`], shown: el.visible }] : [];
        } else values = [{ value: a.value, how: [] }];
        unit.writes.push({ file: f.path, line: a.line, column: 1, api: `${a.attribute} attribute (clipboard.js)`, values, dynamic: values.length === 0, network: false, pageText: target });
      }
      if (unit.writes.length) units.push(unit);
    };
    for (const f of ctx.workspace.files) {
      // Installed packages' pages (a test runner's report viewer) and scripts are not pages this repository shows
      // anyone, and their bundles cost more to parse than everything else; a page here that loads one still has it read.
      if (f.kind !== 'file' || !PAGE.test(f.path) || units.length >= MAX_UNITS || inNodeModules(f.path)) continue;
      await readPage(f);
    }

    parsed.clear();

    // Scripts no page of the repository loads: components and modules, each on its own (not installed packages').
    // The source index has parsed most of them already and ran this same analysis on its tree (in a worker for a
    // large tree, or from the result cache); the others are analysed here, through the same cache.
    const shared = copyScripts.length ? new Map((await indexFor(ctx)).files.filter((sf) => sf.clipboard).map((sf) => [sf.path, sf.clipboard!])) : new Map<string, never>();
    const cache = resultCacheOf(ctx.workspace);
    for (const path of copyScripts) {
      if (loadedByPage.has(path) || units.length >= MAX_UNITS || inNodeModules(path)) continue;
      const text = await ctx.text(path);
      if (text === undefined) continue;
      const r = shared.get(path) ?? standalone(path, text, maxChars, ctx.limits.maxAnalysisMsPerFile, cache);
      const unit: Unit = { file: path, writes: [], texts: [{ file: path, text }] };
      if ('unparsed' in r) {
        ctx.diagnostic({ code: 'parse-fallback', message: `${path} not parsed (${r.unparsed}); its clipboard writes are checked at text level only`, file: path, incomplete: false });
        unit.writes.push(...textLevelWrite(path, text, 0));
      } else if ('limit' in r) ctx.diagnostic({ code: 'analysis-limit', message: `${path}: ${r.limit}; its clipboard writes were not all analysed`, file: path, incomplete: true });
      else {
        unit.writes.push(...r.writes);
        displayed.push(...r.displayed);
      }
      if (unit.writes.length) units.push(unit);
    }

    if (units.length >= MAX_UNITS) ctx.diagnostic({ code: 'analysis-limit', message: `more than ${MAX_UNITS} pages and scripts write to the clipboard; the rest were not analysed`, incomplete: true });

    // What the repository shows: visible page text, text the scripts render, Markdown. Built only when needed.
    let corpus: string | undefined;
    const shownAnywhere = async (value: string): Promise<boolean> => {
      if (corpus === undefined) {
        const parts: string[] = [...displayed.map(collapse)];
        let size = parts.reduce((n, p) => n + p.length, 0);
        for (const p of pageTexts) {
          if (size > MAX_CORPUS_CHARS) break;
          if (!p.facts && p.text.length <= maxChars) p.facts = pageFacts(p.text);
          const v = p.facts?.visibleText ?? '';
          parts.push(v);
          size += v.length;
        }
        for (const f of ctx.workspace.files) {
          if (size > MAX_CORPUS_CHARS) break;
          if (f.kind !== 'file' || !PROSE.test(f.path)) continue;
          const t = await f.text();
          if (t) {
            parts.push(collapse(t));
            size += t.length;
          }
        }
        corpus = ` ${parts.join(' \n ')} `;
      }
      return corpus.includes(value);
    };

    for (const unit of units) {
      let lure: ReturnType<typeof lureInstructions> | null = null;
      const lureOf = () => (lure === null ? (lure = lureInstructions(unit.texts, ctx.signatures.clickfix)) : lure);
      for (const w of unit.writes) {
        const f = await judge(ctx, unit, w, lureOf, shownAnywhere);
        if (f) ctx.report(f);
      }
    }
  },
  eachText: copyScriptsIn,
});

async function judge(
  ctx: RuleContext,
  unit: Unit,
  w: ClipboardWrite,
  lureOf: () => ReturnType<typeof lureInstructions>,
  shownAnywhere: (v: string) => Promise<boolean>,
): Promise<FindingInput | undefined> {
  let best: { severity: Severity; confidence: Confidence; value: CopiedValue; a: CommandAnalysis; shown: boolean; reason: string } | undefined;
  const others: string[] = [];
  for (const v of w.values) {
    const norm = normalise(v.value);
    if (norm.length < 4) continue;
    const a = analyseCommand(v.value, ctx.signatures);
    const dne = runsDownload(a);
    const cmdSev = commandSeverity(a);
    if (!dne && rank(cmdSev) < rank('high')) continue;
    if (w.textLevel && !dne) continue;
    const shown = v.shown === true || (await shownAnywhere(norm));
    let severity: Severity | undefined;
    let confidence: Confidence = 'high';
    let reason = '';
    if (w.textLevel) {
      // Unparsed: the literal sits in a script that copies something, but we cannot tell it is what is copied.
      if (shown) continue;
      severity = 'high';
      confidence = 'medium';
      reason = 'in a script that could not be parsed, next to a command that downloads and runs code which the repository never shows';
    } else if (dne && !shown) {
      severity = 'critical';
      reason = 'puts a command that downloads and runs code on the clipboard, and the repository never shows that command';
    } else if (dne && lureOf()) {
      severity = 'critical';
      reason = 'puts a command that downloads and runs code on the clipboard, on a page that asks visitors to paste it to "verify"';
    } else if (dne && a.urls.some((u) => rank(u.severity) >= rank('high'))) {
      severity = 'medium';
      confidence = 'medium';
      reason = 'copies a download-and-run command that the page shows openly, but from a C2-shaped or known-bad address';
    } else if (!dne && !shown) {
      severity = lureOf() ? 'high' : 'medium';
      confidence = 'medium';
      reason = `puts a command the repository never shows on the clipboard (${notableTraits(a, 'high').filter((t) => t.kind !== 'url')[0]?.detail ?? cmdSev})`;
    }
    if (!severity) continue;
    if (!best || rank(severity) > rank(best.severity)) {
      if (best) others.push(best.value.value);
      best = { severity, confidence, value: v, a, shown, reason };
    } else others.push(v.value);
  }
  // Nothing we could read, on a page that tells visitors to paste into Run or a terminal to verify: still a lure.
  if (!best && !w.textLevel && w.dynamic && (w.network || !w.pageText) && w.values.every((v) => !v.shown)) {
    const lure = lureOf();
    if (!lure) return undefined;
    return {
      severity: 'high',
      confidence: 'medium',
      message: `${w.api} copies ${w.network ? 'text fetched from the network' : 'a value that cannot be read statically'} on a page that tells visitors to paste it to verify (${lure.what})`,
      location: { file: w.file, line: w.line, column: w.column },
      evidence: [{ kind: 'note', value: `instructions: ${lure.what}`, location: { file: lure.file, line: lure.line } }],
      key: `dynamic:${w.api}`,
    };
  }
  if (!best) return undefined;
  const lure = lureOf();
  const blocks = selectionBlocks(unit);
  const cmd = best.value.value;
  const evidence: Evidence[] = [{ kind: 'command', value: cmd.slice(0, 2000) }];
  for (const h of best.value.how) evidence.push({ kind: 'decoded', value: h });
  // Lures carry one command per operating system; every one of them is worth reading.
  for (const o of others.slice(0, 3)) evidence.push({ kind: 'command', value: `also copies: ${o.slice(0, 2000)}` });
  for (const t of notableTraits(best.a, 'high').slice(0, 4)) evidence.push({ kind: 'trait', value: `${t.kind}: ${t.detail}` });
  if (lure) evidence.push({ kind: 'note', value: `instructions: ${lure.what}`, location: { file: lure.file, line: lure.line } });
  for (const b of blocks) evidence.push({ kind: 'note', value: `selection blocked: ${b}` });
  const tail = /#\s?\S|\s{20}\S/.test(cmd) ? '; the command ends in a comment or padding, so the Run dialog shows only its harmless tail' : '';
  const extras = [lure && best.reason.indexOf('verify') < 0 ? `the page asks visitors to paste it to verify (${lure.what})` : '', blocks.length ? 'text selection is disabled so the button is the only way to copy' : '']
    .filter(Boolean)
    .join('; ');
  return {
    severity: best.severity,
    confidence: best.confidence,
    message: `${w.api} ${best.reason}: \`${snippet(cmd, 140)}\`${extras ? `; ${extras}` : ''}${tail}`,
    location: { file: w.file, line: w.line, column: w.column, snippet: snippet(cmd, 160) },
    evidence,
    key: `${w.api}:${normalise(cmd)}`,
  };
}
