import { defineRule } from './define-rule.js';
import { factLocation } from '../registry/locate.js';

export default defineRule({
  meta: {
    id: 'registry-missing-package',
    title: 'Dependency that does not exist on the registry',
    description:
      'A dependency name the configured registry answers 404 for can be published by anyone: the next `npm install` gets whatever they upload (dependency confusion). ' +
      'Private packages that live on a scoped company registry are looked up on that registry (from .npmrc) and stay quiet when they exist there. Needs `--online`.',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T18', 'T02'],
    remediation: 'Publish (or reserve) the name on the registry, scope it to your organisation, or point the scope at your private registry in .npmrc.',
  },
  check(ctx) {
    for (const f of ctx.registry?.packages ?? []) {
      // A package the tree shows was published and the registry removed is registry-removed-package's.
      if (f.exists || f.removed) continue;
      ctx.report({
        message: `${f.name}: not found on ${f.registry ?? ctx.registry?.registry} — anyone can publish this name and the next install would fetch it`,
        location: factLocation(f),
        evidence: [{ kind: 'package', value: `${f.name} → 404 on ${f.registry ?? ctx.registry?.registry}` }],
        key: f.name,
      });
    }
  },
});
