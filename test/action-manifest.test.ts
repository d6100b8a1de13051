/** action.yml and dist/: the manifest matches the code, and the committed bundle matches the source. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helpers.js';
import { ACTION_DEFAULTS } from '../src/action/inputs.js';

interface Manifest {
  name: string;
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const manifest = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Manifest;

describe('action.yml', () => {
  it('runs dist/index.js on node24 and has branding', () => {
    assert.deepEqual(manifest.runs, { using: 'node24', main: 'dist/index.js' });
    assert.ok(manifest.branding.icon && manifest.branding.color);
  });

  it('declares exactly the inputs the code reads, each described, with no default but token', () => {
    const src = ['inputs.ts'].map((f) => readFileSync(path.join(ROOT, 'src', 'action', f), 'utf8')).join('\n');
    const read = new Set([...src.matchAll(/input\('([a-z-]+)'\)/g)].map((m) => m[1]));
    assert.deepEqual(Object.keys(manifest.inputs).sort(), [...read].sort());
    for (const [name, input] of Object.entries(manifest.inputs)) {
      assert.ok(input.description?.length > 20, `${name} has a description`);
      assert.match(name, /^[a-z]+(?:-[a-z]+)*$/);
      if (name === 'token') assert.equal(input.default, '${{ github.token }}');
      else assert.equal(input.default, undefined, `${name}: defaults live in ACTION_DEFAULTS`);
    }
    assert.equal(ACTION_DEFAULTS.failOn, 'block');
  });

  it('declares exactly the outputs the code sets, each described', () => {
    const src = readFileSync(path.join(ROOT, 'src', 'action', 'run.ts'), 'utf8');
    const set = [...src.matchAll(/core\.setOutput\('([a-z-]+)'/g)].map((m) => m[1]);
    assert.deepEqual(Object.keys(manifest.outputs).sort(), [...set].sort());
    for (const o of Object.values(manifest.outputs)) assert.ok(o.description.length > 10);
  });

  it('dist/index.js is the bundle of the current source (npm run build:action)', async function () {
    // Engineers change src/ all day; the committed bundle catches up when they run `npm run build:action`.
    // CI (.github/workflows/ci.yml) runs `npm run check-dist`, which fails on any difference; here a stale
    // bundle is only reported unless LURESCAN_CHECK_DIST=1.
    const { bundleAction } = (await import(path.join(ROOT, 'scripts', 'build-action.mjs'))) as { bundleAction: () => Promise<string> };
    const fresh = await bundleAction();
    const committed = readFileSync(path.join(ROOT, 'dist', 'index.js'), 'utf8');
    if (fresh !== committed && !process.env.LURESCAN_CHECK_DIST) {
      console.log('      note: dist/index.js is stale; run `npm run build:action` and commit it');
      this.skip();
    }
    assert.ok(fresh === committed, 'dist/index.js differs from a fresh build: run `npm run build:action`');
  });

  it('the bundle has no side effects but run(): its entry is src/action/main.ts', () => {
    const main = readFileSync(path.join(ROOT, 'src', 'action', 'main.ts'), 'utf8');
    assert.deepEqual(main.split('\n').filter((l) => l && !l.startsWith('/**') && !l.startsWith(' *') && !l.startsWith('//')), ["import { run } from './run.js';", 'void run();']);
  });
});

describe('.github/workflows', () => {
  const wf = (name: string) => parse(readFileSync(path.join(ROOT, '.github', 'workflows', name), 'utf8')) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, string> }[] }>;
  };

  it('ci.yml lints, builds, tests and checks dist/', () => {
    const ci = wf('ci.yml');
    const runs = Object.values(ci.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    for (const cmd of ['npm ci', 'npm run lint', 'npm run build', 'npx mocha', 'npm run check-dist']) assert.ok(runs.includes(cmd), cmd);
    assert.deepEqual(ci.permissions, { contents: 'read' });
  });

  it('lurescan.yml runs this repository\'s Action on pull_request (never pull_request_target) with least privilege', () => {
    const self = wf('lurescan.yml');
    assert.ok('pull_request' in self.on && !('pull_request_target' in self.on));
    assert.deepEqual(self.permissions, { contents: 'read', 'pull-requests': 'write' });
    const steps = Object.values(self.jobs).flatMap((j) => j.steps);
    const action = steps.find((s) => s.uses === './');
    assert.ok(action, 'uses: ./');
    assert.equal(action.with?.['config-file'], '.lurescan.yml');
    assert.ok(steps.every((s) => !s.uses?.startsWith('actions/checkout') || (s.with as Record<string, unknown> | undefined)?.['persist-credentials'] === false));
    for (const key of Object.keys(action.with ?? {})) assert.ok(key in manifest.inputs, `input ${key} exists`);
  });
});
