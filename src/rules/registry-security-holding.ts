import { defineRule } from './define-rule.js';
import { factLocation, label } from '../registry/locate.js';

export default defineRule({
  meta: {
    id: 'registry-security-holding',
    title: 'Package that npm replaced with a security holding version',
    description:
      'npm replaces a package it removed for malware with a `0.0.1-security` holding version. A dependency or package whose latest version is a holding version, ' +
      'or whose name is on the bundled list of such packages (signatures/registry/npm-security-holding.json), was malicious. Needs registry facts (`lurescan package` or `--online`).',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T18', 'T01'],
    remediation: 'Remove the dependency, and treat any machine that installed an earlier version as compromised.',
  },
  check(ctx) {
    for (const f of ctx.registry?.packages ?? []) {
      if (!f.securityHolding) continue;
      ctx.report({
        message: `${label(f)}: npm replaced this package with a security holding version (latest: ${f.latest ?? 'unknown'}); it was removed for malware`,
        location: factLocation(f),
        evidence: [{ kind: 'package', value: `${f.name} latest=${f.latest ?? '?'} on ${f.registry ?? ctx.registry?.registry}` }],
        key: f.name,
      });
    }
  },
});
