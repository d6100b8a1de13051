import { defineRule } from './define-rule.js';
import { factLocation, label } from '../registry/locate.js';

export default defineRule({
  meta: {
    id: 'registry-provenance-dropped',
    title: 'Provenance present on the previous version and missing on this one',
    description:
      'A package that published with provenance attestations (built in CI from a known repository) and then publishes a version without them was probably ' +
      'published from somewhere else — a stolen token on a laptop is the usual story. Packages that never had provenance stay quiet. Needs registry facts.',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T18'],
    remediation: 'Pin the previous version until the maintainers confirm this release.',
  },
  check(ctx) {
    for (const f of ctx.registry?.packages ?? []) {
      if (!f.previousProvenance || f.provenance !== false) continue;
      ctx.report({
        message: `${label(f)}: published without provenance, while ${f.previousVersion} had it`,
        location: factLocation(f),
        evidence: [{ kind: 'note', value: `${f.previousVersion}: provenance attested; ${f.version}: none` }],
        key: `${f.name}@${f.version}`,
      });
    }
  },
});
