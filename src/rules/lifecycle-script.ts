import { defineRule } from './define-rule.js';
import { autoRunFinding, judgeAutoRun } from '../analysis/autorun.js';
import { rank } from '../analysis/urls.js';
import { inNodeModules } from '../analysis/bundle.js';

export default defineRule({
  meta: {
    id: 'lifecycle-script',
    title: 'npm lifecycle script that downloads, hides or starts code at install',
    description:
      'preinstall, install, postinstall and prepare run on a plain `npm install`; prestart/predev run before the first `npm start`. ' +
      'The rule analyses the command and everything it runs (npm scripts, shell scripts, the files it hands to node) and reports downloads piped into a shell, ' +
      'inline code that reaches the network, encoded PowerShell, background launches, C2 URLs, disguised files and installs that start the app.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T03', 'T15', 'T16'],
    remediation: 'Do not install this project. Read the script and every file it runs first; install with `npm install --ignore-scripts` if you must look at its dependencies.',
  },
  async check(ctx) {
    for (const s of ctx.inventory.installScripts) {
      const j = await judgeAutoRun(s, ctx, s.automatic);
      const inDeps = inNodeModules(s.manifest);
      const f = autoRunFinding(s, j, `${s.automatic ? 'Install' : 'Start'} script "${s.hook}" (${s.manifest})`);
      if (!f) continue;
      // A manifest inside a committed node_modules is not what `npm install` runs for this project.
      if (inDeps && rank(f.severity!) > rank('medium')) {
        f.severity = 'medium';
        f.confidence = 'medium';
      }
      ctx.report(f);
    }
  },
});
