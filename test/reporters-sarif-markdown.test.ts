/** SARIF and Markdown reporters: golden files, schema validation, and escaping of attacker-written text. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, scanFolder } from './helpers.js';
import { buildSarif, renderSarif, artifactUri, FINGERPRINT_KEY } from '../src/reporters/sarif.js';
import { renderMarkdown, escapeMarkdown, escapeProse, inlineCode } from '../src/reporters/markdown.js';
import { RULES } from '../src/rules/index.js';
import type { RuleMeta } from '../src/rules/define-rule.js';
import type { ScanResult } from '../src/types.js';
import { validateSarif } from './support/sarif-schema.js';

const DIR = path.join(FIXTURES, 'reporters');
const result = JSON.parse(readFileSync(path.join(DIR, 'result.json'), 'utf8')) as ScanResult;
// Golden files must not change when someone adds a rule: describe a fixed set of rule metadata.
const META: RuleMeta[] = ['editor-task-autorun', 'lifecycle-script', 'prebuilt-binary'].map((id) => {
  const m = RULES.find((r) => r.meta.id === id)?.meta;
  return { id, title: `${id} title`, description: `${id} description`, severity: m?.severity ?? 'high', confidence: m?.confidence ?? 'high', techniques: ['T01'], remediation: 'Remediate.' };
});

/** Remove GFM code spans (a run of n backticks up to the next run of exactly n). */
function stripCodeSpans(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    if (md[i] !== '`') {
      out += md[i++];
      continue;
    }
    let n = 0;
    while (md[i + n] === '`') n++;
    const fence = '`'.repeat(n);
    let j = md.indexOf(fence, i + n);
    while (j >= 0 && md[j + n] === '`') j = md.indexOf(fence, j + n + 1);
    if (j < 0) {
      out += fence;
      i += n;
      continue;
    }
    i = j + n;
  }
  return out;
}

