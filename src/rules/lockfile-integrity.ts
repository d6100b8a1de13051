import path from 'node:path';
import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import { parseYamlSafe as parseYaml } from '../ecosystems/yaml-safe.js';
import { defineRule, type FindingInput, type RuleContext } from './define-rule.js';
import type { Package, PackageManifest, Severity } from '../types.js';
import { inNodeModules } from '../analysis/bundle.js';
import { indexOptions, isRequirementsFile } from '../ecosystems/pypi/requirements.js';

const NPM_LOCKS = new Set(['npm/package-lock', 'npm/yarn-lock', 'npm/pnpm-lock', 'npm/bun-lock']);
const PY_LOCKS = new Set(['pypi/poetry-lock', 'pypi/uv-lock', 'pypi/pipfile-lock']);
const DEFAULT_NPM = ['registry.npmjs.org', 'registry.yarnpkg.com', 'registry.npmjs.com'];
const DEFAULT_PYPI = ['pypi.org', 'files.pythonhosted.org', 'pypi.python.org'];
/** Code hosts: a git dependency there is unusual in a lockfile, not hostile by itself. */
const CODE_HOSTS = ['github.com', 'codeload.github.com', 'gitlab.com', 'bitbucket.org'];
/** Hosts that serve anyone's files, or tunnel to anyone's machine. */
const ANYONE_HOSTS = ['ngrok.io', 'ngrok-free.app', 'ngrok.app', 'trycloudflare.com', 'loca.lt', 'serveo.net', 'raw.githubusercontent.com', 'gist.githubusercontent.com', 'pastebin.com', 'transfer.sh', 'file.io', 'dropboxusercontent.com', 'discordapp.com', 'cdn.discordapp.com'];

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

function onHost(host: string, list: readonly string[]): boolean {
  return list.some((h) => host === h || host.endsWith(`.${h}`));
}

const isIp = (h: string) => /^\d{1,3}(?:\.\d{1,3}){3}$/.test(h) || h.includes(':');

/** Folders from a file's folder up to the root: "a/b/x.lock" → ["a/b", "a", ""]. */
function folders(file: string): string[] {
  const out: string[] = [];
  let d = path.posix.dirname(file);
  for (;;) {
    out.push(d === '.' ? '' : d);
    if (d === '.' || d === '/' || d === '') break;
    d = path.posix.dirname(d);
  }
  return out;
}

const join = (dir: string, f: string) => (dir ? `${dir}/${f}` : f);

/** Registry hosts the project configures for npm-family tools, looked up from a folder upward. */
async function npmRegistries(ctx: RuleContext, dir: string, cache: Map<string, string[]>): Promise<string[]> {
  const hit = cache.get(dir);
  if (hit) return hit;
  const hosts: string[] = [];
  const add = (u: unknown) => {
    const h = typeof u === 'string' ? hostOf(u.trim().replace(/^"|"$/g, '')) : undefined;
    if (h) hosts.push(h);
  };
  for (const d of folders(join(dir, 'x'))) {
    const npmrc = await ctx.text(join(d, '.npmrc'));
    if (npmrc) for (const l of npmrc.split('\n')) {
      const m = /^\s*(?:@[\w.-]+:)?registry\s*=\s*(\S+)/.exec(l);
      if (m) add(m[1]);
    }
    const yarnrc = await ctx.text(join(d, '.yarnrc'));
    if (yarnrc) for (const l of yarnrc.split('\n')) {
      const m = /^\s*(?:"?@[\w.-]+:)?registry"?\s+"?([^"\s]+)/.exec(l);
      if (m) add(m[1]);
    }
    for (const [f, reader] of [
      ['.yarnrc.yml', (t: string) => parseYaml(t) as Record<string, unknown>],
      ['pnpm-workspace.yaml', (t: string) => parseYaml(t) as Record<string, unknown>],
      ['bunfig.toml', (t: string) => parseToml(t) as Record<string, unknown>],
    ] as const) {
      const t = await ctx.text(join(d, f));
      if (!t) continue;
      try {
        const o = reader(t) ?? {};
        add(o.npmRegistryServer);
        add(o.registry);
        for (const s of Object.values((o.npmScopes ?? {}) as Record<string, { npmRegistryServer?: string }>)) add(s?.npmRegistryServer);
        for (const r of Object.values((o.registries ?? {}) as Record<string, string>)) add(r);
        const install = (o.install ?? {}) as Record<string, unknown>;
        add(typeof install.registry === 'object' ? (install.registry as { url?: string })?.url : install.registry);
        for (const s of Object.values((install.scopes ?? {}) as Record<string, unknown>)) add(typeof s === 'object' ? (s as { url?: string })?.url : s);
      } catch {
        ctx.diagnostic({ code: 'config-unreadable', message: `${join(d, f)} could not be parsed; its registry settings were not applied`, file: join(d, f), incomplete: false });
      }
    }
  }
  cache.set(dir, hosts);
  return hosts;
}

