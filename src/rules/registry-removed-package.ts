import { defineRule } from './define-rule.js';
import type { Evidence } from '../types.js';
import { factLocation, label } from '../registry/locate.js';
import { startPathSites } from '../analysis/require-sites.js';

export default defineRule({
  meta: {
    id: 'registry-removed-package',
    title: 'Dependency the registry removed',
    description:
      'A dependency the registry no longer serves (404, or a 401/403 sent without credentials, such as npm\'s "This package version is not available.") ' +
      'although the repository shows versions of it were published: a lockfile entry with integrity, or a range whose lowest version is above 0.0.0. ' +
      'Registries remove malware, so this is a package taken down, not a name nobody owns. High; critical when the path that runs by itself loads it: ' +
      'an install hook (`prepare`, `postinstall` …), `start`/`dev`, a folder-open task or devcontainer command, the file it runs, or a file that file requires. ' +
      'Needs registry facts (`--online`).',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T18', 'T01'],
    remediation:
      'Do not install or start this project. The package was most likely removed for malware: if it was installed, treat the machine as compromised and rotate ' +
      'credentials from a clean machine. Ask where the dependency came from; remove it and every line that loads it.',
  },
  async check(ctx) {
    const removed = (ctx.registry?.packages ?? []).filter((f) => f.removed);
    if (!removed.length) return;
    const sites = await startPathSites(ctx, new Set(removed.map((f) => f.name)));
    for (const f of removed) {
      const site = sites.get(f.name);
      const answered = f.registryAnswer ? ` (${f.registryAnswer})` : '';
      const evidence: Evidence[] = [
        { kind: 'package', value: `${label(f)} → ${f.registry ?? ctx.registry?.registry}${answered}`, ...(f.where ? { location: factLocation(f) } : {}) },
        ...(f.publishedEvidence ? [{ kind: 'note' as const, value: f.publishedEvidence }] : []),
      ];
      if (site) evidence.push({ kind: 'chain', value: [...site.chain, `loads ${f.name}`].join(' → '), location: { file: site.file, line: site.line, snippet: site.snippet } });
      const path = site ? `; the path that runs by itself loads it: ${site.chain.join(' → ')}` : '';
      ctx.report({
        message: `${f.name}: removed from the registry — ${f.registry ?? ctx.registry?.registry} no longer serves it${answered}, but ${f.publishedEvidence ?? 'the repository shows it was published'}${path}. Registries remove malware.`,
        location: factLocation(f),
        severity: site ? 'critical' : 'high',
        confidence: site ? 'high' : 'medium',
        evidence,
        key: f.name,
      });
    }
  },
});
