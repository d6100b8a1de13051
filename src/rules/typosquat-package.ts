import { defineRule } from './define-rule.js';
import { SquatIndex, type SquatMatch } from '../signatures/typosquat.js';
import type { Signatures } from '../signatures/types.js';

const indexes = new WeakMap<Signatures, SquatIndex>();
function indexFor(s: Signatures): SquatIndex {
  let idx = indexes.get(s);
  if (!idx) {
    idx = new SquatIndex(s.popular, s.popular.npmDistinct);
    indexes.set(s, idx);
  }
  return idx;
}

function how(m: SquatMatch): string {
  switch (m.kind) {
    case 'edit-distance':
      return `${m.distance} edit${m.distance === 1 ? '' : 's'} from`;
    case 'separator':
      return 'the same letters, different separators, as';
    case 'homoglyph':
      return 'a homoglyph spelling (1/l, 0/o, rn/m) of';
    case 'scope-confusion':
      return 'a scope look-alike of';
    case 'brand-suffix':
      return 'a brand name plus a generic suffix, after';
  }
}

export default defineRule({
  meta: {
    id: 'typosquat-package',
    title: 'Dependency name that imitates a popular npm package',
    description:
      'Compares every npm dependency name that is not itself popular with the 5,000 most downloaded npm packages (signatures/popular/): ' +
      'one edit (two for names of 8+ characters, adjacent swaps count as one), the same letters with other separators, homoglyphs (1/l, 0/o, rn/m, vv/w), ' +
      'a scope flattened into the name or a scope one edit off, and brand names plus -sdk, -validator, -logger, .js. ' +
      'Medium for a direct dependency, low for a transitive one; names that are both popular (clsx/xlsx, recharts/echarts) are never reported.',
    severity: 'medium',
    confidence: 'medium',
    techniques: ['T02'],
    remediation: 'Check that the name is the package you meant (compare the registry page, author and weekly downloads with the popular one) before installing.',
  },
  check(ctx) {
    // Building the index costs a few hundred ms: only when there is an npm name that is not itself popular.
    let idx: SquatIndex | undefined;
    const seen = new Set<string>();
    for (const pkg of ctx.inventory.packages) {
      if (pkg.ecosystem !== 'npm') continue;
      const key = `${pkg.where.file}\0${pkg.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // Known-malicious names are reported, with more certainty, by known-malicious-package.
      if (ctx.signatures.packages.hasName('npm', pkg.name)) continue;
      if (ctx.signatures.popular.npm.has(pkg.name)) continue;
      idx ??= indexFor(ctx.signatures);
      const m = idx.check(pkg.name);
      if (!m) continue;
      const direct = pkg.direct;
      ctx.report({
        message: `"${pkg.name}" is ${how(m)} the popular package "${m.target}" (${m.targetDownloads.toLocaleString('en-US')} downloads a month)${direct ? '' : `, as a transitive dependency${pkg.path && pkg.path.length > 1 ? ` via ${pkg.path.join(' → ')}` : ''}`}.`,
        location: pkg.where,
        severity: direct ? 'medium' : 'low',
        confidence: 'medium',
        evidence: [
          { kind: 'package', value: `npm ${pkg.name}${pkg.version ? `@${pkg.version}` : ''}`, location: pkg.where },
          { kind: 'trait', value: `${m.kind}${m.distance ? ` (distance ${m.distance})` : ''} → ${m.target}` },
        ],
        key: `${pkg.name}\0${m.target}`,
      });
    }
  },
});