/** Index hosts Python tools are configured with (pyproject uv/poetry sources, Pipfile sources, requirement index options). */
async function pypiRegistries(ctx: RuleContext, dir: string): Promise<string[]> {
  const hosts: string[] = [];
  const add = (u: unknown) => {
    const h = typeof u === 'string' ? hostOf(u) : undefined;
    if (h) hosts.push(h);
  };
  for (const f of ['pyproject.toml', 'Pipfile']) {
    const t = await ctx.text(join(dir, f));
    if (!t) continue;
    try {
      const o = parseToml(t) as Record<string, unknown>;
      const tool = (o.tool ?? {}) as Record<string, Record<string, unknown>>;
      for (const s of [...((tool.uv?.index as unknown[]) ?? []), ...((tool.poetry?.source as unknown[]) ?? []), ...((o.source as unknown[]) ?? [])]) add((s as { url?: string })?.url);
    } catch {
      /* the manifest parser already reported it */
    }
  }
  return hosts;
}

interface Flag {
  severity: Severity;
  why: string;
}

/** An integrity string with a hash the package manager checks and no practical collision: sha256, sha384, sha512. */
export function strongIntegrity(integrity: string | undefined): string | undefined {
  return /(?:^|\s)(sha(?:512|384|256))-[A-Za-z0-9+/=]{20,}/.exec(integrity ?? '')?.[1];
}

/**
 * A download over plain http with a strong integrity hash: npm, yarn, pnpm and bun verify the hash before they unpack,
 * so a swapped tarball fails the install instead of running. Still worth a line (the lock was made against an http
 * registry), not a warning. Without a hash, the swap is silent: high.
 */
function plainHttp(host: string, integrity: string | undefined, url: string): Flag {
  const hash = verifyingHash(integrity, url);
  if (hash === 'sha1')
    // Swapping a tarball on the path would need a SHA-1 second preimage, which nobody can make; SHA-1 collisions only
    // help whoever publishes both files, and SHA-1-only integrity is reported on its own.
    return { severity: 'low', why: `a plain-http download from ${host}, verified by its SHA-1 hash (a tarball swapped on the path would need a SHA-1 second preimage)` };
  return hash
    ? { severity: 'low', why: `a plain-http download from ${host}, verified by its ${hash} integrity hash (a swapped tarball fails the install)` }
    : { severity: 'high', why: 'a plain-http download with no integrity hash (anyone on the path can swap it)' };
}

