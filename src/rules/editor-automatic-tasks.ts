import { defineRule } from './define-rule.js';
import { lineOf, nodeAt, parseJsonc, valueOf } from '../ecosystems/jsonc.js';
import { snippet } from '../analysis/text.js';

export default defineRule({
  meta: {
    id: 'editor-automatic-tasks',
    title: 'Workspace settings that let tasks run without asking',
    description:
      '`"task.allowAutomaticTasks": "on"` in .vscode/settings.json or a *.code-workspace removes the prompt VS Code shows before a folderOpen task runs. ' +
      'A repository has no need to decide that for its reader. Medium alone; high when the same repository has folderOpen tasks.',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T11'],
    remediation: 'Remove the setting, and check .vscode/tasks.json before opening the folder in a trusted window.',
  },
  async check(ctx) {
    const hasAutoTasks = ctx.inventory.autoRun.some((c) => c.surface === 'editor-task' && c.automatic);
    for (const file of ctx.workspace.files) {
      const isSettings = /(?:^|\/)\.vscode\/settings\.json$/.test(file.path);
      const isWorkspace = file.path.endsWith('.code-workspace');
      if (file.kind !== 'file' || (!isSettings && !isWorkspace)) continue;
      const text = await file.text();
      if (!text || !text.includes('allowAutomaticTasks')) continue;
      const doc = parseJsonc(text);
      const node = nodeAt(doc, isWorkspace ? ['settings', 'task.allowAutomaticTasks'] : ['task.allowAutomaticTasks']);
      const value = valueOf(node);
      if (value !== 'on' && value !== true) continue;
      const line = lineOf(doc, node);
      ctx.report({
        severity: hasAutoTasks ? 'high' : 'medium',
        message: `${file.path} sets task.allowAutomaticTasks to "${String(value)}"${hasAutoTasks ? ', and this repository has tasks that run on folder open' : ''}`,
        location: { file: file.path, line, snippet: line ? snippet(doc.lines.line(line)) : undefined },
        evidence: [{ kind: 'note', value: 'VS Code runs folderOpen tasks without a prompt when this is on' }],
        key: 'allowAutomaticTasks',
      });
    }
  },
});
