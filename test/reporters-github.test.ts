/** Workflow-command annotations: escaping so scanned text can never inject a command. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './helpers.js';
import { annotationCommand, annotationLevel, escapeData, escapeProperty, renderAnnotations } from '../src/reporters/github.js';
import type { Finding, ScanResult } from '../src/types.js';

const result = JSON.parse(readFileSync(path.join(FIXTURES, 'reporters', 'result.json'), 'utf8')) as ScanResult;

/** The runner's own parser, reduced: a command is a line starting with '::name props::data'. */
function parseCommands(out: string): { name: string; props: Record<string, string>; data: string }[] {
  const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unescapeProp = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  return out.split('\n').filter((l) => l.startsWith('::')).map((l) => {
    const end = l.indexOf('::', 2);
    const head = l.slice(2, end);
    const sp = head.indexOf(' ');
    const name = sp < 0 ? head : head.slice(0, sp);
    const props: Record<string, string> = {};
    if (sp >= 0) for (const kv of head.slice(sp + 1).split(',')) props[kv.slice(0, kv.indexOf('='))] = unescapeProp(kv.slice(kv.indexOf('=') + 1));
    return { name, props, data: unescapeData(l.slice(end + 2)) };
  });
}

describe('GitHub annotations', () => {
  const cases: [string, string, string][] = [
    ['100%', '100%25', '100%25'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['k:v,w', 'k:v,w', 'k%3Av%2Cw'],
    ['%0A', '%250A', '%250A'],
  ];
  for (const [input, data, prop] of cases) {
    it(`escapes ${JSON.stringify(input)}`, () => {
      assert.equal(escapeData(input), data);
      assert.equal(escapeProperty(input), prop);
    });
  }

  it('a hostile file name and message yield exactly one command per finding, round-tripping exactly', () => {
    const lines = renderAnnotations(result, { pathPrefix: 'app' });
    const out = lines.join('\n');
    const cmds = parseCommands(out);
    assert.equal(cmds.length, result.findings.length);
    assert.ok(cmds.every((c) => ['error', 'warning', 'notice'].includes(c.name)));
    const hostile = cmds.find((c) => c.props.file?.startsWith('app/weird'))!;
    assert.equal(hostile.props.file, 'app/weird,name:with%chars\nnewline.json');
    assert.equal(hostile.props.line, '3');
    assert.ok(hostile.data.startsWith('postinstall runs node scripts/setup.js\n::error::injected%0A'));
    assert.equal(out.split('\n').length, lines.length, 'no raw newline inside a command');
  });

  it('levels follow severity: block-worthy findings are errors whatever the gate (never too), others warnings or notices', () => {
    const [crit, high, low] = result.findings as Finding[];
    assert.equal(annotationLevel(crit, 'block'), 'error');
    assert.equal(annotationLevel(high, 'block'), 'error');
    assert.equal(annotationLevel(low, 'block'), 'notice');
    assert.equal(annotationLevel(crit, 'never'), 'error');
    assert.equal(annotationLevel(high, 'never'), 'error');
    assert.equal(annotationLevel({ ...high, severity: 'medium' }, 'never'), 'warning');
    assert.equal(annotationLevel(low, 'never'), 'notice');
    assert.equal(annotationLevel({ ...high, confidence: 'low' }, 'never'), 'warning');
    assert.equal(annotationLevel({ ...high, severity: 'medium' }, 'warn'), 'error');
    assert.equal(annotationLevel({ ...high, severity: 'medium' }, 'block'), 'warning');
  });

  it('caps the number of annotations and says how many were left out', () => {
    const lines = renderAnnotations(result, { max: 1 });
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^::error /);
    assert.match(lines[1], /^::notice title=lurescan::2 more finding/);
  });

  it('includes line and column', () => {
    assert.match(annotationCommand(result.findings[0]), /^::error file=\.vscode\/tasks\.json,line=8,col=5,title=lurescan editor-task-autorun \(critical\)::/);
  });
});
