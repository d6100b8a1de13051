/**
 * Where a repository loads its npm dependencies, and which of those loads sit on the path that runs by itself: the
 * install hooks (`prepare`, `postinstall` …), `start`/`dev` and their pre/post hooks, folder-open editor tasks and
 * devcontainer commands, the files those commands run, and the files those files `require` relatively. A dependency
 * loaded there runs on `npm install` or on opening the folder, so a hostile or vanished one matters most.
 *
 * Text-level on purpose: a `require("x")`, `import … from "x"` or `import("x")` with a literal name is what this
 * needs, and it must work on files the parser gives up on. Bounded: files over 1 MB and past 2,000 files are skipped.
 */
import path from 'node:path';
import type { Location, Workspace } from '../types.js';
import { inNodeModules } from './bundle.js';
import { followCommand, resolveIn, type FollowContext } from './follow.js';

export interface RequireSite {
  /** The package name loaded (`x` for `require("x/sub")`). */
  name: string;
  file: string;
  line: number;
  snippet: string;
}

export interface StartPathSite extends RequireSite {
  /** From the trigger to the load: `package.json:5 scripts.prepare: node app/index.js`, `app/index.js:3 require("x")`. */
  chain: string[];
  /** The trigger's own location (the script line, the task). */
  trigger: Location;
}