/** The hash the package manager checks the download against: a strong one, SHA-1 (integrity or a yarn v1 #fragment), or none. */
function verifyingHash(integrity: string | undefined, url: string): string | undefined {
  return strongIntegrity(integrity) ?? (/(?:^|\s)sha1-[A-Za-z0-9+/=]{20,}/.test(integrity ?? '') || /#[0-9a-f]{40}$/.test(url) ? 'sha1' : undefined);
}

function judgeUrl(url: string, allowed: string[], defaults: string[], integrity?: string): Flag | undefined {
  if (/^(?:file|link|workspace|portal|patch|npm):/.test(url)) return undefined;
  const git = /^(?:git\+|git:|github:|gitlab:|bitbucket:|ssh:)/.test(url) || /\.git(?:#|$)/.test(url);
  const host = git && !/^[a-z+]+:\/\//.test(url) ? (/^(?:github|gitlab|bitbucket):/.test(url) ? 'github.com' : undefined) : hostOf(url.replace(/^git\+/, ''));
  if (!host) return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? { severity: 'medium', why: 'a URL lurescan cannot parse' } : undefined;
  const http = url.startsWith('http://') && !['localhost', '127.0.0.1'].includes(host);
  if (http && !verifyingHash(integrity, url)) return plainHttp(host, integrity, url);
  if (isIp(host)) return { severity: 'high', why: `an IP-literal host (${host})${http ? ' over plain http' : ''}` };
  if (onHost(host, ANYONE_HOSTS) || /\.(?:vercel\.app|up\.railway\.app|glitch\.me|tiiny\.site|netlify\.app|onrender\.com|herokuapp\.com)$/.test(host))
    return { severity: 'high', why: `a host that serves anyone's files (${host})` };
  if (git) return onHost(host, CODE_HOSTS) ? { severity: 'low', why: `a git dependency (${host}), not a registry package` } : { severity: 'medium', why: `a git dependency on ${host}` };
  if (onHost(host, [...defaults, ...allowed])) {
    // A registry host serving a non-tarball path is an odd way to fetch a package but not a foreign source.
    return http ? plainHttp(host, integrity, url) : undefined;
  }
  if (http) return { severity: 'medium', why: `a plain-http download from a host that is not a configured registry (${host}); its ${verifyingHash(integrity, url)} integrity hash is checked on install` };
  if (onHost(host, CODE_HOSTS)) return { severity: 'low', why: `a tarball from a code host (${host}), not a registry` };
  return { severity: 'medium', why: `a host that is not a configured registry (${host}); configured: ${[...new Set([...defaults, ...allowed])].join(', ')}` };
}

function report(ctx: RuleContext, pkg: Package, flag: Flag, what: string, key: string): void {
  const finding: FindingInput = {
    message: `${pkg.name}@${pkg.version ?? '?'} ${what}: ${flag.why}${pkg.path && pkg.path.length > 1 ? ` (via ${pkg.path.join(' → ')})` : ''}.`,
    location: pkg.where,
    severity: flag.severity,
    confidence: 'medium',
    evidence: [{ kind: 'package', value: `${pkg.ecosystem} ${pkg.name}@${pkg.version ?? '?'}${pkg.resolved ? ` ${pkg.resolved}` : ''}`, location: pkg.where }],
    key,
  };
  ctx.report(finding);
}

/** The manifest's own entry for a lockfile package: by the name it is installed under (an alias is its own entry). */
function askedBy(m: PackageManifest, p: Package): Package | undefined {
  const wanted = new Map(m.dependencies.map((d) => [d.alias ?? d.name, d]));
  return (p.alias !== undefined ? wanted.get(p.alias) : undefined) ?? wanted.get(p.name);
}

/**
 * A lock that no install of the project reads: one kept under test fixtures, examples, templates or benchmarks (tools
 * test themselves against deliberately odd locks), or a second lock of another package manager beside the one in use.
 * Its disagreements with a manifest are drift, not tampering: low. Its download URLs are still judged in full.
 */
export function sideLock(file: string, lockFiles: ReadonlySet<string>, workspaceRoots: readonly string[] = []): string | undefined {
  if (/(?:^|\/)(?:tests?|__tests__|spec|e2e|fixtures?|__fixtures__|testdata|examples?|templates?|benchmarks?|bench)\//i.test(file) || /(?:^|\/)[^/]*-tests?\//i.test(file))
    return 'a lockfile of test data, an example or a template, which no install of this project reads';
  const dir = path.posix.dirname(file);
  // A lock inside a member of a workspace whose root has its own lock: the workspace installs from the root's.
  const root = workspaceRoots.find((r) => r !== dir && (r === '.' || dir.startsWith(`${r}/`)) && [...lockFiles].some((l) => path.posix.dirname(l) === r));
  if (root !== undefined) return `a lock inside a member of the workspace at ${root === '.' ? 'the repository root' : root}, which installs from its own lock`;
  const others = ['pnpm-lock.yaml', 'yarn.lock', 'package-lock.json', 'bun.lock'].map((f) => (dir === '.' ? f : `${dir}/${f}`)).filter((f) => f !== file && lockFiles.has(f));
  // pnpm, yarn and bun lockfiles are what their projects install from; a package-lock.json beside one of them is left over.
  if (others.length && /(?:^|\/)package-lock\.json$/.test(file)) return `a package-lock.json kept beside ${others.join(', ')}, which is the lock in use`;
  return undefined;
}

/** Lower a manifest/lock disagreement found in a lock no install reads. */
function aside(flag: Flag, why: string | undefined): Flag {
  return why && flag.severity !== 'low' && flag.severity !== 'info' ? { severity: 'low', why: `${flag.why} (${why})` } : flag;
}

function checkRange(ctx: RuleContext, p: Package, m: PackageManifest, asked: Package, linked = false): void {
  const spec = asked.spec ?? '';
  if (p.version && semver.valid(p.version) && semver.validRange(spec) && !semver.satisfies(p.version, spec, { includePrerelease: true }))
    report(
      ctx,
      p,
      linked
        ? { severity: 'low', why: `${m.file} asks for "${spec}", which ${p.version} does not satisfy; that folder is a linked local package outside the lock's folder (a file: dependency), and this lock's copy of its record is older than its manifest` }
        : { severity: 'low', why: `${m.file} asks for "${spec}", which ${p.version} does not satisfy: the lockfile is behind its manifest, or was edited (its download source is checked on its own)` },
      `is locked`,
      `range\0${p.where.file}\0${p.name}`,
    );
}

/**
 * A direct entry of a lock that records its projects: asked for when one of those projects' manifests lists it.
 * When none does, the entry was added to the lock by hand (medium); when none of those projects has a manifest in the
 * tree, the lock describes folders that are not here (a stale or partial lock), and nothing installs it (low).
 */
function judgeImporters(ctx: RuleContext, p: Package, dir: string, manifests: Map<string, PackageManifest>, sideWhy?: string): void {
  const present: PackageManifest[] = [];
  // A project outside the lock's folder ("..": a file: dependency linked into it) has its own lock; this lock's copy of
  // its record goes stale when that manifest changes, which is no sign of tampering.
  const linked = (p.importers ?? []).every((f) => f === '..' || f.startsWith('../'));
  for (const folder of p.importers ?? []) {
    const rel = path.posix.normalize(join(dir, folder === '.' ? '' : folder));
    const m = manifests.get(rel === '.' || rel === '' ? 'package.json' : `${rel.replace(/\/$/, '')}/package.json`);
    if (!m) continue;
    const asked = askedBy(m, p);
    if (asked) {
      checkRange(ctx, p, m, asked, linked);
      return;
    }
    present.push(m);
  }
  const where = (p.importers ?? []).join(', ');
  if (present.length)
    report(ctx, p, aside({ severity: linked ? 'low' : 'medium', why: `the lockfile installs it for ${present.map((m) => m.file).join(', ')}, which does not list it` }, sideWhy), 'is in the lockfile', `orphan\0${p.where.file}\0${p.name}`);
  else
    report(ctx, p, { severity: 'low', why: `the lockfile installs it for the project folder ${where}, which has no package.json in this tree` }, 'is in the lockfile', `orphan\0${p.where.file}\0${p.name}`);
}

export default defineRule({
  meta: {
    id: 'lockfile-integrity',
    title: 'Lockfile entry fetched from an unexpected place, without integrity, or not asked for',
    description:
      'Reads every lockfile entry (npm, yarn, pnpm, bun, poetry, uv, Pipfile.lock) and the registries the project configures (.npmrc, .yarnrc, .yarnrc.yml, ' +
      'pnpm-workspace.yaml, bunfig.toml, pyproject/Pipfile sources): download URLs over plain http, on IP literals, on file-sharing or tunnel hosts, or on hosts ' +
      'that are not a configured registry; git and tarball dependencies; missing or sha1-only integrity; entries at the top of a lock that no manifest asks for; ' +
      'locked versions that do not satisfy the manifest range; and pip index options (--index-url, --extra-index-url, --trusted-host) that point away from PyPI.',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T17', 'T13'],
    remediation: 'Regenerate the lockfile from the manifest against your own registry (`npm install --package-lock-only`, `pnpm install --lockfile-only`…) and compare; never install from a lockfile whose sources you did not expect.',
  },
  async check(ctx) {
    const regCache = new Map<string, string[]>();
    const pyCache = new Map<string, string[]>();
    const pkgs = ctx.inventory.packages;
    for (const pkg of pkgs) {
      const dir = path.posix.dirname(pkg.where.file) === '.' ? '' : path.posix.dirname(pkg.where.file);
      const npmLock = NPM_LOCKS.has(pkg.source);
      const pyLock = PY_LOCKS.has(pkg.source);
      if (!npmLock && !pyLock) continue;
      if (pkg.resolved) {
        let allowed: string[];
        if (npmLock) allowed = await npmRegistries(ctx, dir, regCache);
        else {
          allowed = pyCache.get(dir) ?? (await pypiRegistries(ctx, dir));
          pyCache.set(dir, allowed);
        }
        const flag = judgeUrl(pkg.resolved, allowed, npmLock ? DEFAULT_NPM : DEFAULT_PYPI, npmLock ? pkg.integrity : undefined);
        if (flag) report(ctx, pkg, flag, `is resolved from ${pkg.resolved.slice(0, 200)}`, `url\0${pkg.name}\0${pkg.resolved}`);
      }
      if (npmLock) {
        const integ = pkg.integrity ?? '';
        const fromRegistryTarball = !!pkg.resolved && /\.tgz(?:#|$)/.test(pkg.resolved);
        if (!integ && fromRegistryTarball && !/#[0-9a-f]{40}$/.test(pkg.resolved ?? ''))
          report(ctx, pkg, { severity: 'low', why: 'no integrity hash, so the tarball is not verified' }, 'has no integrity', `nointeg\0${pkg.name}\0${pkg.version}`);
        else if ((/^sha1-/.test(integ) && !integ.includes(' sha512-')) || (!integ && /#[0-9a-f]{40}$/.test(pkg.resolved ?? '')))
          report(ctx, pkg, { severity: 'low', why: 'only a SHA-1 hash (collisions are practical)' }, 'is verified by SHA-1 only', `sha1\0${pkg.name}\0${pkg.version}`);
      }
    }

    // Manifest ↔ lockfile: entries nothing asks for, and locked versions outside the manifest range. A workspace lock
    // serves several projects: each direct entry is compared with the manifest of the project the lockfile records
    // for it (pnpm importers, npm and bun workspace entries, yarn berry workspace locators), never with the root's alone.
    const manifests = new Map(ctx.inventory.manifests.map((m) => [m.file, m]));
    const byLock = new Map<string, Package[]>();
    for (const p of pkgs) if (NPM_LOCKS.has(p.source)) byLock.set(p.where.file, [...(byLock.get(p.where.file) ?? []), p]);
    const workspaceRoots = [
      ...ctx.workspace.files.filter((f) => /(?:^|\/)pnpm-workspace\.yaml$/.test(f.path)).map((f) => path.posix.dirname(f.path)),
      ...ctx.inventory.manifests.filter((m) => m.workspaces.length > 0 && !inNodeModules(m.file)).map((m) => path.posix.dirname(m.file)),
    ];
    const lockFiles = new Set(ctx.workspace.files.map((f) => f.path).filter((f) => /(?:^|\/)(?:pnpm-lock\.yaml|yarn\.lock|package-lock\.json|bun\.lock)$/.test(f)));
    for (const [lockFile, lockPkgs] of byLock) {
      const sideWhy = sideLock(lockFile, lockFiles, workspaceRoots);
      const dir = path.posix.dirname(lockFile) === '.' ? '' : path.posix.dirname(lockFile);
      const rootManifest = manifests.get(join(dir, 'package.json'));
      const graphKnown = lockPkgs.some((p) => p.path && p.path.length > 1);
      // Formats that do not say which project asks (yarn v1, package-lock v1): any manifest of the tree under the
      // lock's folder may be a workspace project that asks for a top-level entry.
      let treeWanted: Set<string> | undefined;
      const askedInTree = (p: Package) => {
        treeWanted ??= new Set(
          ctx.inventory.manifests
            .filter((m) => !inNodeModules(m.file) && (dir === '' || m.file.startsWith(`${dir}/`)))
            .flatMap((m) => m.dependencies.map((d) => d.alias ?? d.name)),
        );
        return treeWanted.has(p.alias ?? p.name) || treeWanted.has(p.name);
      };
      for (const p of lockPkgs) {
        // package-lock v2/v3 record the whole graph: an entry no chain reaches was added by hand (or left behind).
        if (rootManifest && !p.direct && !p.path && graphKnown && p.source === 'npm/package-lock' && p.scope !== 'optional') {
          report(ctx, p, aside({ severity: 'medium', why: `neither ${rootManifest.file} nor any locked package depends on it` }, sideWhy), 'is in the lockfile', `orphan\0${p.where.file}\0${p.name}`);
          continue;
        }
        if (!p.direct) continue;
        if (p.importers) {
          judgeImporters(ctx, p, dir, manifests, sideWhy);
          continue;
        }
        if (!rootManifest) continue;
        const asked = askedBy(rootManifest, p);
        if (asked) checkRange(ctx, p, rootManifest, asked);
        else if (!askedInTree(p))
          report(ctx, p, aside({ severity: 'medium', why: `${rootManifest.file} does not list it, yet the lockfile installs it at the top level` }, sideWhy), 'is in the lockfile', `orphan\0${p.where.file}\0${p.name}`);
      }
    }

    // pip index options: a second index is how dependency confusion reaches a Python project.
    for (const f of ctx.workspace.files) {
      if (f.kind !== 'file' || !isRequirementsFile(f.path)) continue;
      const text = await f.text();
      if (!text) continue;
      for (const o of indexOptions(text)) {
        const host = hostOf(o.url);
        if (o.option === '--trusted-host') {
          ctx.report({ message: `${o.option} ${o.url} turns off TLS verification for that host.`, location: { file: f.path, line: o.line, snippet: `${o.option} ${o.url}` }, severity: 'medium', key: `trusted\0${o.url}` });
          continue;
        }
        if (!host) continue;
        const flag: Flag | undefined = o.url.startsWith('http://')
          ? { severity: 'high', why: 'a plain-http package index' }
          : isIp(host)
            ? { severity: 'high', why: `an IP-literal package index (${host})` }
            : onHost(host, DEFAULT_PYPI)
              ? undefined
              : { severity: o.option === '--extra-index-url' ? 'medium' : 'low', why: `${o.option === '--extra-index-url' ? 'a second index that can shadow PyPI names (dependency confusion)' : 'an index other than PyPI'}: ${host}` };
        if (flag) ctx.report({ message: `${f.path} sets ${o.option} ${o.url}: ${flag.why}.`, location: { file: f.path, line: o.line, snippet: `${o.option} ${o.url}` }, severity: flag.severity, key: `index\0${o.url}` });
      }
    }
  },
});
