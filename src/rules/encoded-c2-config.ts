import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { decodedIndicators, indicatorsIn, isDocPath, isTestPath, locate } from '../analysis/source-evidence.js';
import { rank } from '../analysis/urls.js';
import { short } from '../analysis/js/facts.js';
import type { Severity } from '../types.js';

const MODULE_WORDS = /^(?:require|child_process|eval|Function|exec|execSync|spawn|constructor|fs|os|vm|module|process|https?|axios|request)$/;

export default defineRule({
  meta: {
    id: 'encoded-c2-config',
    title: 'Address or module name hidden by encoding',
    description:
      'Decodes every `.env` / `.env.*` value, `config/*.{js,json}` value and every base64/hex literal of 16+ characters in JS/TS/Python, and every string the code ' +
      'decodes itself (atob, Buffer.from(x, enc), String.fromCharCode, reversed strings), then runs the URL and IOC checks on the decoded text. ' +
      'A C2 URL (IOC or C2 grammar) that was stored encoded is reported with the severity of the URL; any URL hidden in base64 in `.env` is medium; ' +
      'a module or function name hidden as hex or base64 (`"72657175697265"` = require) is high. Plain, readable URLs are left to c2-url.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T06', 'T15'],
    remediation: 'Decode the value yourself and look at the host: lures keep their C2 address encoded so that a reader does not see it. Do not run the project.',
  },
  async check(ctx) {
    const index = await indexFor(ctx);
    for (const e of index.env) {
      if (!e.decoded) continue;
      const inds = indicatorsIn(e.decoded.value, `${e.file}:${e.line}`, ctx.signatures);
      if (!inds.length) continue;
      const best = inds[0];
      const doc = isDocPath(e.file);
      let severity: Severity = best.verdict ? best.verdict.severity : 'medium';
      if (!best.verdict || rank(severity) < rank('medium')) severity = 'medium';
      if (doc) severity = 'low';
      ctx.report({
        severity,
        confidence: best.verdict && rank(best.verdict.severity) >= rank('high') ? 'high' : 'medium',
        message: `${e.key} in ${e.file} is a URL stored ${e.decoded.methods.join(' of ')}-encoded: ${best.value}${best.verdict ? ` (${best.verdict.description})` : ''}`,
        location: { file: e.file, line: e.line, snippet: short(`${e.key}=${e.value}`, 160) },
        evidence: [
          { kind: 'decoded', value: `${e.key}=${short(e.value, 120)} → ${short(e.decoded.value, 300)}` },
          ...inds.slice(0, 4).map((i) => ({ kind: 'indicator' as const, value: `${i.value}${i.verdict ? ` (${i.verdict.reason})` : ''}` })),
        ],
        key: `env:${e.key}:${best.value}`,
      });
    }
    for (const sf of index.files) {
      const test = isTestPath(sf.path);
      for (const i of decodedIndicators(sf, ctx.signatures)) {
        if (!i.verdict || rank(i.verdict.severity) < rank('medium')) continue;
        const severity: Severity = test || sf.bundle.bundle ? 'medium' : i.verdict.severity;
        ctx.report({
          severity,
          confidence: rank(i.verdict.severity) >= rank('high') && !test ? 'high' : 'medium',
          message: `Encoded string decodes to ${i.value}: ${i.verdict.description}`,
          location: locate(sf, i.line),
          evidence: [{ kind: 'decoded', value: `${i.value} ← ${i.from}` }],
          key: `lit:${i.value}`,
        });
      }
      if (sf.bundle.bundle) continue;
      for (const d of [...(sf.js?.decoded ?? []), ...(sf.py?.decoded ?? []), ...sf.literalDecodes]) {
        if (!MODULE_WORDS.test(d.value.trim()) || !d.methods.some((m) => m === 'hex' || m === 'base64' || m === 'base64url' || m === 'charcode' || m === 'reverse')) continue;
        ctx.report({
          severity: test ? 'low' : 'high',
          confidence: 'medium',
          message: `"${d.value.trim()}" is spelled as ${d.methods.join(' of ')} so that a reader (or a grep) does not see it`,
          location: locate(sf, d.line),
          evidence: [{ kind: 'decoded', value: `${d.methods.join(' of ')} → ${d.value.trim()}` }],
          key: `word:${d.value.trim()}:${d.line}`,
        });
      }
    }
  },
});
