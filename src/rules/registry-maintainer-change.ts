import { defineRule } from './define-rule.js';
import { factLocation, label } from '../registry/locate.js';

export default defineRule({
  meta: {
    id: 'registry-maintainer-change',
    title: 'Maintainers changed at this version',
    description:
      'Compares the maintainers recorded on the resolved version with those of the previous version. When none of the previous maintainers remain, the package ' +
      'changed hands (sold, transferred or taken over): high. A maintainer added next to the old ones is medium. Same maintainers stay quiet. Needs registry facts.',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T18'],
    remediation: 'Check who published this version and why the maintainers changed before installing it; pin the previous version meanwhile.',
  },
  check(ctx) {
    for (const f of ctx.registry?.packages ?? []) {
      if (!f.maintainers || !f.previousMaintainers) continue;
      const before = new Set(f.previousMaintainers);
      const added = f.maintainers.filter((m) => !before.has(m));
      if (!added.length) continue;
      const kept = f.maintainers.filter((m) => before.has(m));
      ctx.report({
        severity: kept.length ? 'medium' : 'high',
        message: `${label(f)}: ${kept.length ? `new maintainer(s) ${added.join(', ')} next to ${kept.join(', ')}` : `all maintainers changed: ${f.previousMaintainers.join(', ')} → ${f.maintainers.join(', ')}`} since ${f.previousVersion}`,
        location: factLocation(f),
        evidence: [{ kind: 'note', value: `${f.previousVersion}: ${f.previousMaintainers.join(', ')}; ${f.version}: ${f.maintainers.join(', ')}` }],
        key: `${f.name}@${f.version}`,
      });
    }
  },
});
