/**
 * pip requirements files: requirements*.txt / *.in, constraints*.txt and anything under a requirements/ folder.
 * Reads line continuations, comments, `-r`/`-c` includes (inside the repository only, followed when the included
 * file is not itself picked up by name), `-e`, VCS and URL requirements (`git+https://…#egg=name`, `name @ url`),
 * local paths, `--hash`, environment markers, extras and the index options.
 */
import path from 'node:path';
import type { InventoryParser, InventorySink } from '../types.js';
import type { Workspace } from '../../types.js';
import { parseRequirement, pypiPackage, type Requirement } from './pep508.js';

const ID = 'pypi/requirements';
const MAX_INCLUDE_DEPTH = 8;

export function isRequirementsFile(p: string): boolean {
  const base = path.posix.basename(p).toLowerCase();
  if (!/\.(?:txt|in)$/.test(base)) return false;
  if (/(?:^|\/)requirements\//i.test(p)) return true;
  return base.includes('requirements') || base.startsWith('constraints');
}

export interface RequirementLine {
  line: number;
  text: string;
}

/** Logical lines: continuations joined, comments removed, with the 1-based line where each starts. */
export function logicalLines(text: string): RequirementLine[] {
  const out: RequirementLine[] = [];
  const raw = text.split('\n');
  let buf = '';
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    let l = raw[i].replace(/\r$/, '');
    if (!buf) start = i + 1;
    // A comment starts at '#' at the line start or after whitespace (a URL fragment "#egg=" has no space before it).
    const hash = l.search(/(?:^|\s)#/);
    if (hash >= 0) l = l.slice(0, hash);
    if (l.endsWith('\\')) {
      buf += `${l.slice(0, -1)} `;
      continue;
    }
    buf += l;
    if (buf.trim()) out.push({ line: start, text: buf.trim() });
    buf = '';
  }
  if (buf.trim()) out.push({ line: start, text: buf.trim() });
  return out;
}

/** Index options anywhere in a requirements file: [option, url, line]. */
export function indexOptions(text: string): { option: string; url: string; line: number }[] {
  const out: { option: string; url: string; line: number }[] = [];
  for (const { line, text: t } of logicalLines(text)) {
    const m = /^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host)(?:\s+|=)(\S+)/.exec(t);
    if (m) out.push({ option: m[1], url: m[2], line });
  }
  return out;
}

function eggName(url: string): string | undefined {
  const m = /[#&]egg=([A-Za-z0-9][\w.-]*)/.exec(url);
  return m?.[1];
}

async function parseText(
  file: string,
  text: string,
  sink: InventorySink,
  ws: Workspace | undefined,
  depth: number,
  seen: Set<string>,
  constraint: boolean,
): Promise<void> {
  for (const { line, text: t } of logicalLines(text)) {
    const include = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(t);
    if (include) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), include[2]));
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(include[2]) || target.startsWith('../') || path.posix.isAbsolute(include[2])) {
        sink.diagnostic({ code: 'include-outside', message: `${file}:${line}: ${include[1]} ${include[2]} points outside the repository; not read`, file, incomplete: true });
        continue;
      }
      if (isRequirementsFile(target) || seen.has(target)) continue; // read on its own
      const inc = ws?.get(target);
      if (!inc) {
        sink.diagnostic({ code: 'include-missing', message: `${file}:${line}: included file ${target} is not in the repository`, file, incomplete: false });
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        sink.diagnostic({ code: 'include-depth', message: `${file}:${line}: includes nested deeper than ${MAX_INCLUDE_DEPTH}; ${target} not read`, file, incomplete: true });
        continue;
      }
      seen.add(target);
      const incText = await inc.text();
      if (incText !== undefined) await parseText(target, incText, sink, ws, depth + 1, seen, constraint || /^(?:-c|--constraint)$/.test(include[1]));
      continue;
    }
    let body = t;
    let editable = false;
    const ed = /^(?:-e|--editable)[\s=](.+)$/.exec(body);
    if (ed) {
      editable = true;
      body = ed[1].trim();
    }
    if (body.startsWith('-')) continue; // other options: index urls, --pre, --no-binary … (the lockfile rule reads index options)
    const hashes = [...body.matchAll(/--hash[=\s]+(\S+)/g)].map((m) => m[1]);
    body = body.replace(/\s--hash[=\s]+\S+/g, '').replace(/\s--(?:global-option|config-settings|install-option)[=\s]+\S+/g, '').trim();
    let req: Requirement | undefined;
    // VCS / URL / path requirements without "name @"
    if (/^(?:git|hg|svn|bzr)\+/.test(body) || /^https?:\/\//.test(body) || /^file:/.test(body) || body.startsWith('.') || body.startsWith('/')) {
      const url = body.split(/\s/)[0];
      const cut = url.search(/[#?]/);
      let bare = cut >= 0 ? url.slice(0, cut) : url;
      while (bare.endsWith('/')) bare = bare.slice(0, -1);
      const name = eggName(url) ?? path.posix.basename(bare).replace(/(?:\.tar\.gz|\.zip|\.whl|\.git)$/, '').split('-')[0];
      req = { name: name || url, extras: [], specifier: '', url };
    } else req = parseRequirement(body);
    if (!req) {
      sink.diagnostic({ code: 'requirement-unreadable', message: `${file}:${line}: cannot read requirement "${body.slice(0, 120)}"`, file, incomplete: true });
      continue;
    }
    sink.packages.push(
      pypiPackage(req, file, line, ID, {
        direct: !constraint,
        scope: constraint ? 'unknown' : 'prod',
        integrity: hashes[0],
        text: `${editable ? '-e ' : ''}${body}`,
      }),
    );
  }
}

export const requirementsTxt: InventoryParser = {
  id: ID,
  matches: isRequirementsFile,
  async parse(file, text, sink, ctx) {
    const constraint = path.posix.basename(file.path).toLowerCase().startsWith('constraints');
    await parseText(file.path, text, sink, ctx?.workspace, 0, new Set([file.path]), constraint);
  },
};
