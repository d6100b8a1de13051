/**
 * Dev container definitions. `initializeCommand` runs on the host before any container exists; the other hooks
 * run inside the container, which still holds the mounted source and often the user's credentials.
 */
import path from 'node:path';
import type { InventoryParser } from '../types.js';
import { entries, lineOf, parseJsonc, valueOf } from '../jsonc.js';
import { snippet } from '../../analysis/text.js';
import { jsonText } from '../json-text.js';

export const DEVCONTAINER_HOOKS = ['initializeCommand', 'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'];

/** An argument as text. JSONC objects have no prototype, so String() throws on them (found by the fuzzer). */
function text(a: unknown): string {
  return typeof a === 'object' && a !== null ? jsonText(a) : String(a);
}

function asCommands(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return [v.map((a) => (/\s/.test(text(a)) ? `"${text(a)}"` : text(a))).join(' ')];
  if (v && typeof v === 'object') return Object.values(v).flatMap(asCommands);
  return [];
}

export const devcontainer: InventoryParser = {
  id: 'editor/devcontainer',
  matches: (p) => /(?:^|\/)\.devcontainer(?:\/[^/]+)?\/devcontainer\.json$/.test(p) || /(?:^|\/)\.devcontainer\.json$/.test(p),
  parse(file, text, sink) {
    const doc = parseJsonc(text);
    if (!doc.root) {
      sink.diagnostic({ code: 'parse-error', message: `cannot parse (${doc.errors[0] ?? 'empty'})`, file: file.path, incomplete: true });
      return;
    }
    if (doc.errors.length) sink.diagnostic({ code: 'parse-error', message: `JSONC errors (${doc.errors.join('; ')})`, file: file.path, incomplete: true });
    // The workspace folder is the parent of .devcontainer (or of .devcontainer.json).
    let base = path.posix.dirname(file.path);
    while (base !== '.' && base.split('/').includes('.devcontainer')) base = path.posix.dirname(base);
    const baseDir = base === '.' ? '' : base;
    const nodes = entries(doc.root).filter(([k]) => DEVCONTAINER_HOOKS.includes(k));
    for (const [hook, node] of nodes) {
      for (const command of asCommands(valueOf(node))) {
        sink.autoRun.push({
          trigger: `devcontainer:${hook}`,
          surface: 'devcontainer',
          command,
          automatic: true,
          where: { file: file.path, line: lineOf(doc, node), snippet: snippet(`"${hook}": ${command}`) },
          attributes: { baseDir, host: hook === 'initializeCommand' },
        });
      }
    }
  },
};
