/**
 * The generic rule harness: every rule runs alone on each of its fixture cases. A positive case must produce a
 * finding of at least medium (or expect.json's minSeverity); a negative case nothing above low (or maxSeverity).
 * The parity test fails when a rule lacks its list entry, doc page or fixtures.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RULES } from '../src/rules/index.js';
import { FIXTURES, ROOT, SEVERITY_RANK, scanFolder } from './helpers.js';
import { scan } from '../src/scan.js';
import type { ScanOptions } from '../src/options.js';
import type { Severity } from '../src/types.js';

function cases(ruleId: string, kind: 'positive' | 'negative'): string[] {
  const dir = path.join(FIXTURES, 'rules', ruleId, kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => statSync(path.join(dir, n)).isDirectory()).map((n) => path.join(dir, n));
}

/** A case is a folder, or a folder holding archive.zip when the case needs what only archives carry (.git/). */
/** registry.json in a case holds recorded registry facts, handed to the scan instead of asking a registry. */
function scanCase(caseDir: string, options: ScanOptions) {
  const zip = path.join(caseDir, 'archive.zip');
  const facts = path.join(caseDir, 'registry.json');
  const opts = existsSync(facts) ? { ...options, registryFacts: JSON.parse(readFileSync(facts, 'utf8')) } : options;
  return existsSync(zip) ? scan({ kind: 'archive', path: zip }, opts) : scanFolder(caseDir, opts);
}

function expectOf(caseDir: string): { minSeverity?: Severity; maxSeverity?: Severity } {
  const f = path.join(caseDir, 'expect.json');
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : {};
}

describe('rules on their fixtures', () => {
  for (const rule of RULES) {
    const id = rule.meta.id;
    describe(id, () => {
      for (const c of cases(id, 'positive')) {
        it(`fires on positive/${path.basename(c)}`, async () => {
          const min = expectOf(c).minSeverity ?? 'medium';
          const r = await scanCase(c, { rules: [id] });
          const mine = r.findings.filter((f) => f.ruleId === id);
          const best = Math.max(-1, ...mine.map((f) => SEVERITY_RANK[f.severity]));
          assert.ok(best >= SEVERITY_RANK[min], `expected a ${min}+ finding from ${id}, got: ${mine.map((f) => `${f.severity} ${f.message}`).join(' | ') || 'none'}`);
          for (const f of mine) assert.ok(f.location.file, 'every finding names its file');
        });
      }
      for (const c of cases(id, 'negative')) {
        it(`stays quiet on negative/${path.basename(c)}`, async () => {
          const max = expectOf(c).maxSeverity ?? 'low';
          const r = await scanCase(c, { rules: [id] });
          const loud = r.findings.filter((f) => f.ruleId === id && SEVERITY_RANK[f.severity] > SEVERITY_RANK[max]);
          assert.deepEqual(loud.map((f) => `${f.severity} ${f.location.file}:${f.location.line} ${f.message}`), []);
        });
      }
    });
  }
});

describe('rule parity', () => {
  const ruleFiles = readdirSync(path.join(ROOT, 'src', 'rules'))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'define-rule.ts')
    .map((f) => f.replace(/\.ts$/, ''));
  const listed = new Set(RULES.map((r) => r.meta.id));

  it('every rule file is listed in src/rules/index.ts under its own id', () => {
    assert.deepEqual(ruleFiles.filter((f) => !listed.has(f)), []);
    assert.equal(listed.size, RULES.length, 'rule ids are unique');
  });
  for (const rule of RULES) {
    const id = rule.meta.id;
    it(`${id} has a doc page, positive and negative fixtures, and complete meta`, () => {
      assert.ok(existsSync(path.join(ROOT, 'docs', 'rules', `${id}.md`)), `docs/rules/${id}.md`);
      assert.ok(cases(id, 'positive').length > 0, `fixtures/rules/${id}/positive/<case>/`);
      assert.ok(cases(id, 'negative').length > 0, `fixtures/rules/${id}/negative/<case>/`);
      assert.ok(rule.meta.title && rule.meta.description && rule.meta.remediation, 'title, description, remediation');
      assert.ok(rule.meta.techniques.length > 0 && rule.meta.techniques.every((t) => /^T\d\d$/.test(t)), 'techniques like T03');
      assert.ok(ruleFiles.includes(id), `src/rules/${id}.ts`);
    });
  }
});
