#!/usr/bin/env node
// Regenerates fixtures/repos/lock-* with the real package managers, against a loopback Verdaccio that holds only
// tiny INERT packages published by this script (no uplinks: nothing comes from the internet registry).
//
//   harmless-leaf@1.0.0          clean leaf
//   is-buffer-validator@1.0.0    an inert package carrying a name from shared/intel/npm-dprk-packages.tsv
//   harmless-wrapper@1.0.0       depends on is-buffer-validator + harmless-leaf  → the "bad" lock (transitive only)
//   harmless-wrapper@1.0.1       depends on harmless-leaf only                    → the "clean" lock
//   plain-crypto-js@4.2.1, axios@1.14.0, axios@1.14.1 (→ plain-crypto-js)         → the axios case, inert stand-ins
//   harmless-alias-wrapper@1.0.0 depends on "crypto-utils": "npm:plain-crypto-js@^4.2.1" + harmless-leaf
//
// npm aliases (fixtures/rules/known-malicious-package/): an app that installs is-buffer-validator as "lodash" and
// harmless-alias-wrapper (→ plain-crypto-js as "crypto-utils") → positive/alias-in-<manager>-lock; an app that
// installs harmless-leaf under the name "is-buffer-validator" → negative/alias-of-benign-<manager>-lock.
//
// Every registry URL in the generated files is rewritten to https://npm.corp.example/ and each fixture gets the
// matching .npmrc / .yarnrc / .yarnrc.yml / bunfig.toml, so no real registry host and no loopback port is committed.
//
// Workspaces (monorepos): lock-<manager>-workspace-clean and -bad, a root with two workspace projects (see
// workspaceFiles), for the lockfile rules that must read which project asks for what.
//
// Usage: node scripts/generate-lockfile-fixtures.mjs [--tools DIR] [--only name,name]   (names as printed: lock-npm-v2-bad, alias-in-npm-v2-lock…)
// Tools (yarn@1, @yarnpkg/cli-dist@4, pnpm@7/8/9/10, npm@6, @oven/bun-linux-x64) are installed into DIR
// (default $TMPDIR/lurescan-fixture-tools) with npm, once.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVerdaccio } from './lib/verdaccio.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const OUT = path.join(ROOT, 'fixtures', 'repos');
const RULE_OUT = path.join(ROOT, 'fixtures', 'rules', 'known-malicious-package');
/** Managers whose lockfiles get the alias cases (one per lockfile format). */
const ALIAS_GENERATORS = ['npm-v1', 'npm-v2', 'npm-v3', 'yarn-v1', 'yarn-berry', 'pnpm-v5', 'pnpm-v6', 'pnpm-v9', 'bun'];
const CORP = 'https://npm.corp.example/';
const args = process.argv.slice(2);
const opt = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const TOOLS = path.resolve(opt('--tools') ?? path.join(os.tmpdir(), 'lurescan-fixture-tools'));
const ONLY = opt('--only')?.split(',');

const TOOL_SPECS = {
  yarn1: 'yarn@1.22.22',
  berry: '@yarnpkg/cli-dist@4.18.1',
  pnpm7: 'pnpm@7.33.7',
  pnpm8: 'pnpm@8.15.9',
  pnpm9: 'pnpm@9.15.9',
  pnpm10: 'pnpm@10.34.9',
  npm6: 'npm@6.14.18',
  bun: '@oven/bun-linux-x64@1.4.5',
  bun11: '@oven/bun-linux-x64@1.1.38',
};

function installTools() {
  mkdirSync(TOOLS, { recursive: true });
  if (!existsSync(path.join(TOOLS, 'package.json'))) writeFileSync(path.join(TOOLS, 'package.json'), '{"name":"tools","private":true}\n');
  const missing = Object.entries(TOOL_SPECS).filter(([alias]) => !existsSync(path.join(TOOLS, 'node_modules', alias, 'package.json')));
  if (missing.length) {
    const specs = missing.map(([alias, spec]) => `${alias}@npm:${spec}`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...specs], { cwd: TOOLS, stdio: 'inherit' });
  }
}

const T = (alias, ...rest) => path.join(TOOLS, 'node_modules', alias, ...rest);
const npmCli = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

