import { stepDown } from '../analysis/js/unreachable.js';
import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { chainText, indicatorEvidence, indicatorsIn, isTestPath, locate, resolveEnv, worst } from '../analysis/source-evidence.js';
import type { Evidence, Severity } from '../types.js';

export default defineRule({
  meta: {
    id: 'env-exfiltration',
    title: 'Environment sent out, or a lure secret header',
    description:
      'The whole environment (`{ ...process.env }`, `JSON.stringify(process.env)`, `process.env` itself) passed to a network request is credential theft: critical. ' +
      'Collecting the whole environment without a request in the same file is medium. The headers `x-secret-header` / `x-secret-key` (also when they are ' +
      'only present base64-encoded) in a file that makes requests are the loader handshake of the skill-test lures. Reading one variable (`process.env.PORT`) is quiet.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T06'],
    remediation: 'Do not run this code with real credentials in the environment. Rotate anything that was in the environment of a machine that ran it.',
  },
  async check(ctx) {
    const index = await indexFor(ctx);
    const secret = ctx.signatures.source.secretHeaders;
    for (const sf of index.files) {
      if (!sf.js) continue;
      const test = isTestPath(sf.path);
      let reported = false;
      for (const c of sf.js.net) {
        if (!c.sendsEnv) continue;
        reported = true;
        const inds = [...resolveEnv(index, c.url, ctx.signatures), ...(c.url.str ? indicatorsIn(c.url.str, 'request URL', ctx.signatures) : [])];
        // A request to this machine's own loopback address (a dev server a test just spawned with { ...process.env })
        // never leaves the machine: what it receives is no theft. The address must be written in the call itself.
        const call = (sf.text.split('\n')[c.line - 1] ?? '').slice(Math.max(0, c.column - 1), c.column + 300);
        const loopback = /^[\w.]{1,40}\(\s*[`'"]https?:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(?:[:/`'"$]|$)/.test(call);
        const base: Severity = loopback ? 'low' : sf.bundle.bundle || test ? 'high' : 'critical';
        const severity: Severity = c.unreachable ? stepDown(base) : base;
        ctx.report({
          severity,
          confidence: sf.bundle.bundle ? 'medium' : 'high',
          message: `The whole environment (tokens, keys, cloud credentials) is sent by ${c.api}()${worst(inds) ? ` to ${inds.find((i) => i.verdict)?.value}` : ''}${loopback ? ' to a loopback address (it does not leave the machine)' : ''}${c.unreachable ? ` — unreachable (${c.unreachable})` : ''}`,
          location: locate(sf, c.line, c.column),
          evidence: [
            { kind: 'chain', value: chainText(c.envSteps, `sent by ${c.api}()`, c.line) },
            { kind: 'chain', value: chainText(c.url.steps, 'request URL', c.line) },
            ...indicatorEvidence(inds),
          ],
          key: `env:${c.line}`,
        });
      }
      if (!reported && sf.js.envCollect.length && !sf.bundle.bundle) {
        const s = sf.js.envCollect[0];
        // `{ ...process.env, FOO: 1 }` for a child process is everyday code: note it, do not warn.
        ctx.report({ severity: 'low', confidence: 'medium', message: `The whole environment is collected (${s.text}); no request in this file sends it`, location: locate(sf, s.line), key: `collect:${s.line}` });
      }
      // x-secret-header: as a literal key, or only visible once decoded.
      const hits: { line: number; how: string }[] = [...sf.js.secretHeaderLiterals.map((h) => ({ line: h.line, how: h.text.replace(/^header /, '') }))];
      for (const d of [...sf.js.decoded, ...sf.literalDecodes]) {
        const h = secret.find((x) => d.value.toLowerCase().includes(x));
        if (h) hits.push({ line: d.line, how: `${h} hidden as ${d.methods.join(' of ')}` });
      }
      if (!hits.length) {
        const lower = sf.text.toLowerCase();
        for (const h of secret) {
          const i = lower.indexOf(h);
          if (i >= 0) hits.push({ line: sf.text.slice(0, i).split('\n').length, how: h });
        }
      }
      if (hits.length) {
        const withNet = sf.js.net.length > 0;
        const encoded = hits.some((h) => h.how.includes('hidden as'));
        const severity: Severity = test ? 'low' : withNet ? (encoded ? 'critical' : 'high') : 'medium';
        const evidence: Evidence[] = hits.slice(0, 5).map((h) => ({ kind: 'indicator', value: `line ${h.line}: ${h.how}` }));
        ctx.report({
          severity,
          confidence: withNet ? 'high' : 'medium',
          message: `Lure handshake header ${hits[0].how}${withNet ? ' in a file that makes network requests' : ''}`,
          location: locate(sf, hits[0].line),
          evidence,
          key: `header:${hits[0].how}`,
        });
      }
    }
  },
});
