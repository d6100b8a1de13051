/**
 * Every input the fuzzers found that crashed or hung a parser or reporter, kept as a regression case.
 * Parser inputs live in fixtures/fuzz/<parser id>/ (the folder names the parser); each must parse without throwing,
 * quickly, and say it could not read the file rather than pass it silently.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './helpers.js';
import { PARSERS } from '../src/ecosystems/index.js';
import { parseOnce, pathFor } from './fuzz/properties.js';
import { renderText } from '../src/reporters/text.js';
import type { ScanResult } from '../src/types.js';

const ROOT = path.join(FIXTURES, 'fuzz');

describe('fuzz regressions', function () {
  this.timeout(60_000);
  for (const parser of PARSERS) {
    const dir = path.join(ROOT, ...parser.id.split('/'));
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of files) {
      it(`${parser.id}: ${name}`, async () => {
        const started = Date.now();
        await parseOnce(parser, pathFor(parser), readFileSync(path.join(dir, name)));
        assert.ok(Date.now() - started < 30_000, 'hang guard');
      });
    }
  }

  it('text reporter: a diagnostic code or rule id with control characters is escaped', () => {
    const r = {
      target: 't', provenance: { source: 't' }, verdict: 'warn', complete: false, signatures: { version: '1' }, tool: { name: 'lurescan', version: '0' },
      stats: { files: 0, bytes: 0, ms: 0, rules: 0 },
      findings: [{ ruleId: 'x\u001b[2J', severity: 'high', confidence: 'high', message: 'm', location: { file: 'f' }, evidence: [], fingerprint: 'f' }],
      diagnostics: [{ code: '\u0000\u001b]0;x\u0007', message: 'm', incomplete: true }],
    } as ScanResult;
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(renderText(r, { verbose: true }), /[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('fuzz regressions: reporters', () => {
  it('SARIF: a file name with an unpaired surrogate does not throw URIError', async () => {
    const { renderSarif } = await import('../src/reporters/sarif.js');
    const r = {
      target: 't', provenance: { source: 't' }, verdict: 'block', complete: true, signatures: { version: '1' }, tool: { name: 'lurescan', version: '0' },
      stats: { files: 1, bytes: 0, ms: 0, rules: 0 },
      findings: [{ ruleId: 'c2-url', severity: 'critical', confidence: 'high', message: 'm', location: { file: 'a/\ud800b.js', line: 1 }, evidence: [], fingerprint: 'f' }],
      diagnostics: [],
    } as ScanResult;
    assert.match(JSON.parse(renderSarif(r)).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, /^a\/%EF%BF%BDb\.js$/);
  });
});

describe('fuzz regressions: deep values in snippets', () => {
  it('jsonText survives a value nested 100,000 levels deep (JSON.stringify overflows the stack)', async () => {
    const { jsonText } = await import('../src/ecosystems/json-text.js');
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    assert.equal(jsonText(v), '[…too deeply nested]');
    assert.equal(jsonText({ a: '1' }), '{"a":"1"}');
  });
});
