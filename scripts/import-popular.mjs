#!/usr/bin/env node
// Writes signatures/popular/npm-high-impact.txt from the npm-high-impact package (Titus Wormer, MIT): the names npm
// itself calls high-impact — 1,000,000+ downloads a week, or 500+ dependent packages. typosquat-package never reports
// one of these names as a look-alike: a package that popular is established, whatever it is one edit from.
// Names are facts; the file keeps only them, with the provenance in its header.
//
// Usage: npm install --no-save npm-high-impact@<version> && node scripts/import-popular.mjs [path/to/npm-high-impact]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = path.resolve(process.argv[2] ?? path.join(ROOT, 'node_modules', 'npm-high-impact'));
const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const { npmHighImpact } = await import(pathToFileURL(path.join(dir, 'index.js')).href);
const names = [...new Set(npmHighImpact.filter((n) => typeof n === 'string' && /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(n)))].sort();
const header = [
  `# npm's high-impact packages: 1,000,000+ downloads a week or 500+ dependents (${names.length} names).`,
  `# Source: the npm package ${pkg.name}@${pkg.version} (${pkg.license}, ${typeof pkg.author === 'string' ? pkg.author.split('<')[0].trim() : 'Titus Wormer'}), export npmHighImpact;`,
  '# imported by scripts/import-popular.mjs. typosquat-package treats every name here as established: never a look-alike.',
];
writeFileSync(path.join(ROOT, 'signatures', 'popular', 'npm-high-impact.txt'), `${header.join('\n')}\n${names.join('\n')}\n`);
console.log(`npm-high-impact.txt: ${names.length} names from ${pkg.name}@${pkg.version}`);
