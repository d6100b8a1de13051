/**
 * Start-up stays cheap (docs/BENCHMARKS.md, "CLI start-up"): the CLI's static import graph holds only commander and
 * the command definitions, and a scan's holds no client or reader that only some targets need. Asserted from the
 * import graph, so a new top-level import of a heavy module fails here instead of quietly costing every command.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';

const SRC = path.join(ROOT, 'src');

/** Modules a file imports for their values when it loads: `import type` and dynamic `import()` do not count. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^[ \t]*(import|export)[ \t](?!type[ \t])[^'";]*from[ \t]+['"]([^'"]+)['"]/gm), ...text.matchAll(/^[ \t]*import[ \t]+['"]([^'"]+)['"]/gm)].map((m) => m[2] ?? m[1]);
}

/** Every source file and package loaded by importing `entry`, following static imports only. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [path.join(SRC, entry)];
  while (todo.length) {
    const file = todo.pop()!;
    const rel = path.relative(SRC, file).split(path.sep).join('/');
    if (files.has(rel)) continue;
    files.add(rel);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) todo.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return { files, packages };
}

describe('CLI start-up: what loads before a command runs', () => {
  it('the CLI entry loads commander and the command definitions only', () => {
    const { files, packages } = closure('cli/main.ts');
    assert.deepEqual([...packages].sort(), ['commander']);
    const heavy = [...files].filter((f) => /^(?:scan|target|index)\.ts$|^(?:rules|analysis|acquire|ecosystems|engine\/(?:run|inventory)|github\/client|registry|org\/(?!types)|config\/load|signatures\/(?:load|update|package-db))/.test(f) || (/^reporters\//.test(f) && f !== 'reporters/escape.ts'));
    assert.deepEqual(heavy, []);
  });

  it('a scan does not load what only some targets need (git, archives, the registry, yarn lockfiles, GitHub)', () => {
    const { packages } = closure('scan.ts');
    const onDemand = ['simple-git', 'yauzl', 'tar-stream', 'npm-registry-fetch', 'npm-package-arg', 'ssri', '@yarnpkg/lockfile', '@yarnpkg/parsers', '@octokit/rest', 'ajv'];
    assert.deepEqual(onDemand.filter((p) => packages.has(p)), []);
  });
});
