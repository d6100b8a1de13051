import { defineRule } from './define-rule.js';
import { lineOf, nodeAt, parseJsonc, valueOf } from '../ecosystems/jsonc.js';
import { snippet } from '../analysis/text.js';
import { judgeAutoRun } from '../analysis/autorun.js';
import { rank } from '../analysis/urls.js';
import type { Severity } from '../types.js';

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
    const autoTasks = ctx.inventory.autoRun.filter((c) => c.surface === 'editor-task' && c.automatic);
    const hasAutoTasks = autoTasks.length > 0;
    // What the setting lets run: folderOpen tasks that are only watchers, dev servers or ordinary tools (THREATS T11:
    // legitimate) make it a convenience; anything the command analyser finds worse makes it the lure's accomplice.
    let worst: Severity = 'info';
    for (const c of autoTasks) {
      const j = await judgeAutoRun(c, ctx);
      const sev: Severity = j.benign || (j.devServer && rank(j.severity) < rank('medium')) ? 'info' : j.severity;
      if (rank(sev) > rank(worst)) worst = sev;
    }
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
        severity: !hasAutoTasks ? 'medium' : rank(worst) >= rank('medium') ? 'high' : 'low',
        message: `${file.path} sets task.allowAutomaticTasks to "${String(value)}"${hasAutoTasks ? (rank(worst) >= rank('medium') ? ', and this repository has tasks that run on folder open' : ', so its folder-open tasks (watchers and dev servers only) start without a prompt') : ''}`,
        location: { file: file.path, line, snippet: line ? snippet(doc.lines.line(line)) : undefined },
        evidence: [{ kind: 'note', value: 'VS Code runs folderOpen tasks without a prompt when this is on' }],
        key: 'allowAutomaticTasks',
      });
    }
  },
});