function run(cmd, argv, cwd, env = {}) {
  try {
    execFileSync(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, timeout: 180_000 });
  } catch (err) {
    throw new Error(`${path.basename(argv[0] ?? cmd)} failed: ${String(err.stdout ?? '').slice(-1500)}${String(err.stderr ?? '').slice(-1500)}`, { cause: err });
  }
}

function pkgDir(name, version, deps = {}) {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lurescan-pkg-'));
  writeFileSync(
    path.join(d, 'package.json'),
    JSON.stringify({ name, version, description: 'INERT lurescan test fixture: contains no code that does anything.', main: 'index.js', license: 'MIT', dependencies: deps }, null, 2),
  );
  writeFileSync(path.join(d, 'index.js'), 'module.exports = {};\n');
  return d;
}

async function publishAll(reg) {
  const npmrc = path.join(os.tmpdir(), `lurescan-publish-${process.pid}.npmrc`);
  const host = reg.url.replace(/^http:/, '');
  writeFileSync(npmrc, `registry=${reg.url}\n${host}:_authToken=${reg.token}\n`);
  const pkgs = [
    ['harmless-leaf', '1.0.0', {}],
    ['is-buffer-validator', '1.0.0', {}],
    ['harmless-wrapper', '1.0.0', { 'is-buffer-validator': '^1.0.0', 'harmless-leaf': '^1.0.0' }],
    ['harmless-wrapper', '1.0.1', { 'harmless-leaf': '^1.0.0' }],
    ['plain-crypto-js', '4.2.1', {}],
    ['axios', '1.14.0', {}],
    ['axios', '1.14.1', { 'plain-crypto-js': '^4.2.1' }],
    ['harmless-alias-wrapper', '1.0.0', { 'crypto-utils': 'npm:plain-crypto-js@^4.2.1', 'harmless-leaf': '^1.0.0' }],
  ];
  for (const [name, version, deps] of pkgs) {
    const d = pkgDir(name, version, deps);
    run(process.execPath, [npmCli, 'publish', '--userconfig', npmrc, '--registry', reg.url, '--ignore-scripts'], d);
    rmSync(d, { recursive: true, force: true });
  }
  rmSync(npmrc, { force: true });
}

