// Measures candidate JS/TS and Python parsers on the same corpus: time per MB and error tolerance.
// Usage: node bench/parsers.mjs [moduleDir]  (candidates are resolved from moduleDir, default this project;
// a candidate that is not installed is skipped and said so).
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const base = path.resolve(process.argv[2] ?? '.');
const req = createRequire(path.join(base, 'package.json'));
const load = (n) => { try { return req(n); } catch { return undefined; } };

function walk(dir, exts, out, max) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (out.length >= max) return;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, exts, out, max);
    else if (exts.some((x) => e.name.endsWith(x)) && !e.name.endsWith('.d.ts') && statSync(p).size < 1_000_000) out.push(p);
  }
}
const nm = path.resolve('node_modules');
const js = []; walk(nm, ['.js', '.mjs', '.cjs'], js, 3000);
const ts = []; walk(path.resolve('src'), ['.ts'], ts, 500);
const jsText = js.map((f) => readFileSync(f, 'utf8'));
const tsText = ts.map((f) => readFileSync(f, 'utf8'));
const mb = (a) => a.reduce((n, s) => n + s.length, 0) / 1e6;
const broken = 'const a = {;\nfunction f( { return 1 }\nnew Function("require", body)(require);\n';

function time(fn, texts) {
  let fails = 0; const t0 = performance.now();
  for (const t of texts) { try { fn(t); } catch { fails++; } }
  return { ms: performance.now() - t0, fails };
}
const report = (name, r, size) => console.log(`${name.padEnd(34)} ${r.ms.toFixed(0).padStart(6)} ms  ${(size / (r.ms / 1000)).toFixed(1).padStart(6)} MB/s  failures ${r.fails}`);
console.log(`JS corpus: ${js.length} files, ${mb(jsText).toFixed(1)} MB; TS corpus: ${ts.length} files, ${mb(tsText).toFixed(2)} MB`);

const cands = [];
const oxc = load('oxc-parser');
if (oxc) cands.push(['oxc-parser', (t, f) => { const r = oxc.parseSync(f, t); if (r.errors.length && !r.program.body.length) throw new Error('x'); return r.program; }]);
const meriyah = load('meriyah');
if (meriyah) cands.push(['meriyah (module, jsx, next)', (t) => { try { return meriyah.parse(t, { module: true, jsx: true, next: true, loc: true }); } catch { return meriyah.parse(t, { jsx: true, loc: true }); } }]);
const babel = load('@babel/parser');
if (babel) cands.push(['@babel/parser (ts, jsx, recovery)', (t, f) => babel.parse(t, { sourceType: 'unambiguous', errorRecovery: true, plugins: f.endsWith('.ts') ? ['typescript'] : ['jsx'] })]);
const acornLoose = load('acorn-loose');
if (acornLoose) cands.push(['acorn-loose', (t) => acornLoose.parse(t, { ecmaVersion: 'latest', sourceType: 'module' })]);
for (const [name, fn] of cands) {
  for (let i = 0; i < 2; i++) time((t) => fn(t, 'x.js'), jsText.slice(0, 200)); // warm-up
  report(`${name} JS`, time((t) => fn(t, 'x.js'), jsText), mb(jsText));
  report(`${name} TS`, time((t) => fn(t, 'x.ts'), tsText), mb(tsText));
  let tolerant; try { tolerant = !!fn(broken, 'x.js'); } catch { tolerant = false; }
  console.log(`${''.padEnd(34)} broken input gives an AST: ${tolerant}`);
}

// Python: a synthetic corpus (lures are small files) of plausible modules.
const py = Array.from({ length: 400 }, (_, i) => `import os, base64, zlib\nclass C${i}:\n    def f(self, x):\n        if x > ${i}:\n            return [y * 2 for y in range(x)]\n        return {"k": "v${i}"}\n\ndef main():\n    data = base64.b64decode("aGVsbG8=")\n    exec(zlib.decompress(data[::-1]))\n\nif __name__ == "__main__":\n    main()\n`.repeat(20));
const lezer = load('@lezer/python');
if (lezer) {
  const f = (t) => { const tree = lezer.parser.parse(t); let n = 0; const c = tree.cursor(); do n++; while (c.next()); return n; };
  for (let i = 0; i < 2; i++) time(f, py.slice(0, 20));
  report('@lezer/python (+ full walk)', time(f, py), mb(py));
}
const TS = load('web-tree-sitter');
if (TS) {
  const P = TS.Parser ?? TS;
  await P.init();
  const lang = await (TS.Language ?? P.Language).load(req.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const p = new P(); p.setLanguage(lang);
  const f = (t) => { const tree = p.parse(t); let n = 0; const c = tree.walk(); let go = true; while (go) { n++; if (c.gotoFirstChild()) continue; while (!c.gotoNextSibling()) { if (!c.gotoParent()) { go = false; break; } } } tree.delete(); return n; };
  for (let i = 0; i < 2; i++) time(f, py.slice(0, 20));
  report('web-tree-sitter python (+ full walk)', time(f, py), mb(py));
}
