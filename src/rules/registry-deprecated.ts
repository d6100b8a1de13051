import { defineRule } from './define-rule.js';
import { factLocation, label } from '../registry/locate.js';
import { snippet } from '../analysis/text.js';

export default defineRule({
  meta: {
    id: 'registry-deprecated',
    title: 'Deprecated version, or a deprecation that warns of compromise',
    description:
      'A deprecation message on the resolved version is reported as low; one that speaks of malware, compromise or a security issue is high. Needs registry facts.',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T18'],
    remediation: 'Read the deprecation message; move to the version or package it names.',
  },
  check(ctx) {
    for (const f of ctx.registry?.packages ?? []) {
      if (!f.deprecated) continue;
      const alarming = /malware|malicious|compromis|security|hijack|backdoor|do not (?:use|install)/i.test(f.deprecated);
      ctx.report({
        severity: alarming ? 'high' : 'low',
        message: `${label(f)} is deprecated: "${snippet(f.deprecated, 160)}"`,
        location: factLocation(f),
        evidence: [{ kind: 'note', value: f.deprecated }],
        key: `${f.name}@${f.version}`,
      });
    }
  },
});