/** Each generator: files to write before, the install command, files to keep. */
function generators(reg) {
  const cache = (n) => path.join(os.tmpdir(), `lurescan-gen-cache-${process.pid}`, n);
  const npmEnv = { npm_config_registry: reg.url, npm_config_cache: cache('npm'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const npmrc = (url) => `registry=${url}\n`;
  const npmLock = (version) => ({
    rc: { '.npmrc': npmrc },
    exec: (dir) => run(process.execPath, [npmCli, 'install', '--package-lock-only', '--ignore-scripts', `--lockfile-version=${version}`], dir, npmEnv),
    keep: ['package-lock.json'],
  });
  const pnpm = (alias) => ({
    rc: { '.npmrc': npmrc },
    exec: (dir) =>
      run(process.execPath, [T(alias, 'bin', 'pnpm.cjs'), 'install', '--lockfile-only', '--ignore-scripts', `--registry=${reg.url}`, `--store-dir=${cache(alias)}`], dir, {
        npm_config_cache: cache(`${alias}-meta`),
        COREPACK_ENABLE_STRICT: '0',
      }),
    keep: ['pnpm-lock.yaml'],
  });
  return {
    'npm-v1': {
      rc: { '.npmrc': npmrc },
      exec: (dir) => run(process.execPath, [T('npm6', 'bin', 'npm-cli.js'), 'install', '--package-lock-only', '--ignore-scripts'], dir, npmEnv),
      keep: ['package-lock.json'],
    },
    'npm-v2': npmLock(2),
    'npm-v3': npmLock(3),
    'npm-shrinkwrap': {
      rc: { '.npmrc': npmrc },
      exec: (dir) => {
        run(process.execPath, [npmCli, 'install', '--package-lock-only', '--ignore-scripts'], dir, npmEnv);
        run(process.execPath, [npmCli, 'shrinkwrap'], dir, npmEnv);
      },
      keep: ['npm-shrinkwrap.json'],
    },
    'yarn-v1': {
      rc: { '.yarnrc': (url) => `registry "${url}"\n` },
      exec: (dir) =>
        run(process.execPath, [T('yarn1', 'bin', 'yarn.js'), 'install', '--ignore-scripts', '--non-interactive', '--no-progress', `--cache-folder=${cache('yarn1')}`, `--registry=${reg.url}`], dir, {
          YARN_IGNORE_PATH: '1',
        }),
      keep: ['yarn.lock'],
    },
    'yarn-berry': {
      rc: {
        '.yarnrc.yml': (url) =>
          `npmRegistryServer: "${url.replace(/\/$/, '')}"\n` + (url.startsWith('http:') ? 'unsafeHttpWhitelist:\n  - "127.0.0.1"\n' : '') + 'enableTelemetry: false\nnodeLinker: node-modules\n',
      },
      exec: (dir) =>
        run(process.execPath, [T('berry', 'bin', 'yarn.js'), 'install', '--mode=update-lockfile'], dir, {
          YARN_ENABLE_GLOBAL_CACHE: 'false',
          YARN_CACHE_FOLDER: cache('berry'),
          YARN_GLOBAL_FOLDER: cache('berry-global'),
          YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
          // Yarn 4.10+ quarantines versions published minutes ago; these were, by this script.
          YARN_NPM_MINIMAL_AGE_GATE: '0',
        }),
      keep: ['yarn.lock'],
    },
    'pnpm-v5': pnpm('pnpm7'),
    'pnpm-v6': pnpm('pnpm8'),
    'pnpm-v9': pnpm('pnpm9'),
    'pnpm-v10': pnpm('pnpm10'),
    bun: {
      rc: { 'bunfig.toml': (url) => `[install]\nregistry = "${url}"\n` },
      exec: (dir) => run(T('bun', 'bin', 'bun'), ['install', '--lockfile-only', '--ignore-scripts'], dir, { BUN_INSTALL_CACHE_DIR: cache('bun'), DO_NOT_TRACK: '1' }),
      keep: ['bun.lock'],
    },
    'bun-lockb': {
      rc: { 'bunfig.toml': (url) => `[install]\nregistry = "${url}"\n` },
      exec: (dir) => run(T('bun11', 'bin', 'bun'), ['install', '--ignore-scripts'], dir, { BUN_INSTALL_CACHE_DIR: cache('bun11'), DO_NOT_TRACK: '1' }),
      keep: ['bun.lockb'],
    },
  };
}

function rewriteText(s, reg) {
  const hostPort = `127.0.0.1:${reg.port}`;
  return s
    .split(encodeURIComponent(reg.url)).join(encodeURIComponent(CORP))
    .split(encodeURIComponent(reg.url.replace(/\/$/, ''))).join(encodeURIComponent(CORP.replace(/\/$/, '')))
    .split(reg.url).join(CORP)
    .split(`http://${hostPort}`).join(CORP.replace(/\/$/, ''))
    .split(hostPort).join('npm.corp.example');
}

function rewriteBinary(buf, reg) {
  // A binary lockfile cannot change length: replace the host:port with a same-length placeholder host.
  const from = Buffer.from(`http://127.0.0.1:${reg.port}/`);
  const host = 'npm.corp.example'.slice(0, from.length - 'http:///'.length).padEnd(from.length - 'http:///'.length, 'x');
  const to = Buffer.from(`http://${host}/`);
  let i;
  while ((i = buf.indexOf(from)) !== -1) to.copy(buf, i);
  return buf;
}

/** Managers whose lockfiles get the workspace (monorepo) cases: lock-<manager>-workspace-{clean,bad}. */
const WORKSPACE_GENERATORS = ['npm-v3', 'yarn-v1', 'yarn-berry', 'pnpm-v9', 'pnpm-v10', 'bun'];

/**
 * A monorepo: a root that lists no dependency of its own and two workspace projects, as pnpm (pnpm-workspace.yaml)
 * or npm/yarn/bun ("workspaces" in the root package.json) declare them. "bad": packages/lib asks for
 * harmless-wrapper@1.0.0, which pulls in is-buffer-validator (DPRK list).
 */
function workspaceFiles(name, kind) {
  const pnpm = name.startsWith('pnpm');
  const root = { name: 'fixture-monorepo', version: '1.0.0', private: true, ...(pnpm ? {} : { workspaces: ['packages/*'] }) };
  const files = {
    'package.json': root,
    'packages/app/package.json': { name: '@fixture/app', version: '1.0.0', private: true, dependencies: { 'harmless-wrapper': '1.0.1' } },
    'packages/lib/package.json': {
      name: '@fixture/lib',
      version: '1.0.0',
      private: true,
      dependencies: { 'harmless-wrapper': kind === 'workspace-bad' ? '1.0.0' : '1.0.1' },
      devDependencies: { 'harmless-leaf': '^1.0.0' },
    },
  };
  const out = Object.fromEntries(Object.entries(files).map(([f, j]) => [f, `${JSON.stringify(j, null, 2)}\n`]));
  if (pnpm) out['pnpm-workspace.yaml'] = "packages:\n  - 'packages/*'\n";
  return out;
}

function projectFiles(name, kind) {
  return kind.startsWith('workspace') ? workspaceFiles(name, kind) : { 'package.json': `${JSON.stringify(project(kind), null, 2)}\n` };
}

function project(kind) {
  if (kind === 'axios') return { name: 'fixture-axios-app', version: '1.0.0', private: true, dependencies: { axios: '^1.14.0' } };
  if (kind === 'alias')
    return { name: 'fixture-alias-app', version: '1.0.0', private: true, dependencies: { lodash: 'npm:is-buffer-validator@^1.0.0', 'harmless-alias-wrapper': '1.0.0' } };
  if (kind === 'alias-benign') return { name: 'fixture-alias-app', version: '1.0.0', private: true, dependencies: { 'is-buffer-validator': 'npm:harmless-leaf@^1.0.0' } };
  return { name: 'fixture-app', version: '1.0.0', private: true, dependencies: { 'harmless-wrapper': kind === 'bad' ? '1.0.0' : '1.0.1' } };
}

async function main() {
  installTools();
  const reg = await startVerdaccio();
  try {
    await publishAll(reg);
    const gens = generators(reg);
    const jobs = [];
    for (const name of Object.keys(gens)) for (const kind of ['bad', 'clean']) jobs.push([name, kind, `lock-${name}-${kind}`, path.join(OUT, `lock-${name}-${kind}`)]);
    jobs.push(['npm-v3', 'axios', 'lock-npm-v3-axios', path.join(OUT, 'lock-npm-v3-axios')]);
    for (const name of WORKSPACE_GENERATORS)
      for (const kind of ['workspace-clean', 'workspace-bad']) jobs.push([name, kind, `lock-${name}-${kind}`, path.join(OUT, `lock-${name}-${kind}`)]);
    for (const name of ALIAS_GENERATORS) {
      jobs.push([name, 'alias', `alias-in-${name}-lock`, path.join(RULE_OUT, 'positive', `alias-in-${name}-lock`)]);
      jobs.push([name, 'alias-benign', `alias-of-benign-${name}-lock`, path.join(RULE_OUT, 'negative', `alias-of-benign-${name}-lock`)]);
    }
    for (const [name, kind, fixture, out] of jobs) {
      if (ONLY && !ONLY.includes(fixture)) continue;
      const g = gens[name];
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lurescan-gen-'));
      const files = projectFiles(name, kind);
      for (const [f, body] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        writeFileSync(path.join(dir, f), body);
      }
      for (const [f, body] of Object.entries(g.rc)) writeFileSync(path.join(dir, f), body(reg.url));
      try {
        g.exec(dir);
      } catch (err) {
        console.error(`${fixture}: generator failed: ${err.message}`);
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      for (const f of Object.keys(files)) {
        mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
        cpSync(path.join(dir, f), path.join(out, f));
      }
      for (const [f, body] of Object.entries(g.rc)) writeFileSync(path.join(out, f), body(CORP));
      for (const f of g.keep) {
        const src = path.join(dir, f);
        if (!existsSync(src)) {
          console.error(`${fixture}: ${f} was not written`);
          continue;
        }
        const buf = readFileSync(src);
        if (f.endsWith('.lockb')) writeFileSync(path.join(out, f), rewriteBinary(buf, reg));
        else writeFileSync(path.join(out, f), rewriteText(buf.toString('utf8'), reg));
      }
      rmSync(dir, { recursive: true, force: true });
      console.log(`${fixture}: ${g.keep.join(', ')}`);
    }
  } finally {
    await reg.stop();
    rmSync(path.join(os.tmpdir(), `lurescan-gen-cache-${process.pid}`), { recursive: true, force: true });
  }
}

await main();
