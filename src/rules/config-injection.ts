import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { isTestPath, locate } from '../analysis/source-evidence.js';
import type { Evidence, Severity } from '../types.js';
import type { SourcePatterns } from '../signatures/types.js';

const configRes = new WeakMap<SourcePatterns, RegExp[]>();
function isConfigFile(path: string, p: SourcePatterns): boolean {
  let res = configRes.get(p);
  if (!res) {
    res = p.configFiles.map((r) => new RegExp(r));
    configRes.set(p, res);
  }
  return res.some((r) => r.test(path));
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

export default defineRule({
  meta: {
    id: 'config-injection',
    title: 'Loader injected into a build or config file (PolinRider)',
    description:
      'Build and app-entry files (`postcss`, `tailwind`, `next`, `vite`, `eslint`, `jest`, `babel` configs, `App.js`, route and config modules) run whenever ' +
      'the developer builds, lints, tests or starts the app. Fires on the PolinRider markers (`global[\'!\']=\'8-905-1\'`, `_$_1e42`, `"rmcej%otb%"`) anywhere, ' +
      'on `global[...] = require` / `global.r = require` aliases, on blockchain-RPC dead-drop hosts (TronGrid, Aptos, BSC dataseed) in a config file, and on ' +
      '`createRequire(import.meta.url)` in an ESM config that also executes or decodes. Ordinary configs that export an object stay quiet.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T08'],
    remediation: 'Compare the config file with the framework default: anything after the exported configuration is an appended payload. Do not build, lint or start the project.',
  },
  async check(ctx) {
    const index = await indexFor(ctx);
    const p = ctx.signatures.source;
    for (const sf of index.files) {
      if (sf.lang !== 'js') continue;
      const config = isConfigFile(sf.path, p);
      const test = isTestPath(sf.path);
      const evidence: Evidence[] = [];
      let severity: Severity | undefined;
      let line = 0;
      let message = '';
      const raise = (s: Severity, l: number, msg: string) => {
        const order = ['info', 'low', 'medium', 'high', 'critical'];
        if (!severity || order.indexOf(s) > order.indexOf(severity)) {
          severity = s;
          line = l;
          message = msg;
        }
      };
      for (const m of p.polinriderMarkers) {
        const i = sf.text.indexOf(m);
        if (i < 0) continue;
        evidence.push({ kind: 'indicator', value: `PolinRider marker ${m} at line ${lineOf(sf.text, i)}` });
        raise(sf.bundle.bundle ? 'high' : 'critical', lineOf(sf.text, i), `PolinRider payload marker ${m}`);
      }
      for (const a of sf.js?.globalAliases ?? []) {
        if (!a.isRequire) continue;
        evidence.push({ kind: 'trait', value: `line ${a.line}: ${a.text} = require (require made reachable from anywhere)` });
        raise(sf.bundle.bundle || test ? 'medium' : config ? 'critical' : 'high', a.line, `require is stored on the global object (${a.text} = require)`);
      }
      // Only build tool configs: a dApp's chain list (src/config/chains.ts) and a hardhat network table name RPC hosts
      // as data; a build config that itself requests or executes is the PolinRider dead-drop shape.
      const buildConfig = /(?:^|\/)(?:[\w-]+\.config\.[cm]?[jt]s|\.eslintrc\.[cm]?js|\.babelrc\.js)$/.test(sf.path);
      if (buildConfig && !sf.bundle.bundle) {
        const lower = sf.text.toLowerCase();
        const acts = (sf.js?.sinks ?? []).some((s) => !s.constant) || (sf.js?.net.length ?? 0) > 0;
        for (const h of p.blockchainRpcHosts) {
          const i = lower.indexOf(h);
          if (i < 0 || !acts) continue;
          evidence.push({ kind: 'indicator', value: `blockchain RPC host ${h} at line ${lineOf(sf.text, i)}` });
          raise((sf.js?.sinks ?? []).some((s) => !s.constant) ? 'critical' : 'high', lineOf(sf.text, i), `build config requests a blockchain RPC host (${h}), the dead-drop channel of PolinRider-style loaders`);
        }
      }
      if (config && !sf.bundle.bundle) {
        const cr = sf.text.indexOf('createRequire(import.meta.url)');
        const executes = (sf.js?.sinks ?? []).some((s) => !s.constant) || (sf.js?.decoded.length ?? 0) > 0;
        if (cr >= 0 && executes) {
          evidence.push({ kind: 'trait', value: `line ${lineOf(sf.text, cr)}: createRequire(import.meta.url) in an ESM config that also executes or decodes` });
          raise('high', lineOf(sf.text, cr), 'ESM config recreates require and executes or decodes strings');
        }
      }
      if (!severity) continue;
      if (config) evidence.push({ kind: 'note', value: `${sf.path} runs on every build, lint, test or start` });
      ctx.report({ severity, confidence: 'high', message, location: locate(sf, line), evidence, key: message });
    }
  },
});
