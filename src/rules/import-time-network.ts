import { stepDown } from '../analysis/js/unreachable.js';
import { loadSpecifiers } from '../analysis/require-sites.js';
import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { chainText, indicatorEvidence, indicatorsIn, isTestPath, locate, resolveEnv, worst } from '../analysis/source-evidence.js';
import { DEC, ENV, short } from '../analysis/js/facts.js';
import { rank } from '../analysis/urls.js';
import type { Confidence, Evidence, Severity } from '../types.js';
import type { SourceFile } from '../analysis/source-index.js';
import type { NetCall } from '../analysis/js/facts.js';
import type { PackageManifest } from '../types.js';
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

const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|vue|svelte|astro|html?)$/i;
/** Bounds on the files read for relative imports when telling maintainer scripts apart. */
const MAX_IMPORTERS = 20_000;
const MAX_IMPORTER_BYTES = 1024 * 1024;
/** Scripts that run by themselves or on the usual commands: install hooks, start/dev, test, build, and their pre/post. */
const LIFECYCLE = new Set(['install', 'prepare', 'prepublish', 'prepublishOnly', 'prepack', 'postpack', 'start', 'dev', 'serve', 'test', 'build', 'watch'].flatMap((n) => [n, `pre${n}`, `post${n}`]));

/**
 * Source files that only a maintainer runs: no other file imports them (relative require/import, text-level so it
 * also reads files the parser gave up on), no manifest names them as main, bin or exports, and no lifecycle script
 * runs them, directly or through "npm run <other>" (a generator behind "grammars", an eval runner behind "test:evals",
 * a file run by nothing at all). A lure's loader is the opposite: reached from prepare/start/main or required by the app.
 */
function maintainerScripts(
  manifests: readonly PackageManifest[],
  exportsOf: Map<string, unknown>,
  sources: Map<string, string>,
  files: readonly SourceFile[],
  byPath: Map<string, SourceFile>,
): Set<string> {
  // Without a manifest nothing says where the app starts: no file is set aside.
  if (!manifests.length) return new Set();
  const reached = new Set<string>();
  for (const m of manifests) {
    const dir = path.posix.dirname(m.file);
    const at = (x: string) => path.posix.normalize(path.posix.join(dir, x));
    const add = (x: string) => {
      const hit = resolveSpec(m.file, x.startsWith('.') ? x : `./${x}`, byPath);
      reached.add(hit ? hit.path : at(x));
    };
    add(m.main ?? 'index.js');
    for (const b of Object.values(m.bin)) add(b);
    for (const e of JSON.stringify(exportsOf.get(m.file) ?? null).match(/"\.{0,2}\/[^"]{1,300}"/g) ?? []) add(e.slice(1, -1));
    // The lifecycle scripts and the scripts they run by name.
    const todo = Object.keys(m.scripts).filter((n) => LIFECYCLE.has(n));
    const seen = new Set(todo);
    while (todo.length) {
      const cmd = m.scripts[todo.pop()!]?.command ?? '';
      for (const x of cmd.matchAll(/\b(?:node|nodemon|tsx|ts-node|bun|deno\s+run)\s+(?:-[\w-]+(?:=\S+)?\s+){0,4}([\w./@-]{1,200})/g)) add(x[1]);
      for (const x of cmd.matchAll(/\b(?:npm\s+run|yarn(?:\s+run)?|pnpm(?:\s+run)?|bun\s+run)\s+([\w:.-]{1,100})/g))
        if (m.scripts[x[1]] && !seen.has(x[1])) {
          seen.add(x[1]);
          todo.push(x[1]);
        }
    }
  }
  for (const [file, text] of sources) {
    for (const spec of loadSpecifiers(text)) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
      const hit = resolveSpec(file, spec, byPath);
      if (hit && hit.path !== file) reached.add(hit.path);
    }
  }
  return new Set(files.filter((f) => !reached.has(f.path)).map((f) => f.path));
}

export default defineRule({
  meta: {
    id: 'import-time-network',
    title: 'Network request made when a module is loaded',
    description:
      'A route, middleware, service or config module that makes a network request at module top level, in an IIFE, or in a helper called from there ' +
      '(`initAppBootstrap();`, `verifyToken();`, `(async () => { … })()`) runs on `require`/`import`, before any request arrives. ' +
      'Requests inside request handlers, `listen()` callbacks, class methods and exported functions that nothing calls at load are quiet. ' +
      'A file that no manifest entry, lifecycle script or other file reaches (a generator run by hand) is low. ' +
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
    // Computed on the first request that would otherwise be reported medium: it reads every manifest and source file.
    let maintainer: Set<string> | undefined;
    const isMaintainerScript = async (file: string): Promise<boolean> => {
      if (!maintainer) {
        const exportsOf = new Map<string, unknown>();
        for (const m of ctx.inventory.manifests) {
          const text = await ctx.workspace.get(m.file)?.text();
          try {
            const json: unknown = text ? JSON.parse(text) : undefined;
            if (json && typeof json === 'object' && 'exports' in json) exportsOf.set(m.file, json.exports);
          } catch {
            // A manifest that does not parse names no exports.
          }
        }
        // Every file that can import another (the source index keeps only those that passed its prefilter), bounded:
        // past the bound nothing is set aside, as an import it did not read could reach any file.
        const sources = new Map<string, string>();
        const loaders = ctx.workspace.files.filter((f) => SOURCE_FILE.test(f.path) && f.size <= MAX_IMPORTER_BYTES);
        if (loaders.length <= MAX_IMPORTERS)
          for (const f of loaders) {
            const text = await f.text();
            if (text) sources.set(f.path, text);
          }
        maintainer = loaders.length <= MAX_IMPORTERS ? maintainerScripts(ctx.inventory.manifests, exportsOf, sources, index.files, byPath) : new Set();
      }
      return maintainer.has(file);
    };
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
        } else if (await isMaintainerScript(caller ? caller.from : sf.path)) {
          // (An address from the environment counts too here: an encoded one or a C2 match was taken above.)
          // A file that nothing on the install, start, test or load path runs or imports (a generator run by hand or by
          // a maintenance script such as "grammars" or "test:evals"): it fetches when a maintainer invokes it.
          severity = 'low';
          confidence = 'low';
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
