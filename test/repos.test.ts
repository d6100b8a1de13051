/** Whole synthetic repositories: every lure blocks with file:line evidence; every benign look-alike does not block. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, scanFolder } from './helpers.js';

const table = readFileSync(path.join(FIXTURES, 'repos', 'expectations.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => l.split('\t'))
  .filter(([name]) => name !== 'name');

describe('fixture repositories', () => {
  it('every fixture repo has an expectation and vice versa', () => {
    for (const [name] of table) assert.ok(existsSync(path.join(FIXTURES, 'repos', name)), `fixtures/repos/${name} exists`);
  });
  for (const [name, expected, note] of table) {
    it(`${name}: ${expected} (${note ?? ''})`, async () => {
      const r = await scanFolder(path.join(FIXTURES, 'repos', name));
      if (expected === 'block') {
        assert.equal(r.verdict, 'block', `findings: ${r.findings.map((f) => `${f.ruleId} ${f.severity}`).join(', ')}`);
        const blocking = r.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
        assert.ok(blocking.every((f) => f.location.file), 'blocking findings name a file');
        assert.ok(blocking.some((f) => f.location.line), 'at least one blocking finding has a line');
      } else {
        assert.notEqual(r.verdict, 'block', `blocked by: ${r.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').map((f) => `${f.ruleId} ${f.location.file}:${f.location.line} ${f.message}`).join(' | ')}`);
      }
    });
  }
});
