import { defineRule } from './define-rule.js';
import { factLocation, label } from '../registry/locate.js';
import { snippet } from '../analysis/text.js';

export default defineRule({
  meta: {
    id: 'registry-install-script-added',
    title: 'Install script that appeared in this version',
    description:
      'Compares the install scripts (preinstall, install, postinstall, prepare) of the resolved version with those of the version published before it. ' +
      'A script that appears or changes in a new version of an existing package is how hijacked packages (stolen maintainer tokens) deliver malware. ' +
      'Packages that always had the same install script (node-gyp rebuild, esbuild-style installers) stay quiet. Needs registry facts.',
    severity: 'high',
    confidence: 'high',
    techniques: ['T18', 'T03'],
    remediation: 'Pin the previous version and read the new script and every file it runs before upgrading.',
  },
  check(ctx) {
    for (const f of ctx.registry?.packages ?? []) {
      if (!f.installScripts || !f.previousVersion || !f.previousInstallScripts) continue;
      for (const [hook, cmd] of Object.entries(f.installScripts)) {
        const before = f.previousInstallScripts[hook];
        if (before === cmd) continue;
        ctx.report({
          message: `${label(f)}: "${hook}" ${before === undefined ? 'appears' : 'changed'} in this version (${f.previousVersion} ${before === undefined ? 'had none' : `ran \`${snippet(before, 60)}\``}): \`${snippet(cmd, 100)}\``,
          location: factLocation(f),
          evidence: [
            { kind: 'command', value: cmd },
            { kind: 'note', value: `previous version ${f.previousVersion}: ${before ?? '(no such script)'}` },
          ],
          key: `${f.name}@${f.version}:${hook}`,
        });
      }
    }
  },
});