const JS_FILE = /\.[cm]?[jt]sx?$/i;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 2_000;
// Linear: each alternative is anchored on a keyword and a quote, with bounded character classes and no nesting.
// (217: `../` and the 214 characters the relative-only callers allow after it.)
const LOAD = /\brequire\s*\(\s*(['"`])([^'"`\s)]{1,217})\1|\bimport\s*\(\s*(['"`])([^'"`\s)]{1,217})\3|\bfrom\s*(['"])([^'"\s]{1,217})\5|^[ \t]*import[ \t]*(['"])([^'"\s]{1,217})\7/gm;
const START_SCRIPTS = ['prestart', 'start', 'poststart', 'predev', 'dev', 'postdev'];
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'];

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; relative and node: specifiers → undefined. */
export function packageOfSpecifier(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || /^[a-z]+:/i.test(spec)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? (parts.length >= 2 ? `${parts[0]}/${parts[1]}` : undefined) : parts[0];
}

/** Every literal specifier the text `require`s, `import`s or `import()`s (text-level, so also in files that do not parse). */
export function loadSpecifiers(text: string): string[] {
  return [...text.matchAll(LOAD)].map((m) => m[2] ?? m[4] ?? m[6] ?? m[8]);
}

interface Load {
  spec: string;
  line: number;
  snippet: string;
}

function loadsIn(text: string): Load[] {
  const out: Load[] = [];
  let lineNo = 1;
  let lastIndex = 0;
  for (const m of text.matchAll(LOAD)) {
    for (let i = lastIndex; i < m.index; i++) if (text.charCodeAt(i) === 10) lineNo++;
    lastIndex = m.index;
    const spec = m[2] ?? m[4] ?? m[6] ?? m[8];
    const start = text.lastIndexOf('\n', m.index) + 1;
    const end = text.indexOf('\n', m.index);
    out.push({ spec, line: lineNo, snippet: text.slice(start, end < 0 ? undefined : Math.min(end, start + 200)).trim().slice(0, 120) });
  }
  return out;
}

async function textOf(ws: Workspace, file: string): Promise<string | undefined> {
  const f = ws.get(file);
  if (!f || f.kind !== 'file' || f.size > MAX_FILE_BYTES) return undefined;
  return f.text();
}

function resolveRelative(ws: Workspace, fromFile: string, spec: string): string | undefined {
  const base = resolveIn(path.posix.dirname(fromFile) === '.' ? '' : path.posix.dirname(fromFile), spec);
  if (base === undefined) return undefined;
  for (const cand of [base, `${base}.js`, `${base}.cjs`, `${base}.mjs`, `${base}.ts`, `${base}/index.js`, `${base}/index.ts`]) {
    const f = ws.get(cand);
    if (f?.kind === 'file' && JS_FILE.test(cand)) return cand;
  }
  return undefined;
}

/** The first place each package is loaded anywhere in the repository (outside node_modules). */
export async function requireSites(ws: Workspace, names: ReadonlySet<string>): Promise<Map<string, RequireSite>> {
  const out = new Map<string, RequireSite>();
  let n = 0;
  for (const f of ws.files) {
    if (out.size === names.size || n >= MAX_FILES) break;
    if (f.kind !== 'file' || !JS_FILE.test(f.path) || inNodeModules(f.path) || f.container !== undefined) continue;
    n++;
    const text = await textOf(ws, f.path);
    if (!text) continue;
    for (const l of loadsIn(text)) {
      const name = packageOfSpecifier(l.spec);
      if (name && names.has(name) && !out.has(name)) out.set(name, { name, file: f.path, line: l.line, snippet: l.snippet });
    }
  }
  return out;
}

/** Packages loaded on the install/start/folder-open path, each with the chain from its trigger. */
export async function startPathSites(ctx: FollowContext, names: ReadonlySet<string>): Promise<Map<string, StartPathSite>> {
  const out = new Map<string, StartPathSite>();
  const entries: { command: string; dir: string; step: string; trigger: Location }[] = [];
  for (const m of ctx.inventory.manifests) {
    if (inNodeModules(m.file)) continue;
    const dir = path.posix.dirname(m.file) === '.' ? '' : path.posix.dirname(m.file);
    for (const hook of [...INSTALL_SCRIPTS, ...START_SCRIPTS]) {
      const s = m.scripts[hook];
      if (s) entries.push({ command: s.command, dir, step: `${m.file}:${s.line} scripts.${hook}: ${s.command}`, trigger: { file: m.file, line: s.line, snippet: `"${hook}": ${JSON.stringify(s.command)}` } });
    }
  }
  for (const c of ctx.inventory.autoRun) {
    if (!c.automatic || (c.surface !== 'editor-task' && c.surface !== 'devcontainer')) continue;
    const dir = typeof c.attributes?.baseDir === 'string' ? c.attributes.baseDir : '';
    entries.push({ command: c.command, dir, step: `${c.where.file}${c.where.line ? `:${c.where.line}` : ''} ${c.trigger}: ${c.command}`, trigger: c.where });
  }
  for (const e of entries) {
    // `node -e "require('x')"` loads the package from the command itself.
    for (const l of loadsIn(e.command)) {
      const name = packageOfSpecifier(l.spec);
      if (name && names.has(name) && !out.has(name)) out.set(name, { name, file: e.trigger.file, line: e.trigger.line ?? 1, snippet: l.snippet, chain: [e.step], trigger: e.trigger });
    }
    const followed = await followCommand(e.command, e.dir, ctx);
    const queue: { file: string; chain: string[] }[] = followed.files.filter((f) => JS_FILE.test(f)).map((f) => ({ file: f, chain: [e.step] }));
    const seen = new Set<string>();
    while (queue.length && seen.size < 200) {
      const { file, chain } = queue.shift()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = await textOf(ctx.workspace, file);
      if (!text) continue;
      for (const l of loadsIn(text)) {
        const step = `${file}:${l.line} ${l.snippet}`;
        if (l.spec.startsWith('.')) {
          const next = resolveRelative(ctx.workspace, file, l.spec);
          if (next && !seen.has(next) && chain.length < 6) queue.push({ file: next, chain: [...chain, step] });
          continue;
        }
        const name = packageOfSpecifier(l.spec);
        if (name && names.has(name) && !out.has(name)) out.set(name, { name, file, line: l.line, snippet: l.snippet, chain: [...chain, step], trigger: e.trigger });
      }
    }
  }
  return out;
}
