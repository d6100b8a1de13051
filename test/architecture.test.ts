/**
 * The dependency direction from STYLE.md, asserted from the import graph: the core never imports a shell, never
 * prints, never exits, and never reads the environment; only src/cli and src/action do.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SRC = path.join(ROOT, 'src');
const files = walk(SRC).map((f) => ({ rel: path.relative(SRC, f).replace(/\\/g, '/'), text: readFileSync(f, 'utf8') }));
const SHELLS = /^(?:cli|action)\//;
const GITHUB = /^(?:cli|action|github|org)\//;

function imports(text: string): string[] {
  return [...text.matchAll(/^[ \t]*(?:import|export)[ \t][^'"]*from[ \t]+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

describe('architecture', () => {
  it('nothing outside the shells imports a shell module', () => {
    const bad = files.filter((f) => !SHELLS.test(f.rel)).flatMap((f) => imports(f.text).filter((i) => /\/(?:cli|action)\//.test(i) || /^\.\.?\/(?:cli|action)\//.test(i)).map((i) => `${f.rel} → ${i}`));
    assert.deepEqual(bad, []);
  });

  it('commander and @actions/* are used only by the shells; Octokit only by shells and src/github', () => {
    const bad = files.flatMap((f) =>
      imports(f.text)
        .filter((i) => (/^commander$|^@actions\//.test(i) && !SHELLS.test(f.rel)) || (/^@octokit\//.test(i) && !GITHUB.test(f.rel)))
        .map((i) => `${f.rel} → ${i}`),
    );
    assert.deepEqual(bad, []);
  });

  it('the core never prints or exits', () => {
    const bad = files
      .filter((f) => !SHELLS.test(f.rel))
      .flatMap((f) =>
        f.text
          .split('\n')
          .map((line, i) => ({ line, i }))
          .filter(({ line }) => !/^\s*(?:\/\/|\*)/.test(line) && /\bprocess\.(?:exit|stdout|stderr)\b|\bconsole\.(?:log|error|warn|info)\(/.test(line))
          .map(({ i }) => `${f.rel}:${i + 1}`),
      );
    assert.deepEqual(bad, []);
  });

  it('reporters are pure: no file system, network or child processes', () => {
    const bad = files
      .filter((f) => f.rel.startsWith('reporters/'))
      .flatMap((f) => imports(f.text).filter((i) => /^(?:node:)?(?:fs|fs\/promises|child_process|net|http|https)$/.test(i)).map((i) => `${f.rel} → ${i}`));
    assert.deepEqual(bad, []);
  });
});
