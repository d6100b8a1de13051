/** The package signature database: the compiled index is current, records are valid, matching follows semver and PEP 440. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';
import { buildBundledIndex } from '../src/signatures/bundle.js';
import { compileIndex, type OsvRecord } from '../src/signatures/osv.js';
import { PackageDb, parseIndexText, serialiseIndex } from '../src/signatures/package-db.js';
import { loadSignatures } from '../src/signatures/load.js';
import { normalisePypiName } from '../src/signatures/names.js';

const SIG = path.join(ROOT, 'signatures');

describe('signature database', () => {
  it('every bundled record validates against the schema and has provenance', () => {
    const { errors, index } = buildBundledIndex(SIG);
    assert.deepEqual(errors, []);
    assert.ok(index.records >= 690, `${index.records} records`);
  });

  it('the committed signatures/index/packages.idx is current (run `npm run build` after editing signatures/packages)', () => {
    const fresh = serialiseIndex(buildBundledIndex(SIG).index);
    assert.equal(readFileSync(path.join(SIG, 'index', 'packages.idx'), 'utf8'), fresh);
  });

  it('loads the bundled index with the DPRK npm, PyPI and axios records', () => {
    const db = loadSignatures().packages;
    assert.equal(db.match({ ecosystem: 'npm', name: 'is-buffer-validator', version: '9.9.9' })[0]?.id, 'LURESCAN-NPM-is-buffer-validator');
    assert.equal(db.match({ ecosystem: 'npm', name: 'axios', version: '1.14.1' })[0]?.id, 'LURESCAN-NPM-axios');
    assert.deepEqual(db.match({ ecosystem: 'npm', name: 'axios', version: '1.14.0' }), []);
    assert.equal(db.match({ ecosystem: 'PyPI', name: 'PyCryptoEnv', version: '1.0.7' })[0]?.id, 'LURESCAN-PYPI-pycryptoenv');
    assert.deepEqual(db.match({ ecosystem: 'PyPI', name: 'pycryptoenv', version: '1.0.6' }), []);
    assert.equal(db.errors.length, 0);
  });

  const records: OsvRecord[] = [
    { id: 'MAL-1', modified: 'x', affected: [{ package: { ecosystem: 'npm', name: 'evil' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] },
    { id: 'MAL-2', modified: 'x', affected: [{ package: { ecosystem: 'npm', name: 'pop' }, versions: ['2.0.1', '1.9.9'] }] },
    { id: 'MAL-3', modified: 'x', affected: [{ package: { ecosystem: 'npm', name: 'ranged' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.2.0' }, { fixed: '1.3.0' }] }] }] },
    { id: 'MAL-4', modified: 'x', affected: [{ package: { ecosystem: 'PyPI', name: 'Bad_Pkg' }, versions: ['1.0.7'] }] },
    { id: 'MAL-5', modified: 'x', affected: [{ package: { ecosystem: 'PyPI', name: 'pyrange' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { last_affected: '2.1.0' }] }] }] },
    { id: 'MAL-6', modified: 'x', withdrawn: '2025-01-01', affected: [{ package: { ecosystem: 'npm', name: 'withdrawn' } }] },
    { id: 'MAL-7', modified: 'x', affected: [{ package: { ecosystem: 'crates.io', name: 'evil' } }] },
  ];
  const compiled = compileIndex({ name: 'test', generated: 'x', records });
  const db = PackageDb.fromIndexes([compiled]);
  // The same queries through the file format (binary search over sorted lines) must give the same answers.
  const fromText = new PackageDb([]);
  (fromText as unknown as { loaded: unknown[] }).loaded = [parseIndexText(serialiseIndex(compiled))];
  const table: [string, Parameters<PackageDb['match']>[0], string | undefined, string?][] = [
    ['every version, exact', { ecosystem: 'npm', name: 'evil', version: '3.0.0' }, 'MAL-1', 'version'],
    ['every version, range', { ecosystem: 'npm', name: 'evil', spec: '^1.0.0' }, 'MAL-1', 'range'],
    ['every version, git spec', { ecosystem: 'npm', name: 'evil', spec: 'github:a/b' }, 'MAL-1', 'name'],
    ['listed version', { ecosystem: 'npm', name: 'pop', version: '2.0.1' }, 'MAL-2', 'version'],
    ['unlisted version', { ecosystem: 'npm', name: 'pop', version: '2.0.0' }, undefined],
    ['range admits listed', { ecosystem: 'npm', name: 'pop', spec: '^2.0.0' }, 'MAL-2', 'range'],
    ['range excludes listed', { ecosystem: 'npm', name: 'pop', spec: '~2.0.2' }, undefined],
    ['interval inside', { ecosystem: 'npm', name: 'ranged', version: '1.2.5' }, 'MAL-3', 'version'],
    ['interval fixed', { ecosystem: 'npm', name: 'ranged', version: '1.3.0' }, undefined],
    ['interval range intersects', { ecosystem: 'npm', name: 'ranged', spec: '>=1.1 <1.2.1' }, 'MAL-3', 'range'],
    ['PyPI normalised name + PEP 440 equality', { ecosystem: 'PyPI', name: 'bad.pkg', version: '1.0.7.0' }, 'MAL-4', 'version'],
    ['PyPI other version', { ecosystem: 'PyPI', name: 'bad-pkg', version: '1.0.8' }, undefined],
    ['PyPI specifier admits', { ecosystem: 'PyPI', name: 'BAD-PKG', spec: '>=1.0,<1.1' }, 'MAL-4', 'range'],
    ['PyPI last_affected inside', { ecosystem: 'PyPI', name: 'pyrange', version: '2.1.0' }, 'MAL-5', 'version'],
    ['PyPI last_affected beyond', { ecosystem: 'PyPI', name: 'pyrange', version: '2.1.1' }, undefined],
    ['withdrawn records are dropped', { ecosystem: 'npm', name: 'withdrawn', version: '1.0.0' }, undefined],
    ['other ecosystems are dropped', { ecosystem: 'npm', name: 'evil', version: '1.0.0' }, 'MAL-1'],
    ['npm names are not PyPI-normalised', { ecosystem: 'npm', name: 'Evil', version: '1.0.0' }, undefined],
    ['prototype keys are not names', { ecosystem: 'npm', name: 'constructor', version: '1.0.0' }, undefined],
  ];
  for (const [title, q, id, how] of table) {
    it(`matching: ${title}`, () => {
      for (const d of [db, fromText]) {
        const m = d.match(q);
        assert.equal(m[0]?.id, id);
        if (how) assert.equal(m[0]?.how, how);
      }
    });
  }

  it('the file format finds every name and no other, across many sorted lines', () => {
    const many: OsvRecord[] = Array.from({ length: 2000 }, (_, i) => ({ id: `MAL-${i}`, modified: 'x', affected: [{ package: { ecosystem: 'npm', name: `pkg-${(i * 7919) % 2000}` } }] }));
    const reader = parseIndexText(serialiseIndex(compileIndex({ name: 't', generated: 'x', records: many })));
    for (let i = 0; i < 2000; i++) assert.ok(reader.entries('npm', `pkg-${i}`), `pkg-${i}`);
    for (const miss of ['', 'pkg-', 'pkg-2000', 'a', 'zzz', 'pkg-1999x']) assert.equal(reader.entries('npm', miss), undefined, miss);
    assert.equal(reader.entries('PyPI', 'pkg-1'), undefined);
  });

  it('PyPI names are normalised as PEP 503 says', () => {
    assert.equal(normalisePypiName('Foo__Bar.baz'), 'foo-bar-baz');
  });
});

describe('a missing or damaged package index', () => {
  it('is a diagnostic that makes the scan incomplete, never a silent clean result', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const { PackageDb } = await import('../src/signatures/package-db.js');
    const { runRules } = await import('../src/engine/run.js');
    const { RULES } = await import('../src/rules/index.js');
    const { DEFAULT_LIMITS } = await import('../src/options.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lurescan-idx-'));
    try {
      writeFileSync(path.join(dir, 'bad.idx'), '{"not": "an index"}');
      const sigs = { ...loadSignatures(), packages: new PackageDb([{ file: path.join(dir, 'bad.idx'), optional: false }, { file: path.join(dir, 'missing.idx'), optional: false }]) };
      const rule = RULES.filter((r) => r.meta.id === 'known-malicious-package');
      const pkg = { ecosystem: 'npm' as const, name: 'x', direct: true, where: { file: 'package.json' }, source: 'npm/package-json' };
      const diagnostics: import('../src/types.js').Diagnostic[] = [];
      const ws = { files: [], get: () => undefined } as unknown as import('../src/types.js').Workspace;
      await runRules(rule, ws, { manifests: [], packages: [pkg], installScripts: [], autoRun: [] }, sigs, DEFAULT_LIMITS, diagnostics);
      assert.deepEqual(diagnostics.map((d) => [d.code, d.incomplete]), [['signatures-unreadable', true], ['signatures-unreadable', true]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
