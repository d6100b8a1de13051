import { defineRule } from './define-rule.js';
import { autoRunFinding, judgeAutoRun } from '../analysis/autorun.js';

export default defineRule({
  meta: {
    id: 'editor-task-autorun',
    title: 'Editor task that runs when the folder is opened',
    description:
      'A VS Code task with `"runOptions": {"runOn": "folderOpen"}` (in .vscode/tasks.json or a *.code-workspace) runs as soon as the folder is opened and trusted. ' +
      'Every OS variant and every task it depends on is analysed with the command analyser; hidden presentation (reveal never, echo false, close true) raises the severity. ' +
      'Watchers and dev servers stay at warn; tasks someone must start by hand are only reported for dangerous shapes.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T11', 'T15', 'T16'],
    remediation: 'Do not open this folder in VS Code (or open it in Restricted Mode). Delete the task or read every command it runs first.',
  },
  async check(ctx) {
    for (const cmd of ctx.inventory.autoRun) {
      if (cmd.surface !== 'editor-task') continue;
      const j = await judgeAutoRun(cmd, ctx);
      if (!cmd.automatic && j.severity !== 'critical' && j.severity !== 'high') continue;
      const label = String(cmd.attributes?.label ?? '');
      const os = /:(?:osx|linux|windows)$/.test(cmd.trigger) ? ` (${cmd.trigger.split(':').pop()})` : '';
      const what = `${cmd.automatic ? 'Task that runs on folder open' : 'Task'} "${label}"${os}`;
      // Watchers and dev servers on folder open are ordinary, but a reader should still see that something runs.
      const f = autoRunFinding(cmd, j, what, cmd.automatic ? 'medium' : 'low') ?? (cmd.automatic ? autoRunFinding(cmd, { ...j, benign: false }, what, 'low') : undefined);
      if (f) ctx.report(f);
    }
  },
});
