import { stepDown } from '../analysis/js/unreachable.js';
import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { chainText, indicatorEvidence, indicatorsInSteps, isTestPath, locate, resolveEnv, worst } from '../analysis/source-evidence.js';
import { DEC, NET, short, type Sink } from '../analysis/js/facts.js';
import type { Confidence, Evidence, Severity } from '../types.js';

const CODEY = /\brequire\s*\(|child_process|\beval\s*\(|\bFunction\s*\(|https?:\/\/|\bprocess\.env\b|\bexecSync\b|\bspawn\b/;

function sinkLabel(s: Sink): string {
  if (s.kind === 'Function' || s.kind === 'AsyncFunction')
    return `${s.api}${s.requireParam ? '("require", body)' : '(body)'}${s.requirePassed ? '(require)' : ''}`;
  return `${s.api}(…)`;
}

export default defineRule({
  meta: {
    id: 'remote-code-execution',
    title: 'Network or decoded data turned into code or a process',
    description:
      'Follows data from network responses (axios, fetch, got, request, http(s).get, XMLHttpRequest, including `err.response.data` in a catch), ' +
      'decoded literals and process.env, through variables, properties and local helper functions, to eval, Function, `new Function("require", body)`, ' +
      'Function.constructor, the AsyncFunction constructor, vm.runIn*, module._compile, dynamic require/import and child_process. ' +
      'A constructed function that is handed `require` is critical on its own. Constant code (`new Function("return this")`) stays quiet.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T05'],
    remediation: 'Do not run this code: it executes whatever a server (or a hidden string) sends. Report the repository and block the host named in the evidence.',
  },
  async check(ctx) {
    const index = await indexFor(ctx);
    for (const sf of index.files) {
      if (sf.fallback) {
        // Text-level fallback: constructed functions that take require are rare enough to report without a parse.
        const m = /new[\s(]{0,8}Function(?:\.constructor)?[\s)]{0,8}\(\s*["'`]require["'`]/.exec(sf.text) ?? /\.constructor\s*\(\s*["'`]require["'`]/.exec(sf.text);
        if (m) {
          const line = sf.text.slice(0, m.index).split('\n').length;
          ctx.report({
            severity: 'high',
            confidence: 'medium',
            message: `A function is built from a string and given require (file not parsed: ${sf.fallback})`,
            location: locate(sf, line),
            evidence: [{ kind: 'note', value: `text-level fallback: ${sf.fallback}` }],
          });
        }
        continue;
      }
      for (const s of sf.js?.sinks ?? []) {
        const net = !!(s.arg.taint & NET);
        const dec = !!(s.arg.taint & DEC);
        const ctorRequire = (s.kind === 'Function' || s.kind === 'AsyncFunction') && s.requireParam && !s.constant;
        if (!net && !dec && !ctorRequire) continue;
        if (s.kind === 'child_process' && !net && !dec) continue;
        let severity: Severity;
        let confidence: Confidence = 'high';
        let why: string;
        if (net) {
          severity = 'critical';
          why = 'network response reaches';
        } else if (ctorRequire && s.requirePassed) {
          severity = 'critical';
          why = 'a function built from a non-constant string is handed require by';
        } else if (dec) {
          const decoded = s.arg.str;
          severity = decoded !== undefined && CODEY.test(decoded) ? 'critical' : 'high';
          why = 'decoded data reaches';
        } else {
          severity = 'high';
          confidence = 'medium';
          why = 'a non-constant string with a require parameter reaches';
        }
        // Bundles, tests and hand-run scripts evaluate code they built themselves (esbuild's test scripts run
        // bundles with new Function("require", code)(require)); only a network source keeps them loud there.
        const handRun = /(?:^|\/)(?:scripts?|tools|bench|benchmarks?)\//.test(sf.path);
        if (sf.bundle.bundle && !net) {
          severity = 'medium';
          confidence = 'medium';
        } else if (sf.bundle.bundle && net) {
          severity = 'high';
          confidence = 'medium';
        }
        if ((isTestPath(sf.path) || handRun) && !net) {
          // Build and test scripts run the bundles they just built (esbuild's new Function("require", code)(require)):
          // with neither a network nor a decoded source that is the bundler's job, low; decoded data stays medium.
          severity = dec ? 'medium' : 'low';
          confidence = 'medium';
        }
        if (s.localSpecifier && !net) {
          // import(`foo/${decoded}`): the decoded part picks a file or package already on disk (a test of a bundler's
          // context modules, a locale chosen at run time). No decoded text is run as code: low.
          severity = 'low';
          confidence = 'medium';
          why = 'decoded data picks the local module loaded by';
        }
        // Code that cannot run is evidence of intent, not a live loader: one step lower, and the message says so.
        if (s.unreachable) severity = stepDown(severity);
        const inds = [...resolveEnv(index, s.arg, ctx.signatures), ...indicatorsInSteps(s.arg.steps, ctx.signatures)];
        const evidence: Evidence[] = [
          { kind: 'chain', value: chainText(s.arg.steps, sinkLabel(s), s.line) },
          ...indicatorEvidence(inds),
        ];
        if (s.arg.str !== undefined && dec) evidence.push({ kind: 'decoded', value: short(s.arg.str, 600) });
        if (s.importTime) evidence.push({ kind: 'trait', value: 'runs at import (module top level or a function called from there)' });
        if (sf.bundle.bundle) evidence.push({ kind: 'note', value: `bundle: ${sf.bundle.reason}` });
        const c2 = worst(inds);
        ctx.report({
          severity,
          confidence,
          message: `${why} ${sinkLabel(s)}${c2 ? ` (payload host: ${inds.find((i) => i.verdict)?.value})` : ''}${s.unreachable ? ` — unreachable (${s.unreachable})` : ''}`,
          location: locate(sf, s.line, s.column),
          evidence,
          key: `${s.api}:${s.line}`,
        });
      }
    }
  },
});
