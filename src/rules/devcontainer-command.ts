import { defineRule } from './define-rule.js';
import { autoRunFinding, judgeAutoRun } from '../analysis/autorun.js';

export default defineRule({
  meta: {
    id: 'devcontainer-command',
    title: 'Dev container hook that runs a dangerous command',
    description:
      '`initializeCommand` runs on the host when a dev container is opened; onCreate/updateContent/postCreate/postStart/postAttach run in the container, which mounts the source and often credentials. ' +
      'Commands are analysed like install scripts; `npm ci` and similar stay quiet, downloads piped into a shell and C2 URLs do not.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T11', 'T15', 'T16'],
    remediation: 'Do not open this repository in a dev container until the hook is read and understood; initializeCommand runs on your machine, not in the container.',
  },
  async check(ctx) {
    for (const cmd of ctx.inventory.autoRun) {
      if (cmd.surface !== 'devcontainer') continue;
      const j = await judgeAutoRun(cmd, ctx);
      const host = cmd.attributes?.host === true;
      const f = autoRunFinding(cmd, j, `Dev container ${cmd.trigger.split(':')[1]}${host ? ' (runs on the host)' : ''}`);
      if (f) ctx.report(f);
    }
  },
});
