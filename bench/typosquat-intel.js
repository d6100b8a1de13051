// typosquat-package recall on published malicious names: which of the npm names in the intel (DPRK packages, npm
// security-holding names) the look-alike check matches, as if the known-malicious index were empty (signatures off).
// Usage: npm run build && node bench/typosquat-intel.js [--intel ../shared/intel] [--list]
//   (from a worktree whose ../shared is elsewhere, pass --intel with the folder that holds the intel files)
//   medium  a match that reads as a typo: the rule reports it medium for a direct dependency
//   low     a near name that reads as another word: the rule reports it low for a direct dependency
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const i = args.indexOf('--intel');
const intel = path.resolve(ROOT, i >= 0 ? args[i + 1] : '../shared/intel');
const { SquatIndex } = await import(path.join(ROOT, 'build/signatures/typosquat.js'));
const { loadSignatures } = await import(path.join(ROOT, 'build/signatures/load.js'));

const sig = loadSignatures();
// Three reference sets, so a change to the lists shows its effect on recall:
//   top-5000            the 5,000 most downloaded names as targets, the known-distinct list as established (before)
//   +high-impact        the same targets; npm's high-impact names (npm-high-impact.txt) established too
//   high-impact-targets the high-impact names are targets as well (one edit; two only from the top 5,000): the rule
const highImpact = sig.popular.npmHighImpact ?? new Set();
const configs = [
  ['top-5000', new SquatIndex(sig.popular, sig.popular.npmDistinct), (n) => sig.popular.npm.has(n)],
  ['+high-impact', new SquatIndex(sig.popular, [...sig.popular.npmDistinct, ...highImpact]), (n) => sig.popular.npm.has(n) || highImpact.has(n)],
  [
    'high-impact-targets',
    new SquatIndex({ ...sig.popular, npm: new Map([...[...highImpact].map((n) => [n, 0]), ...sig.popular.npm]) }, sig.popular.npmDistinct),
    (n) => sig.popular.npm.has(n) || highImpact.has(n),
  ],
];
const names = (file, column) =>
  existsSync(file)
    ? [...new Set(readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split(/\s/)[column]))].filter((n) => n && n !== 'name')
    : [];

for (const [label, file] of [
  ['npm-dprk-packages.tsv', path.join(intel, 'npm-dprk-packages.tsv')],
  ['npm-security-holding.txt', path.join(intel, 'npm-security-holding.txt')],
]) {
  const list = names(file, 0);
  if (!list.length) {
    console.error(`${file} not found or empty; skipped`);
    continue;
  }
  for (const [config, idx, established] of configs) {
    const skipped = list.filter((n) => established(n));
    // As the rule does: a flattened scope of a name known only as high-impact (no download count) is low.
    const judged = (m) => (m && m.kind === 'scope-confusion' && !m.targetDownloads && !m.otherWord ? { ...m, otherWord: 'unscoped name next to a scoped high-impact package' } : m);
    const rows = list.filter((n) => !established(n)).map((n) => [n, judged(idx.check(n))]).filter(([, m]) => m);
    const medium = rows.filter(([, m]) => !m.otherWord);
    const low = rows.filter(([, m]) => m.otherWord);
    console.log(`${label} [${config}]: ${list.length} names, matched ${rows.length} (medium ${medium.length}, low ${low.length}); ${skipped.length} are themselves established${skipped.length ? ` (${skipped.join(', ')})` : ''}`);
    if (args.includes('--list'))
      for (const [n, m] of rows) console.log(`  ${m.otherWord ? 'low   ' : 'medium'} ${n} → ${m.target} (${m.kind}${m.distance ? ` ${m.distance}` : ''})${m.otherWord ? `: ${m.otherWord}` : ''}`);
  }
}
