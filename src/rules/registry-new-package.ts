import { defineRule } from './define-rule.js';
import { daysBetween } from '../registry/facts.js';
import { factLocation, label } from '../registry/locate.js';
import { REGISTRY_DEFAULTS } from '../options.js';

export default defineRule({
  meta: {
    id: 'registry-new-package',
    title: 'Package or version only days old, or with very few versions',
    description:
      `Malicious packages live for days before the registry removes them. A package first published less than ${REGISTRY_DEFAULTS.newPackageDays} days before the scan, ` +
      `or with ${REGISTRY_DEFAULTS.fewVersions} versions or fewer, is medium; high when that version also has install scripts. Established packages stay quiet, ` +
      'and so does a fresh version of an old package without install scripts. Needs registry facts (`lurescan package` or `--online`).',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T18'],
    remediation: 'Prefer an established package; if you need this one, read its code and install scripts before installing it.',
  },
  check(ctx) {
    const asOf = ctx.registry?.asOf;
    if (!asOf) return;
    for (const f of ctx.registry?.packages ?? []) {
      if (!f.exists || f.error) continue;
      const ageDays = f.packageCreated ? daysBetween(asOf, f.packageCreated) : undefined;
      const young = ageDays !== undefined && ageDays < REGISTRY_DEFAULTS.newPackageDays;
      const few = f.versionCount !== undefined && f.versionCount <= REGISTRY_DEFAULTS.fewVersions;
      if (!young && !few) continue;
      const scripts = Object.keys(f.installScripts ?? {});
      const why = [young ? `first published ${Math.max(0, Math.floor(ageDays!))} day(s) before this scan` : '', few ? `${f.versionCount} version(s) published` : '']
        .filter(Boolean)
        .join(', ');
      ctx.report({
        severity: scripts.length ? 'high' : 'medium',
        message: `${label(f)}: ${why}${scripts.length ? `, and it runs install scripts (${scripts.join(', ')})` : ''}`,
        location: factLocation(f),
        evidence: [{ kind: 'package', value: `created ${f.packageCreated ?? '?'}, ${f.versionCount ?? '?'} versions, latest ${f.latest ?? '?'}` }],
        key: `${f.name}@${f.version ?? ''}`,
      });
    }
  },
});
