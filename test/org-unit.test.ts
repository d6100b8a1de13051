/** The small parts of `lurescan org`, table-driven: shards, state keys and atomic writes, token handling, facts. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { inShard, parseShard, shardOf } from '../src/org/shard.js';
import { defaultStateDir, StateStore } from '../src/org/state.js';
import { fetchTarget, redactor } from '../src/org/run.js';
import { authorizationEnv, timezonesOf } from '../src/acquire/git.js';
import { contextNotes } from '../src/org/context.js';
import { lastPage, type ListedRepo } from '../src/github/repos.js';
import { esc } from '../src/org/html.js';
import type { OrgEntry } from '../src/org/types.js';
import { tempDir } from './helpers.js';

const repo = (over: Partial<ListedRepo> = {}): ListedRepo => ({ fullName: 'acme/app', name: 'app', owner: 'acme', listedVia: 'acme', cloneUrl: 'https://github.com/acme/app.git', private: true, fork: false, archived: false, ...over });

describe('org: shards', () => {
  it('parses i/n and refuses anything else', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/4/2', '-1/3', '1/300']) assert.throws(() => parseShard(bad), /--shard must be i\/n/, bad);
  });

  it('is stable, case-insensitive and covers every repository exactly once', () => {
    const names = Array.from({ length: 500 }, (_, i) => `acme/repo-${i}`);
    assert.equal(shardOf('Acme/Repo-1', 7), shardOf('acme/repo-1', 7));
    for (const n of [1, 2, 3, 8]) {
      const sizes = Array.from({ length: n }, (_, i) => names.filter((x) => inShard(x, { index: i + 1, count: n })).length);
      assert.equal(sizes.reduce((a, b) => a + b, 0), names.length);
      assert.ok(sizes.every((s) => s > 0));
    }
  });
});

describe('org: state directory', () => {
  const entry = { full_name: 'acme/app', verdict: 'pass' } as OrgEntry;
  const key = { fullName: 'acme/app', headSha: 'a'.repeat(40), signatures: 's1', tool: '0.1.0' };

  it('returns an entry only when repository, HEAD, signatures and tool version all match', async () => {
    const tmp = tempDir();
    try {
      const store = new StateStore(tmp.dir, 'api.github.com');
      await store.put(key, entry);
      assert.deepEqual(await store.get(key), entry);
      assert.deepEqual(await store.get({ ...key, fullName: 'ACME/App' }), entry);
      for (const k of [{ headSha: 'b'.repeat(40) }, { signatures: 's2' }, { tool: '0.2.0' }, { fullName: 'acme/other' }]) assert.equal(await store.get({ ...key, ...k }), undefined);
      assert.equal(await new StateStore(tmp.dir, 'ghe.example.com/api/v3').get(key), undefined, 'hosts do not share entries');
      // The HEAD answer (with its ETag) is kept only when it names the stored commit.
      await store.put(key, entry, { sha: key.headSha, etag: 'W/"1"' });
      assert.equal((await store.peek('acme/app'))?.head?.etag, 'W/"1"');
      await store.put(key, entry, { sha: 'b'.repeat(40), etag: 'W/"2"' });
      assert.equal((await store.peek('acme/app'))?.head, undefined);
      // Atomic: no temporary files remain after writes.
      await Promise.all(Array.from({ length: 20 }, () => store.put(key, entry)));
      const dir = path.join(tmp.dir, 'v1', readdirSync(path.join(tmp.dir, 'v1'))[0]);
      assert.deepEqual(readdirSync(dir).filter((n) => !n.endsWith('.json')), []);
      assert.equal(await store.count(), 1);
    } finally {
      tmp.cleanup();
    }
  });

  it('defaults to the user cache directory on each platform', () => {
    assert.equal(defaultStateDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), '/x/cache/lurescan/org');
    assert.equal(defaultStateDir({}, 'linux', '/home/u'), '/home/u/.cache/lurescan/org');
    assert.equal(defaultStateDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/lurescan/org');
    assert.match(defaultStateDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), /lurescan.Cache.org$/);
  });
});

describe('org: the token', () => {
  const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

  it('is an Authorization header only for private repositories on the API host, and never part of the URL', () => {
    const basic = `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    const cases: [Partial<ListedRepo>, string, boolean][] = [
      [{}, 'https://api.github.com', true],
      [{ private: false }, 'https://api.github.com', false],
      [{ cloneUrl: 'https://evil.example/acme/app.git' }, 'https://api.github.com', false],
      [{ cloneUrl: 'git://github.com/acme/app.git' }, 'https://api.github.com', false],
      [{ cloneUrl: 'http://github.com/acme/app.git' }, 'https://api.github.com', false],
      [{ cloneUrl: 'https://ghe.example.com/acme/app.git' }, 'https://ghe.example.com/api/v3', true],
      [{ cloneUrl: 'http://127.0.0.1:9/acme/app.git' }, 'http://127.0.0.1:8', true],
      [{ cloneUrl: 'https://someone@github.com/acme/app.git' }, 'https://api.github.com', false],
    ];
    for (const [over, api, withToken] of cases) {
      const t = fetchTarget(repo(over), api, token);
      assert.equal(t.authorization, withToken ? basic : undefined, `${JSON.stringify(over)} ${api}`);
      assert.ok(!t.url.includes(token));
    }
    assert.deepEqual(fetchTarget(repo(), 'https://api.github.com', undefined), { url: 'https://github.com/acme/app.git' });
  });

  it('reaches git as origin-scoped configuration in the environment, not on the command line', () => {
    assert.deepEqual(authorizationEnv('https://github.com/acme/app.git', 'basic abc'), { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.https://github.com/.extraHeader', GIT_CONFIG_VALUE_0: 'Authorization: basic abc' });
    assert.deepEqual(authorizationEnv('git://github.com/acme/app.git', 'basic abc'), {});
  });

  it('is scrubbed from messages, with any URL credentials', () => {
    const r = redactor(token);
    assert.equal(r(`fatal: https://x-access-token:${token}@github.com/a/b.git: ${token}`), 'fatal: https://***@github.com/a/b.git: ***');
    assert.equal(redactor(undefined)('git://u:p@h/x'), 'git://***@h/x');
  });
});

describe('org: small parsers and facts', () => {
  it('reads the last page of a Link header', () => {
    assert.equal(lastPage('<https://api.github.com/repositories/1/commits?per_page=1&page=2>; rel="next", <https://api.github.com/repositories/1/commits?per_page=1&page=4213>; rel="last"'), 4213);
    assert.equal(lastPage(''), undefined);
    assert.equal(lastPage('<https://x/?page=2>; rel="next"'), undefined);
  });

  it('T19 notes: young repository and account, single commit, fork, time zones; quiet for an old busy repository', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const notes = contextNotes({ createdAt: '2026-11-20T00:00:00Z', ownerCreatedAt: '2026-11-01T00:00:00Z', commitCount: 1, forkParent: 'up/x', notes: [] }, { sha: 'a', authorDate: '2026-11-20T08:00:00+09:00', committerDate: '2026-11-20T08:00:00-05:00' }, now);
    assert.deepEqual(notes, ['repository created 5 day(s) ago', 'owner account created 24 day(s) ago', 'fork of up/x', 'single-commit history', 'author and committer time zones differ (+0900 vs -0500)']);
    assert.deepEqual(contextNotes({ createdAt: '2020-01-01T00:00:00Z', ownerCreatedAt: '2015-01-01T00:00:00Z', commitCount: 812, notes: [] }, { sha: 'a', authorDate: '2026-11-20T08:00:00Z', committerDate: '2026-11-20T08:00:00Z' }, now), []);
  });

  it('reads author and committer time zones from a commit object, linearly and defensively', () => {
    const commit = 'tree abc\nauthor A <a@x> 1700000000 +0900\ncommitter C <c@x> 1700000000 -0530\n\nmessage\nauthor Fake <f> 1 +0000\n';
    assert.deepEqual(timezonesOf(commit), { author: '+0900', committer: '-0530' });
    assert.equal(timezonesOf('not a commit'), undefined);
    assert.deepEqual(timezonesOf(`author ${'x '.repeat(50_000)}\n\n`), undefined);
  });

  it('HTML escaping covers markup, quotes and control characters', () => {
    assert.equal(esc(`<img src=x onerror='a'>"&`), '&lt;img src=x onerror=&#39;a&#39;&gt;&quot;&amp;');
    assert.equal(esc('a\u202eb\u0007'), 'a\\u202eb\\x07');
  });
});
