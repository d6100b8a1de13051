/** The GitHub API double rejects what GitHub would: it is only useful if its validator has teeth. */
import assert from 'node:assert/strict';
import { GitHubApiDouble, validator } from './support/github-api-double.js';

describe('GitHub API double: OpenAPI validation', function () {
  this.timeout(60_000);
  const api = new GitHubApiDouble();
  before(() => api.start());
  after(() => api.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: 'token x' }, body: body === undefined ? undefined : JSON.stringify(body) });
    await res.text();
    return { status: res.status, problems: api.requests.at(-1)!.problems };
  };

  it('knows the operations of api.github.com', () => {
    assert.ok(validator().operationCount > 800);
    assert.equal(validator().match('GET', '/repos/o/r/pulls/1/files')?.operationId, 'pulls/list-files');
    assert.equal(validator().match('GET', '/repos/o/r/contents/a/b/c.json')?.params.path, 'a/b/c.json');
    assert.equal(validator().match('PATCH', '/repos/o/r/issues/comments/5')?.operationId, 'issues/update-comment');
  });

  const bad: [string, string, string, unknown, RegExp][] = [
    ['an unknown endpoint', 'GET', '/repos/acme/take-home/pulls/1/filez', undefined, /no such operation/],
    ['a wrong method', 'DELETE', '/repos/acme/take-home/pulls/1/files', undefined, /no such operation/],
    ['an undeclared query parameter', 'GET', '/repos/acme/take-home/pulls/1/files?perpage=100', undefined, /query parameter perpage is not declared/],
    ['a query parameter of the wrong type', 'GET', '/repos/acme/take-home/pulls/1/files?per_page=many', undefined, /query parameter per_page must be integer/],
    ['a non-numeric path parameter', 'GET', '/repos/acme/take-home/pulls/one/files', undefined, /path parameter pull_number must be integer/],
    ['a comment without a body', 'POST', '/repos/acme/take-home/issues/1/comments', { text: 'hi' }, /body must have required property 'body'/],
    ['a comment body of the wrong type', 'PATCH', '/repos/acme/take-home/issues/comments/1', { body: 42 }, /body\/body must be string/],
  ];
  for (const [name, method, path, body, want] of bad) {
    it(`rejects ${name}`, async () => {
      const r = await call(method, path, body);
      assert.equal(r.status, 422);
      assert.match(r.problems.join('\n'), want);
    });
  }

  it('accepts a conforming request and validates its own response', async () => {
    api.pulls.set(1, [{ filename: 'a.js', status: 'added' }]);
    const r = await call('GET', '/repos/acme/take-home/pulls/1/files?per_page=100&page=1');
    assert.equal(r.status, 200);
    assert.deepEqual(r.problems, []);
  });
});
