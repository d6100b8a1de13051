import { stepDown } from '../analysis/js/unreachable.js';
import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { chainText, indicatorEvidence, indicatorsIn, isTestPath, locate, resolveEnv, worst } from '../analysis/source-evidence.js';
import { DEC, ENV, short } from '../analysis/js/facts.js';
import { rank } from '../analysis/urls.js';
import type { Confidence, Evidence, Severity } from '../types.js';
import type { SourceFile } from '../analysis/source-index.js';
import type { NetCall } from '../analysis/js/facts.js';
import path from 'node:path';

/** The workspace file a relative import names, trying the extensions Node and bundlers try. */
function resolveSpec(from: string, spec: string, byPath: Map<string, SourceFile>): SourceFile | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const suffix of ['', '.js', '.ts', '.mjs', '.cjs', '.jsx', '.tsx', '/index.js', '/index.ts']) {
    const hit = byPath.get(base + suffix);
    if (hit) return hit;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'import-time-network',
    title: 'Network request made when a module is loaded',
    description:
      'A route, middleware, service or config module that makes a network request at module top level, in an IIFE, or in a helper called from there ' +
      '(`initAppBootstrap();`, `verifyToken();`, `(async () => { … })()`) runs on `require`/`import`, before any request arrives. ' +
      'Requests inside request handlers, `listen()` callbacks, class methods and exported functions that nothing calls at load are quiet. ' +
      'It is high when the address is hidden (decoded, or taken from an environment value that decodes to a URL) or matches the C2 grammar.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T04'],
    remediation: 'Read what the request fetches before running the app; a legitimate app does not need the network just to be imported.',
  },
  async check(ctx) {
    const index = await indexFor(ctx);
    const byPath = new Map(index.files.map((f) => [f.path, f]));
    // Requests inside exported helpers that another file calls at import (`getCookie();` in index.js).
    const viaImport = new Map<NetCall, { from: string; line: number; name: string }>();
    for (const sf of index.files) {
      if (!sf.js || sf.bundle.bundle || isTestPath(sf.path)) continue;
      for (const c of sf.js.importedCalls) {
        const target = resolveSpec(sf.path, c.spec, byPath);
        for (const n of target?.js?.net ?? []) if (!n.importTime && n.inFunction === c.name && !viaImport.has(n)) viaImport.set(n, { from: sf.path, line: c.line, name: c.name });
      }
    }
    const entries = new Set(
      ctx.inventory.manifests.flatMap((m) => {
        const dir = path.posix.dirname(m.file);
        const fromScripts = Object.values(m.scripts).flatMap((s) => [...s.command.matchAll(/\b(?:node|nodemon|tsx|ts-node)\s+([\w./-]{1,200})/g)].map((x) => x[1]));
        return [m.main, ...Object.values(m.bin), ...fromScripts].filter((x): x is string => !!x).map((x) => path.posix.normalize(path.posix.join(dir, x)));
      }),
    );
    for (const sf of index.files) {
      if (!sf.js || sf.bundle.bundle || isTestPath(sf.path) || /(?:^|\/)(?:scripts?|tools|bench|benchmarks?|examples?|demos?)\/|(?:^|\/)examples?\.[cm]?[jt]s$/.test(sf.path)) continue;
      for (const c of sf.js.net) {
        const caller = viaImport.get(c);
        if (!c.importTime && !caller) continue;
        // fetch(new URL('../assets/font.ttf', import.meta.url)): a file of the package itself, not the network.
        const callText = sf.text.split('\n').slice(c.line - 1, c.line + 2).join(' ');
        if (/new URL\(\s*['"`]\.{1,2}\/[^'"`]*['"`]\s*,\s*import\.meta\.url\s*\)/.test(callText)) continue;
        const hidden = !!(c.url.taint & (DEC | ENV));
        const inds = [...resolveEnv(index, c.url, ctx.signatures), ...(c.url.str ? indicatorsIn(c.url.str, 'request URL', ctx.signatures) : []), ...c.url.steps.flatMap((s) => indicatorsIn(s.text, `line ${s.line}`, ctx.signatures))];
        const c2 = worst(inds);
        const decodedUrl = !!(c.url.taint & DEC) || inds.some((i) => /base64|hex|decode/.test(i.from));
        let severity: Severity = 'medium';
        let confidence: Confidence = 'medium';
        if (c2 && rank(c2) >= rank('high')) {
          severity = c2;
          confidence = 'high';
        } else if (decodedUrl) {
          severity = 'high';
          confidence = 'high';
        } else if (!hidden && sf.text.includes('process.argv') && sf.text.split('\n').some((l) => /^(?:const|let|var)\s/.test(l) && l.includes('process.argv'))) {
          // A script that reads its command line at top level (a detached telemetry sender, a generator) runs when it
          // is invoked with arguments, not when something imports it.
          severity = 'low';
        } else if (!hidden && /\b(?:window|document|navigator)\./.test(sf.text)) {
          // Browser code that fetches when the page loads is how web pages work; the loaders we hunt run in Node.
          severity = 'low';
        }
        if (c.unreachable) severity = stepDown(severity);
        const evidence: Evidence[] = [
          { kind: 'chain', value: chainText(c.url.steps, `${c.api}() at import`, c.line) },
          ...indicatorEvidence(inds),
        ];
        if (caller) evidence.unshift({ kind: 'chain', value: `${caller.from}:${caller.line} calls ${caller.name}() when it is loaded → ${sf.path}:${c.line} ${c.api}()` });
        if (entries.has(sf.path) || (caller && entries.has(caller.from))) evidence.push({ kind: 'trait', value: `${caller && entries.has(caller.from) ? caller.from : sf.path} is the package entry point: this runs when the app starts` });
        ctx.report({
          severity,
          confidence,
          message: `Network request ${c.api}(${short(c.url.str ?? (c.url.envName ? `process.env.${c.url.envName}` : '…'), 80)}) runs when ${caller ? `${caller.from} is loaded (it calls ${caller.name}())` : 'the module is loaded'}${decodedUrl ? ', to an address hidden by encoding' : ''}${c.unreachable ? ` — unreachable (${c.unreachable})` : ''}`,
          location: locate(sf, c.line, c.column),
          evidence,
          key: `${c.api}:${c.line}`,
        });
      }
    }
  },
});
