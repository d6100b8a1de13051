/**
 * Git hooks that a repository brings: .husky/<hook>, .githooks/<hook>, lefthook.yml, and — inside archives that
 * carry a .git folder — .git/hooks/<hook>. (Hooks declared in package.json are read by npm/package-json.)
 */
import path from 'node:path';
import { parseDocument } from 'yaml';
import { hasComplexKey, MAX_FLOW_DEPTH, yamlDepth } from '../yaml-safe.js';
import type { InventoryParser } from '../types.js';
import { snippet } from '../../analysis/text.js';

/** Hook names git runs (githooks(5)). */
export const GIT_HOOK_NAMES = new Set([
  'applypatch-msg', 'pre-applypatch', 'post-applypatch', 'pre-commit', 'pre-merge-commit', 'prepare-commit-msg', 'commit-msg',
  'post-commit', 'pre-rebase', 'post-checkout', 'post-merge', 'pre-push', 'pre-receive', 'update', 'proc-receive', 'post-receive',
  'post-update', 'reference-transaction', 'push-to-checkout', 'pre-auto-gc', 'post-rewrite', 'sendemail-validate', 'fsmonitor-watchman',
  'p4-changelist', 'p4-prepare-changelist', 'p4-post-changelist', 'p4-pre-submit', 'post-index-change',
]);

function hookFile(p: string): { dir: string; hook: string; tool: string } | undefined {
  const m = /^(?:(.*)\/)?(\.husky|\.githooks|\.git\/hooks)\/([^/]+)$/.exec(p);
  if (!m) return undefined;
  const hook = m[3];
  if (!GIT_HOOK_NAMES.has(hook)) return undefined;
  return { dir: m[1] ?? '', hook, tool: m[2] };
}

export const gitHookFiles: InventoryParser = {
  id: 'git/hooks',
  matches: (p) => hookFile(p) !== undefined,
  parse(file, text, sink) {
    const h = hookFile(file.path)!;
    const lines = text.split('\n');
    // A script that waits for its jobs (`wait`, `wait "$pid"`, `if wait "$pid"; then`) runs them concurrently; they do
    // not outlive the hook.
    const waits = lines.some((l) => /^\s*(?:if\s+(?:!\s*)?)?wait(?:\s|;|$)/.test(l));
    for (let i = 0; i < lines.length && i < 2000; i++) {
      const l = lines[i].trim();
      if (!l || l.startsWith('#') || /^\.\s+"?\$\(dirname/.test(l) || /husky\.sh"?$/.test(l)) continue;
      sink.autoRun.push({
        trigger: `git-hook:${h.hook} (${h.tool})`,
        surface: 'git-hook',
        command: l,
        automatic: true,
        where: { file: file.path, line: i + 1, snippet: snippet(l) },
        attributes: { baseDir: h.dir, tool: h.tool, ...(waits ? { waits: true } : {}) },
      });
    }
  },
};

export const lefthook: InventoryParser = {
  id: 'git/lefthook',
  matches: (p) => /(?:^|\/)\.?lefthook(?:-local)?\.ya?ml$/.test(p),
  parse(file, text, sink) {
    if (yamlDepth(text) > MAX_FLOW_DEPTH) {
      sink.diagnostic({ code: 'parse-error', message: `YAML nested deeper than ${MAX_FLOW_DEPTH}; not read`, file: file.path, incomplete: true });
      return;
    }
    let doc;
    try {
      doc = parseDocument(text, { prettyErrors: false });
    } catch (err) {
      sink.diagnostic({ code: 'parse-error', message: `cannot parse YAML: ${(err as Error).message}`, file: file.path, incomplete: true });
      return;
    }
    if (doc.errors.length) {
      sink.diagnostic({ code: 'parse-error', message: `YAML errors: ${doc.errors[0].message}`, file: file.path, incomplete: true });
    }
    if (hasComplexKey(doc)) {
      sink.diagnostic({ code: 'parse-error', message: 'a YAML mapping key is a collection or an alias (never in lefthook configs; converting it is super-linear); not read', file: file.path, incomplete: true });
      return;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      sink.diagnostic({ code: 'parse-error', message: `cannot read YAML: ${(err as Error).message}`, file: file.path, incomplete: true });
      return;
    }
    if (!data || typeof data !== 'object') return;
    const baseDir = path.posix.dirname(file.path) === '.' ? '' : path.posix.dirname(file.path);
    const lines = text.split('\n');
    const lineOfText = (needle: string) => {
      const i = lines.findIndex((l) => l.includes(needle));
      return i >= 0 ? i + 1 : undefined;
    };
    for (const [hook, conf] of Object.entries(data as Record<string, unknown>)) {
      if (!GIT_HOOK_NAMES.has(hook) || !conf || typeof conf !== 'object') continue;
      for (const group of ['commands', 'scripts', 'jobs']) {
        const g = (conf as Record<string, unknown>)[group];
        const items = Array.isArray(g) ? g : g && typeof g === 'object' ? Object.values(g) : [];
        for (const item of items) {
          const run = item && typeof item === 'object' ? (item as { run?: unknown }).run : undefined;
          if (typeof run !== 'string') continue;
          sink.autoRun.push({
            trigger: `git-hook:${hook} (lefthook)`,
            surface: 'git-hook',
            command: run,
            automatic: true,
            where: { file: file.path, line: lineOfText(run.split('\n')[0]), snippet: snippet(run) },
            attributes: { baseDir, tool: 'lefthook' },
          });
        }
      }
    }
  },
};
