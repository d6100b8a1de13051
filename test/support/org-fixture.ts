/**
 * An organisation made of fixture repositories: each fixtures/repos/<name> becomes a bare repository served by a
 * real git daemon, and the org API double lists it with that daemon's git:// clone_url and its real HEAD commit.
 * The daemon's access hook logs every fetch (so tests can count clones) and refuses the first fetch of any
 * repository whose name starts with 'flaky-' (so retries are exercised against a real server).
 */
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../helpers.js';
import { CLEAN_GIT_ENV, git, makeBareRepo, startGitDaemon, type Daemon } from '../git-daemon.js';
import { OrgApiDouble, type RepoSpec } from './org-api-double.js';

export interface FixtureRepo {
  /** Repository name in the org. */
  name: string;
  /** Folder under fixtures/repos. */
  from: string;
  /** What fixtures/repos/expectations.tsv says: 'block' or 'pass-or-warn'. */
  expected: string;
  /** Owner login; default the org. */
  owner?: string;
  /** Extra environment for the fixture's commit (e.g. GIT_AUTHOR_DATE with a time zone). */
  commitEnv?: Record<string, string>;
  extra?: Partial<RepoSpec>;
}

export interface OrgFixture {
  api: OrgApiDouble;
  daemon: Daemon;
  repos: FixtureRepo[];
  /** Fetches per repository name, from the daemon's access hook. */
  fetches(): Map<string, number>;
  stop(): Promise<void>;
}

export function expectations(): Map<string, string> {
  const rows = readFileSync(path.join(FIXTURES, 'repos', 'expectations.tsv'), 'utf8').trim().split('\n').slice(1);
  return new Map(rows.map((r) => r.split('\t')).map(([name, expected]) => [name, expected]));
}

/** makeBareRepo with extra environment for the commit (dates with time zones, identities). */
function bareRepoWithEnv(base: string, name: string, from: string, env: Record<string, string>): string {
  const work = path.join(base, `${name}-work`);
  cpSync(from, work, { recursive: true });
  const e = { ...CLEAN_GIT_ENV, ...env };
  git(work, ['init', '-q', '-b', 'main'], e);
  git(work, ['add', '-A'], e);
  git(work, ['commit', '-q', '-m', 'initial'], e);
  git(base, ['clone', '-q', '--bare', work, path.join(base, `${name}.git`)], e);
  return git(work, ['rev-parse', 'HEAD'], e).trim();
}

export async function startOrgFixture(dir: string, org: string, repos: FixtureRepo[], users: Record<string, string> = {}): Promise<OrgFixture> {
  const served = path.join(dir, 'served');
  mkdirSync(served, { recursive: true });
  const log = path.join(dir, 'fetch.log');
  writeFileSync(log, '');
  const hook = path.join(dir, 'access-hook.sh');
  writeFileSync(
    hook,
    [
      '#!/bin/sh',
      `echo "$1 $(basename "$2" .git)" >> '${log}'`,
      'case "$(basename "$2")" in',
      `  flaky-*) mark='${dir}/refused-'"$(basename "$2")"; if [ ! -e "$mark" ]; then : > "$mark"; exit 1; fi ;;`,
      'esac',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(hook, 0o755);
  const shas = new Map<string, string>();
  for (const r of repos) {
    if (r.extra?.empty || r.extra?.cloneUrl) continue;
    shas.set(r.name, r.commitEnv ? bareRepoWithEnv(served, r.name, path.join(FIXTURES, 'repos', r.from), r.commitEnv) : makeBareRepo(served, r.name, path.join(FIXTURES, 'repos', r.from)));
  }
  const daemon = await startGitDaemon(served, { accessHook: hook });
  const api = new OrgApiDouble();
  api.orgs.set(org, '2019-03-01T00:00:00Z');
  for (const [login, created] of Object.entries(users)) api.users.set(login, created);
  for (const r of repos) {
    api.repos.push({ owner: r.owner ?? org, name: r.name, cloneUrl: daemon.url(r.name), headSha: shas.get(r.name) ?? '0'.repeat(40), ...r.extra });
  }
  await api.start();
  return {
    api,
    daemon,
    repos,
    fetches() {
      const m = new Map<string, number>();
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        const [service, name] = line.split(' ');
        if (service === 'upload-pack' && name) m.set(name, (m.get(name) ?? 0) + 1);
      }
      return m;
    },
    async stop() {
      await api.stop();
      await daemon.stop();
    },
  };
}

/** The standard test org: every lure and benign look-alike from expectations.tsv that is a whole repository. */
export function standardRepos(): FixtureRepo[] {
  const exp = expectations();
  const pick = [...exp.keys()].filter((n) => n.startsWith('lure-') || n.startsWith('benign-') || n === 'lock-npm-v3-bad' || n === 'lock-npm-v3-clean');
  return pick.map((n) => ({ name: n, from: n, expected: exp.get(n)! }));
}
