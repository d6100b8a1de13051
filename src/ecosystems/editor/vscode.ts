/**
 * VS Code tasks in .vscode/tasks.json and *.code-workspace: per-OS commands, runOn folderOpen, dependsOn
 * chains, and presentation settings that hide the terminal.
 */
import path from 'node:path';
import type { Node } from 'jsonc-parser';
import type { AutoRunCommand } from '../../types.js';
import type { InventoryParser, InventorySink } from '../types.js';
import { lineOf, nodeAt, parseJsonc, valueOf, type JsonDoc } from '../jsonc.js';
import { snippet } from '../../analysis/text.js';

const OSES = ['windows', 'osx', 'linux'] as const;

function quoteArg(a: unknown): string {
  const s = typeof a === 'string' ? a : a && typeof a === 'object' && 'value' in a ? String((a as { value: unknown }).value) : String(a);
  return /[\s"']/.test(s) && !/^["'].*["']$/.test(s) ? `"${s.replace(/"/g, '\\"')}"` : s;
}

function commandOf(obj: unknown): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const o = obj as { command?: unknown; args?: unknown; type?: unknown; script?: unknown };
  // npm tasks name a package.json script; VS Code runs it with `npm run <script>`.
  if (o.type === 'npm' && typeof o.script === 'string' && o.command === undefined) return `npm run ${o.script}`;
  let cmd = typeof o.command === 'string' ? o.command : Array.isArray(o.command) ? o.command.map(quoteArg).join(' ') : undefined;
  if (cmd === undefined && o.command && typeof o.command === 'object' && 'value' in o.command) cmd = String((o.command as { value: unknown }).value);
  if (cmd === undefined) return undefined;
  if (Array.isArray(o.args) && o.args.length) cmd = `${cmd} ${o.args.map(quoteArg).join(' ')}`;
  return cmd;
}

function isHidden(presentation: unknown): string[] {
  if (!presentation || typeof presentation !== 'object') return [];
  const p = presentation as Record<string, unknown>;
  const out: string[] = [];
  if (p.reveal === 'never' || p.reveal === 'silent') out.push(`reveal: ${p.reveal}`);
  if (p.echo === false) out.push('echo: false');
  if (p.close === true) out.push('close: true');
  if (p.focus === false && p.reveal === 'never') out.push('focus: false');
  if (p.panel === 'dedicated' && p.reveal === 'never') out.push('panel: dedicated');
  return out;
}

/** Parse a tasks array node; `baseDir` is the folder VS Code opens (the parent of .vscode). */
export function collectTasks(doc: JsonDoc, tasksNode: Node | undefined, file: string, baseDir: string, sink: InventorySink, globalPresentation?: unknown): void {
  if (!tasksNode || tasksNode.type !== 'array' || !tasksNode.children) return;
  const tasks = tasksNode.children.map((n) => ({ node: n, value: valueOf(n) as Record<string, unknown> | undefined }));
  const byLabel = new Map<string, (typeof tasks)[number]>();
  for (const t of tasks) if (t.value && typeof t.value.label === 'string') byLabel.set(t.value.label, t);

  // Tasks that run on folder open, and every task they depend on.
  const auto = new Map<(typeof tasks)[number], string>();
  const queue: [(typeof tasks)[number], string][] = [];
  for (const t of tasks) {
    const runOn = (t.value?.runOptions as { runOn?: unknown } | undefined)?.runOn;
    if (runOn === 'folderOpen') queue.push([t, 'folderOpen']);
  }
  while (queue.length) {
    const [t, why] = queue.shift()!;
    if (auto.has(t)) continue;
    auto.set(t, why);
    const deps = t.value?.dependsOn;
    const list = typeof deps === 'string' ? [deps] : Array.isArray(deps) ? deps : [];
    for (const d of list) {
      const label = typeof d === 'string' ? d : d && typeof d === 'object' ? (d as { label?: string }).label : undefined;
      const dep = label ? byLabel.get(label) : undefined;
      if (dep) queue.push([dep, `dependsOn of a folderOpen task`]);
    }
  }

  for (const t of tasks) {
    if (!t.value || typeof t.value !== 'object') continue;
    const label = typeof t.value.label === 'string' ? t.value.label : '(unlabelled)';
    const trigger = auto.get(t);
    const hidden = isHidden(t.value.presentation ?? globalPresentation);
    const npmPath = t.value.type === 'npm' && typeof t.value.path === 'string' ? t.value.path : undefined;
    const cwd = (t.value.options as { cwd?: unknown } | undefined)?.cwd ?? npmPath;
    const dir = typeof cwd === 'string' ? (path.posix.normalize(path.posix.join(baseDir || '.', cwd.replace(/\$\{workspaceFolder\}\/?/g, ''))).replace(/^\.$/, '')) : baseDir;
    const variants: [string, unknown, Node | undefined][] = [['', t.value, nodeAt(doc, ['command'], t.node)]];
    for (const os of OSES) {
      if (t.value[os]) variants.push([os, { ...t.value, ...(t.value[os] as object) }, nodeAt(doc, [os, 'command'], t.node) ?? nodeAt(doc, [os], t.node)]);
    }
    const seen = new Set<string>();
    for (const [os, obj, cmdNode] of variants) {
      const command = commandOf(obj);
      if (!command || seen.has(command)) continue;
      seen.add(command);
      const line = lineOf(doc, cmdNode) ?? lineOf(doc, t.node);
      const cmd: AutoRunCommand = {
        trigger: `vscode:${trigger ? 'folderOpen' : 'task'}${os ? `:${os}` : ''}`,
        surface: 'editor-task',
        command,
        automatic: !!trigger,
        where: { file, line, snippet: snippet(command) },
        attributes: {
          label,
          baseDir: dir,
          ...(trigger ? { runOn: trigger } : {}),
          ...(hidden.length ? { hidden: hidden.join(', ') } : {}),
        },
      };
      sink.autoRun.push(cmd);
    }
  }
}

export const vscodeTasks: InventoryParser = {
  id: 'editor/vscode',
  matches: (p) => p === '.vscode/tasks.json' || p.endsWith('/.vscode/tasks.json') || p.endsWith('.code-workspace'),
  parse(file, text, sink) {
    const doc = parseJsonc(text);
    if (!doc.root) {
      sink.diagnostic({ code: 'parse-error', message: `cannot parse (${doc.errors[0] ?? 'empty'})`, file: file.path, incomplete: true });
      return;
    }
    if (doc.errors.length) {
      sink.diagnostic({ code: 'parse-error', message: `JSONC errors (${doc.errors.join('; ')}); what could be read was analysed`, file: file.path, incomplete: true });
    }
    const isWorkspace = file.path.endsWith('.code-workspace');
    const parent = path.posix.dirname(file.path);
    const baseDir = isWorkspace ? (parent === '.' ? '' : parent) : parent === '.vscode' ? '' : path.posix.dirname(parent);
    const tasksNode = isWorkspace ? nodeAt(doc, ['tasks', 'tasks']) : nodeAt(doc, ['tasks']);
    const presentation = valueOf(isWorkspace ? nodeAt(doc, ['tasks', 'presentation']) : nodeAt(doc, ['presentation']));
    collectTasks(doc, tasksNode, file.path, baseDir, sink, presentation);
  },
};