function golden(name: string, actual: string): void {
  const file = path.join(DIR, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 npx mocha … rewrites it; review the diff)`);
}

describe('SARIF reporter', () => {
  it('matches the golden file', () => {
    golden('expected.sarif', renderSarif(result, { rules: META, category: 'lurescan/root' }));
  });

  it('validates against the official SARIF 2.1.0 schema (golden input and a real lure scan)', async () => {
    assert.deepEqual(validateSarif(buildSarif(result, { rules: META })), []);
    const lure = await scanFolder(path.join(FIXTURES, 'repos', 'lure-tasks-curl'));
    const log = buildSarif(lure, { pathPrefix: 'fixtures/repos/lure-tasks-curl' });
    assert.deepEqual(validateSarif(log), []);
    assert.ok(log.runs[0].results!.length > 0);
  });

  it('every result has a region with startLine (what GitHub code scanning places a result by): whole-file binaries too', async () => {
    const dir = path.join(FIXTURES, 'rules', 'prebuilt-binary', 'positive');
    for (const name of readdirSync(dir)) {
      const log = buildSarif(await scanFolder(path.join(dir, name), { rules: ['prebuilt-binary'] }));
      const results = log.runs[0].results!;
      assert.ok(results.length > 0, name);
      for (const r of results) {
        for (const l of [...r.locations!, ...(r.relatedLocations ?? [])]) assert.ok((l.physicalLocation!.region?.startLine ?? 0) >= 1, `${name}: ${JSON.stringify(l)}`);
      }
      assert.deepEqual(validateSarif(log), [], name);
    }
  });

  it('the validator does reject invalid SARIF', () => {
    const log = buildSarif(result, { rules: META }) as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0].results[0].level = 'fatal';
    assert.ok(validateSarif(log).length > 0);
  });

  it('describes every registered rule with help URI, default level and security-severity', () => {
    const log = buildSarif({ ...result, findings: [] });
    const rules = log.runs[0].tool.driver.rules!;
    assert.equal(rules.length, RULES.length);
    for (const r of rules) {
      assert.match(r.helpUri!, new RegExp(`/docs/rules/${r.id}\\.md$`));
      assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration!.level!));
      assert.match(String(r.properties!['security-severity']), /^\d+\.\d$/);
    }
  });

  it('results have physical locations, rule indexes and stable partial fingerprints', () => {
    const log = buildSarif(result, { rules: META, pathPrefix: 'app' });
    const [first, second, third] = log.runs[0].results!;
    assert.equal(first.locations![0].physicalLocation!.artifactLocation!.uri, 'app/.vscode/tasks.json');
    assert.equal(first.locations![0].physicalLocation!.region!.startLine, 8);
    assert.equal(first.partialFingerprints![FINGERPRINT_KEY], '3f2a9c1d4e5b6a70');
    assert.equal(first.ruleIndex, 0);
    assert.equal(second.ruleIndex, 1);
    assert.deepEqual(third.locations![0].physicalLocation!.region, { startLine: 1 }, 'a whole-file finding points at the first line');
    assert.deepEqual(buildSarif(result, { rules: META }), buildSarif(result, { rules: META }));
  });

  it('percent-encodes artifact URIs', () => {
    const cases: [string, string, string][] = [
      ['a/b.js', '', 'a/b.js'],
      ['bin/tool file.exe', '', 'bin/tool%20file.exe'],
      ['x#y%z.js', 'sub', 'sub/x%23y%25z.js'],
      ['./a.js', '.', 'a.js'],
    ];
    for (const [file, prefix, want] of cases) assert.equal(artifactUri(file, prefix), want);
  });
});

describe('Markdown reporter', () => {
  it('matches the golden file', () => {
    golden('expected.md', renderMarkdown(result, { marker: '<!-- lurescan:summary key=. -->', note: 'Full scan.' }));
  });

  it('no scanned text can inject HTML, mentions, links or break the table', () => {
    const md = renderMarkdown(result);
    // Code spans are literal text in GFM: what matters is everything outside them.
    const outside = stripCodeSpans(md);
    assert.ok(!outside.includes('<img'), 'no raw HTML from the scan');
    assert.ok(!outside.includes('<script'), 'no raw script');
    assert.ok(!outside.includes('https://evil.invalid'), 'URLs outside code are defanged');
    assert.ok(!/[@#][\w-]/.test(outside.replace(/&#\d+;/g, '')), 'no @mention or #reference outside code');
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) {
      // Every table row has exactly 5 unescaped pipes (4 cells).
      assert.equal(line.replace(/\\\|/g, '').split('|').length - 1, 5, line);
    }
  });

  const cases: [string, string][] = [
    ['a|b', 'a\\|b'],
    ['<b>x</b>', '&lt;b&gt;x&lt;/b&gt;'],
    ['@user hi', '@<!-- -->user hi'],
    ['see #12', 'see #<!-- -->12'],
    ['line1\nline2', 'line1 line2'],
    ['[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
    ['![i](http://t.invalid/p.png)', '\\!\\[i\\](hxxp://t.invalid/p.png)'],
    ['$x$', '\\$x\\$'],
    ['go to www.evil.invalid', 'go to www\\[.\\]evil.invalid'],
  ];
  for (const [input, want] of cases) {
    it(`escapeMarkdown(${JSON.stringify(input)})`, () => assert.equal(escapeMarkdown(input), want));
  }

  it('inline code survives backticks and pipes', () => {
    assert.equal(inlineCode('a`b'), '``a`b``');
    assert.equal(inlineCode('`x`'), '`` `x` ``');
    assert.equal(inlineCode('a|b'), '`a|b`');
    assert.equal(inlineCode('a|b', 300, true), '`a\\|b`');
  });

  it("renders lurescan's own prose with its code spans, and keeps scanned text escaped beside it", () => {
    const f = result.findings[0];
    const md = renderMarkdown({
      ...result,
      findings: [{ ...f, message: 'scanned `x` [link](https://evil.invalid/a)', remediation: 'Run `npm ci --ignore-scripts` instead.' }],
      diagnostics: [{ code: 'lockfile-binary', message: 'dir`/bun.lockb is binary', file: 'dir`/bun.lockb', incomplete: true, remediation: 'Ask for a text lockfile (`bun install --save-text-lockfile`).' }],
    });
    assert.ok(md.includes('**What to do:** Run `npm ci --ignore-scripts` instead.'), md);
    assert.ok(md.includes('— Ask for a text lockfile (`bun install --save-text-lockfile`).'), md);
    assert.ok(!md.includes('\\`bun install'), 'no escaped backtick in our own guidance');
    assert.ok(md.includes('scanned \\`x\\` \\[link\\](hxxps://evil.invalid/a)'), 'the scanned message stays escaped');
    assert.ok(md.includes('dir\\`/bun.lockb is binary'), 'the scanned part of a diagnostic stays escaped');
  });

  const prose: [string, string][] = [
    ['Run `npm ci`.', 'Run `npm ci`.'],
    ['a ` lone backtick', 'a \\` lone backtick'],
    ['`<img src=x>` <b>x</b> @team #1', '`<img src=x>` &lt;b&gt;x&lt;/b&gt; @<!-- -->team #<!-- -->1'],
    ['`a|b` [x](https://evil.invalid)', '`a|b` \\[x\\](hxxps://evil.invalid)'],
  ];
  for (const [input, want] of prose) {
    it(`escapeProse(${JSON.stringify(input)}): code spans stay code, the rest is escaped`, () => assert.equal(escapeProse(input), want));
  }

  it('truncates to the size limit without leaving a <details> open', () => {
    const many: ScanResult = { ...result, findings: Array.from({ length: 400 }, (_, i) => ({ ...result.findings[0], fingerprint: `f${i}`, message: `finding ${i} ${'x'.repeat(200)}` })) };
    const md = renderMarkdown(many, { maxLength: 20_000 });
    assert.ok(md.length <= 20_000, `length ${md.length}`);
    assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
    assert.match(md, /Report truncated/);
  });
});
