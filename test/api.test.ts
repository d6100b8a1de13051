/** The public API as a library user meets it: only the index, scanMany, and an organisation's own rule. */
import assert from 'node:assert/strict';
import path from 'node:path';
import * as api from '../src/index.js';
import { FIXTURES } from './helpers.js';

describe('public API', () => {
  it('exports the documented surface', () => {
    for (const name of ['scan', 'scanMany', 'parseTarget', 'loadSignatures', 'renderJson', 'renderText', 'renderSarif', 'renderMarkdown', 'renderAnnotations', 'defineRule', 'RULES', 'VERSION']) {
      assert.ok(name in api, name);
    }
  });

  it('scanMany keeps order, bounds concurrency and records per-target errors', async () => {
    const entries = await api.scanMany(
      [
        { kind: 'path', path: path.join(FIXTURES, 'repos', 'lure-tasks-curl') },
        { kind: 'path', path: path.join(FIXTURES, 'repos', 'no-such-repo') },
        { kind: 'path', path: path.join(FIXTURES, 'repos', 'benign-assets') },
      ],
      { concurrency: 2 },
    );
    assert.equal(entries.length, 3);
    assert.equal(entries[0].result?.verdict, 'block');
    assert.ok(entries[1].error && !entries[1].result);
    assert.notEqual(entries[2].result?.verdict, 'block');
  });

  it("runs an organisation's own rule next to the built-in ones", async () => {
    const corpRule = api.defineRule({
      meta: {
        id: 'corp-no-internal-hosts',
        title: 'Internal host names in a candidate repository',
        description: 'Our internal domain must not appear in code we receive.',
        severity: 'high',
        confidence: 'high',
        techniques: ['T15'],
        remediation: 'Ask the candidate where the host name came from.',
      },
      async check(ctx) {
        for (const f of ctx.workspace.files) {
          const text = f.kind === 'file' ? await ctx.text(f.path) : undefined;
          const i = text?.indexOf('corp.example') ?? -1;
          if (i >= 0) ctx.report({ message: 'mentions corp.example', location: { file: f.path } });
        }
      },
    });
    const dir = path.join(FIXTURES, 'rules', 'registry-missing-package', 'positive', 'unclaimed-name');
    const r = await api.scan({ kind: 'path', path: dir }, { extraRules: [corpRule] });
    assert.ok(r.findings.some((f) => f.ruleId === 'corp-no-internal-hosts'));
    await assert.rejects(api.scan({ kind: 'path', path: dir }, { extraRules: [{ ...corpRule, meta: { ...corpRule.meta, id: 'c2-url' } }] }), /same id/);
  });
});
