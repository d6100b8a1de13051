/**
 * Python manifests and lockfiles, and malformed npm lockfiles: what each parser reads, with lines, and that bad input
 * becomes a diagnostic (never a throw, never a silent pass). Real-tool npm lockfiles are covered by
 * known-malicious.test.ts; uv and poetry cannot run here (no PyPI), so their files are written inline in the formats
 * uv 0.5 (lock version 1) and Poetry 1.8 (lock-version 2.0) produce.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireLocal } from '../src/acquire/local.js';
import { buildInventory } from '../src/engine/inventory.js';
import { DEFAULT_LIMITS } from '../src/options.js';
import type { Diagnostic, Package } from '../src/types.js';
import { tempDir, scanFolder } from './helpers.js';

async function inventoryOf(files: Record<string, string>): Promise<{ packages: Package[]; diagnostics: Diagnostic[] }> {
  const t = tempDir();
  try {
    for (const [p, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(t.dir, p)), { recursive: true });
      writeFileSync(path.join(t.dir, p), body);
    }
    const ws = await acquireLocal(t.dir, DEFAULT_LIMITS);
    const diagnostics: Diagnostic[] = [];
    const inv = await buildInventory(ws, diagnostics);
    await ws.dispose();
    return { packages: inv.packages, diagnostics };
  } finally {
    t.cleanup();
  }
}

const brief = (p: Package) => `${p.where.file}:${p.where.line} ${p.name}@${p.version ?? ''} spec=${p.spec ?? ''} direct=${p.direct}${p.resolved ? ` res=${p.resolved}` : ''}${p.integrity ? ' hashed' : ''}`;

describe('Python manifests', () => {
  it('requirements: includes, constraints, hashes, markers, extras, continuations, VCS/URL/path, index options', async () => {
    const { packages, diagnostics } = await inventoryOf({
      'requirements.txt': [
        '# comment',
        '--index-url https://pypi.org/simple',
        '--extra-index-url https://pypi.corp.example/simple',
        '-r base.txt',
        '-c pins.txt',
        'requests[socks,security]==2.32.3 \\',
        '    --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6',
        'flask>=3.0,<4 ; python_version >= "3.8"  # web',
        '-e git+https://github.com/org/tool.git@v1.2#egg=org-tool',
        'wheelpkg @ https://files.example.org/wheelpkg-1.0-py3-none-any.whl',
        './vendor/localpkg',
        '-r ../outside.txt',
      ].join('\n'),
      'base.txt': 'pycryptoenv==1.0.7\n',
      'pins.txt': 'urllib3==2.2.3\n',
    });
    const got = packages.map(brief);
    assert.deepEqual(got, [
      'base.txt:1 pycryptoenv@1.0.7 spec===1.0.7 direct=true',
      'pins.txt:1 urllib3@2.2.3 spec===2.2.3 direct=false',
      'requirements.txt:6 requests@2.32.3 spec===2.32.3 direct=true hashed',
      'requirements.txt:8 flask@ spec=>=3.0,<4 direct=true',
      'requirements.txt:9 org-tool@ spec=git+https://github.com/org/tool.git@v1.2#egg=org-tool direct=true res=git+https://github.com/org/tool.git@v1.2#egg=org-tool',
      'requirements.txt:10 wheelpkg@ spec=https://files.example.org/wheelpkg-1.0-py3-none-any.whl direct=true res=https://files.example.org/wheelpkg-1.0-py3-none-any.whl',
      'requirements.txt:11 localpkg@ spec=./vendor/localpkg direct=true res=./vendor/localpkg',
    ]);
    assert.ok(diagnostics.some((d) => d.code === 'include-outside' && d.incomplete));
  });

  it('pyproject: PEP 621, optional dependencies, PEP 735 groups and Poetry (constraints become PEP 440)', async () => {
    const { packages } = await inventoryOf({
      'pyproject.toml': [
        '[project]',
        'name = "app"',
        'dependencies = ["requests>=2.31", "Swap.Mempool==1.0.8"]',
        '[project.optional-dependencies]',
        'cli = ["click~=8.1"]',
        '[dependency-groups]',
        'dev = ["pytest>=8"]',
        '[tool.poetry.dependencies]',
        'python = "^3.11"',
        'quasarlib = "^1.0.8"',
        'mylib = { git = "https://github.com/org/mylib.git", branch = "main" }',
        '[tool.poetry.group.test.dependencies]',
        'coverage = "~7.4"',
      ].join('\n'),
    });
    assert.deepEqual(packages.map(brief), [
      'pyproject.toml:3 requests@ spec=>=2.31 direct=true',
      'pyproject.toml:3 Swap.Mempool@1.0.8 spec===1.0.8 direct=true',
      'pyproject.toml:5 click@ spec=~=8.1 direct=true',
      'pyproject.toml:7 pytest@ spec=>=8 direct=true',
      'pyproject.toml:10 quasarlib@ spec=>=1.0.8,<2.0.0 direct=true',
      'pyproject.toml:11 mylib@ spec=git+https://github.com/org/mylib.git direct=true res=git+https://github.com/org/mylib.git',
      'pyproject.toml:13 coverage@ spec=>=7.4,<7.5 direct=true',
    ]);
  });

  it('a Poetry caret range that admits a bad version is found; one that does not is not', async () => {
    const t = tempDir();
    try {
      writeFileSync(path.join(t.dir, 'pyproject.toml'), '[tool.poetry.dependencies]\nquasarlib = "^1.0.0"\npycryptoconf = "^2.0"\n');
      const r = await scanFolder(t.dir, { rules: ['known-malicious-package'] });
      assert.deepEqual(r.findings.map((f) => `${f.severity} ${f.location.line}`), ['high 2']);
    } finally {
      t.cleanup();
    }
  });

  it('setup.cfg, Pipfile and Pipfile.lock', async () => {
    const { packages } = await inventoryOf({
      'setup.cfg': '[metadata]\nname = app\n\n[options]\ninstall_requires =\n    requests>=2\n    pycryptoconf==1.0.6\n\n[options.extras_require]\ncli = click>=8\n',
      Pipfile: '[[source]]\nurl = "https://pypi.org/simple"\nname = "pypi"\n\n[packages]\nrequests = "*"\nswapmempool = "==1.0.8"\n\n[dev-packages]\npytest = {version = ">=8"}\n',
      'Pipfile.lock': JSON.stringify({ _meta: { sources: [{ url: 'https://pypi.org/simple' }] }, default: { quasarlib: { version: '==1.0.8', hashes: ['sha256:aa'] } }, develop: {} }, null, 4),
    });
    assert.deepEqual(packages.map(brief).sort(), [
      'Pipfile.lock:10 quasarlib@1.0.8 spec===1.0.8 direct=false hashed',
      'Pipfile:10 pytest@ spec=>=8 direct=true',
      'Pipfile:6 requests@ spec= direct=true',
      'Pipfile:7 swapmempool@1.0.8 spec===1.0.8 direct=true',
      'setup.cfg:10 click@ spec=>=8 direct=true',
      'setup.cfg:6 requests@ spec=>=2 direct=true',
      'setup.cfg:7 pycryptoconf@1.0.6 spec===1.0.6 direct=true',
    ]);
  });

  it('poetry.lock and uv.lock: every locked package with its line, source and hash; uv chains from the project', async () => {
    const { packages } = await inventoryOf({
      'poetry.lock': [
        '# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.',
        '',
        '[[package]]',
        'name = "quasarlib"',
        'version = "1.0.8"',
        'description = ""',
        'optional = false',
        'python-versions = "*"',
        'files = [',
        '    {file = "quasarlib-1.0.8.tar.gz", hash = "sha256:0b5e"},',
        ']',
        '',
        '[[package]]',
        'name = "mylib"',
        'version = "0.1.0"',
        'description = ""',
        'optional = false',
        'python-versions = "*"',
        'files = []',
        '',
        '[package.source]',
        'type = "git"',
        'url = "https://github.com/org/mylib.git"',
        'reference = "main"',
        'resolved_reference = "0123abcd"',
        '',
        '[metadata]',
        'lock-version = "2.0"',
        'python-versions = "^3.11"',
        'content-hash = "00"',
      ].join('\n'),
      'uv/uv.lock': [
        'version = 1',
        'requires-python = ">=3.11"',
        '',
        '[[package]]',
        'name = "app"',
        'version = "0.1.0"',
        'source = { editable = "." }',
        'dependencies = [',
        '    { name = "requests" },',
        ']',
        '',
        '[[package]]',
        'name = "requests"',
        'version = "2.32.3"',
        'source = { registry = "https://pypi.org/simple" }',
        'dependencies = [',
        '    { name = "swapmempool" },',
        ']',
        'sdist = { url = "https://files.pythonhosted.org/packages/requests-2.32.3.tar.gz", hash = "sha256:5536", size = 131218 }',
        '',
        '[[package]]',
        'name = "swapmempool"',
        'version = "1.0.8"',
        'source = { registry = "https://pypi.org/simple" }',
      ].join('\n'),
    });
    assert.deepEqual(packages.map((p) => `${brief(p)} path=${(p.path ?? []).join('>')}`), [
      'poetry.lock:3 quasarlib@1.0.8 spec= direct=false hashed path=',
      'poetry.lock:13 mylib@0.1.0 spec= direct=false res=git+https://github.com/org/mylib.git#0123abcd path=',
      'uv/uv.lock:12 requests@2.32.3 spec= direct=true res=https://pypi.org/simple hashed path=requests',
      'uv/uv.lock:21 swapmempool@1.0.8 spec= direct=false res=https://pypi.org/simple path=requests>swapmempool',
    ]);
  });
});

describe('malformed manifests and lockfiles are diagnostics', () => {
  const cases: [string, string][] = [
    ['package-lock.json', '{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"'],
    ['yarn.lock', '# yarn lockfile v1\n\n"a@^1":\n  version "1\n  resolved ""\n'],
    ['pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  'a@1': {resolution: {integrity: [}\n"],
    ['bun.lock', '{"lockfileVersion": 1, "packages": {"a": ["a@1.0.0", '],
    ['pyproject.toml', '[project\ndependencies = ["a"'],
    ['poetry.lock', '[[package]\nname = '],
    ['uv.lock', 'version = 1\n[[package]]\nname = "a"\nname = "b"\n'],
    ['Pipfile', '[packages\n'],
    ['Pipfile.lock', '{"default": {'],
  ];
  for (const [file, body] of cases) {
    it(`${file}`, async () => {
      const { diagnostics } = await inventoryOf({ [file]: body });
      const mine = diagnostics.filter((d) => d.file === file);
      assert.ok(mine.length > 0 && mine.every((d) => d.code !== 'parser-crash'), JSON.stringify(diagnostics));
      assert.ok(mine.some((d) => d.incomplete), 'the scan is marked incomplete');
    });
  }
});
