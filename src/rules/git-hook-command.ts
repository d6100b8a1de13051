import { defineRule } from './define-rule.js';
import { autoRunFinding, judgeAutoRun } from '../analysis/autorun.js';

export default defineRule({
  meta: {
    id: 'git-hook-command',
    title: 'Git hook that runs a dangerous command',
    description:
      'Hooks in .husky/, .githooks/, lefthook.yml, simple-git-hooks or husky v4 config, and real hooks in a .git/hooks folder shipped inside an archive, run on commit, checkout or push. ' +
      'lint-staged, tests and formatters stay quiet; downloads, inline network code, background launches and C2 URLs are reported.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T12', 'T15', 'T16'],
    remediation: 'Do not commit in this repository until the hook is removed or read; run git with `-c core.hooksPath=/dev/null`.',
  },
  async check(ctx) {
    for (const cmd of ctx.inventory.autoRun) {
      if (cmd.surface !== 'git-hook') continue;
      const j = await judgeAutoRun(cmd, ctx);
      const inDotGit = cmd.attributes?.tool === '.git/hooks';
      const what = `Git hook ${cmd.trigger.replace(/^git-hook:/, '')}`;
      const f = autoRunFinding(cmd, j, what, inDotGit ? 'high' : 'low') ??
        (inDotGit ? autoRunFinding(cmd, { ...j, benign: false, severity: 'high' }, what, 'high') : undefined);
      if (!f) continue;
      if (inDotGit) {
        // A real hook inside .git/hooks only arrives in an archive: no clone ever carries one.
        f.message = `${f.message} (a live hook in .git/hooks, which no clone would carry)`;
        f.confidence = f.severity === 'critical' ? 'high' : 'medium';
      }
      ctx.report(f);
    }
  },
});
