/**
 * ReDoS audit of every regex that runs on scanned content (see regexes.ts for how they are gathered).
 *
 * 1. Structural: recheck (automaton analysis, fuzzing where the automaton cannot decide, fixed seed) must call
 *    each regex with a repetition safe. The few it calls polynomial are listed below with the bound that makes
 *    them harmless; a new one fails the test until it is fixed or its bound is written down here.
 * 2. Hostile runs: every regex runs on long runs of the characters it repeats, followed by a failing character,
 *    under a generous hang guard (not a timing assertion: a case that takes seconds on 20,000 characters is a hang).
 */
import assert from 'node:assert/strict';
import { check } from 'recheck';
import { hostileInputs, signatureRegexes, sourceRegexes, type AuditedRegex } from './regexes.js';

/** Regexes recheck reports as polynomial, and why they cannot hang a scan. Keyed by `where` without the line. */
const BOUNDED: Record<string, string> = {
  // Runs on this.src(argList, 400): at most 400 characters, so 80 × 400 steps.
  'src/analysis/python/facts.ts \\bpip\\b[^)]{1,80}install\\b': 'input capped at 400 characters by the caller',
};

function key(r: AuditedRegex): string {
  return `${r.where.replace(/:\d+$/, '')} ${r.source}`;
}

function hasRepetition(source: string): boolean {
  return /[*+}]/.test(source.replace(/\\./g, ''));
}

describe('ReDoS audit: every regex that runs on scanned content', function () {
  this.timeout(600_000);
  const { literals, dynamic } = sourceRegexes();
  const data = signatureRegexes();
  const all = [...literals, ...data];

  it('finds the regexes (a sanity floor, so a broken collector cannot pass silently)', () => {
    assert.ok(literals.length > 200, `only ${literals.length} regex literals in src/`);
    assert.ok(data.length > 40, `only ${data.length} regexes in signatures/patterns`);
    // Regexes built at run time from something other than a literal: each is built from the signature data
    // audited here or from escaped literal text. A new one must be looked at and added to this list.
    assert.deepEqual(
      dynamic.map((d) => d.replace(/:\d+$/, '')).sort(),
      [
        'src/analysis/bundle.ts',
        'src/analysis/command.ts',
        'src/analysis/command.ts',
        'src/analysis/installers.ts',
        'src/analysis/js/string-table.ts',
        'src/analysis/source-index.ts',
        // Region places: sink names and module names from the signature data, escaped, as one alternation of literal
        // text between word boundaries; and `require\s*\(\s*` or `from ['"]` before the module alternation.
        'src/analysis/source-index.ts',
        'src/analysis/source-index.ts',
        'src/analysis/urls.ts',
        // A junk-token pattern from the scanned script, compiled only when it is a plain run of word characters.
        'src/analysis/web/clipboard.ts',
        'src/rules/clickfix-page.ts',
        'src/rules/config-injection.ts',
        // A socket's name, matched as [A-Za-z_]\w{0,60}(\.…)? and its dot escaped: literal text.
        'src/rules/python-lure.ts',
        'src/rules/python-lure.ts',
        // Wallet ids and profile paths from the signature data, escaped: one alternation of literal text.
        'src/rules/stealer-fingerprint.ts',
      ],
    );
  });

  it('recheck finds no super-linear regex outside the documented bounded ones', async () => {
    const bad: string[] = [];
    const tolerated: string[] = [];
    for (const r of all.filter((x) => hasRepetition(x.source))) {
      const d = await check(r.source, r.flags, { timeout: 10_000, randomSeed: 1, checker: 'auto' });
      if (d.status === 'safe') continue;
      const why = BOUNDED[key(r)];
      if (why) tolerated.push(key(r));
      else bad.push(`${r.where} /${r.source}/${r.flags}: ${d.status}${d.status === 'vulnerable' ? ` (${d.complexity.summary}; attack ${d.attack.pattern})` : ''}`);
    }
    assert.deepEqual(bad, [], `super-linear regexes:\n${bad.join('\n')}`);
  });

  it('each regex on 20,000-character hostile runs finishes within a generous guard', () => {
    const slow: string[] = [];
    for (const r of all) {
      const re = new RegExp(r.source, r.flags.replace('g', '').replace('y', ''));
      const started = performance.now();
      for (const input of hostileInputs(r)) re.test(input);
      const ms = performance.now() - started;
      if (ms > 5_000) slow.push(`${r.where} /${r.source}/ took ${Math.round(ms)} ms`);
    }
    assert.deepEqual(slow, []);
  });

  it('regression: the two regexes the audit found are linear on their attack strings', () => {
    // env-config JSON_PAIR: a long run of key characters; prebuilt-binary ORDINARY: a path of many __pycache__/.
    const pair = literals.find((r) => r.where.startsWith('src/analysis/env-config.ts') && r.source.includes('{1,8192}'))!;
    const ordinary = literals.find((r) => r.where.startsWith('src/rules/prebuilt-binary.ts') && r.source.includes('__pycache__'))!;
    assert.ok(pair && ordinary);
    const cases: [AuditedRegex, string][] = [
      [pair, `${'-'.repeat(400_000)}\u0000`],
      [ordinary, `d${'/__pycache__/j'.repeat(100_000)}\n`],
    ];
    for (const [r, input] of cases) {
      const started = performance.now();
      new RegExp(r.source, r.flags.replace('g', '')).test(input);
      const ms = performance.now() - started;
      assert.ok(ms < 5_000, `${r.where} took ${Math.round(ms)} ms on ${input.length} characters`);
    }
  });
});
