import { defineRule } from './define-rule.js';
import { factLocation, label } from '../registry/locate.js';

export default defineRule({
  meta: {
    id: 'registry-repository-changed',
    title: 'Source repository URL changed at this version',
    description:
      'The repository a version claims to be built from differs from the one the previous version named (compared after normalising git+https, github: and .git forms). ' +
      'Look-alike packages and takeovers point at someone else\'s repository to borrow its reputation. Needs registry facts.',
    severity: 'medium',
    confidence: 'medium',
    techniques: ['T18'],
    remediation: 'Check that the new repository belongs to the same project before upgrading.',
  },
  check(ctx) {
    for (const f of ctx.registry?.packages ?? []) {
      if (!f.repository || !f.previousRepository || f.repository === f.previousRepository) continue;
      ctx.report({
        message: `${label(f)}: repository changed from ${f.previousRepository} (${f.previousVersion}) to ${f.repository}`,
        location: factLocation(f),
        evidence: [{ kind: 'note', value: `${f.previousVersion}: ${f.previousRepository}; ${f.version}: ${f.repository}` }],
        key: `${f.name}@${f.version}`,
      });
    }
  },
});
