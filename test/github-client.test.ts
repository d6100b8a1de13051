/** src/github: actionable error messages and the comment marker. */
import assert from 'node:assert/strict';
import { explainApiError } from '../src/github/errors.js';
import { commentMarker } from '../src/github/comments.js';
import { createClient } from '../src/github/client.js';

describe('GitHub API errors', () => {
  const cases: [string, unknown, { fork?: boolean }, RegExp][] = [
    ['401', { status: 401 }, {}, /token was rejected \(401\)/],
    ['403 permissions', { status: 403 }, {}, /pull-requests: write/],
    ['403 on a fork', { status: 403 }, { fork: true }, /forks GITHUB_TOKEN is read-only.*job summary, annotations and SARIF/],
    ['403 rate limit', { status: 403, response: { headers: { 'x-ratelimit-remaining': '0' } } }, {}, /rate limit is exhausted/],
    ['404', { status: 404 }, {}, /not found \(404\) for acme\/take-home.*contents: read/],
    ['422', { status: 422, message: 'Validation Failed' }, {}, /rejected the request \(422\): Validation Failed/],
    ['502', { status: 502 }, {}, /GitHub returned 502 after retries; the scan result is unaffected/],
    ['network', new Error('connect ECONNREFUSED'), {}, /could not post the PR comment: connect ECONNREFUSED/],
  ];
  for (const [name, err, ctx, want] of cases) {
    it(name, () => assert.match(explainApiError(err, 'post the PR comment', { repo: 'acme/take-home', ...ctx }), want));
  }
});

describe('comment marker and client', () => {
  it('is a hidden HTML comment with a sanitised key', () => {
    assert.equal(commentMarker('.'), '<!-- lurescan:summary key=. -->');
    assert.equal(commentMarker('a b-->x'), '<!-- lurescan:summary key=a_b--_x -->');
  });

  it('builds a client without I/O and never exposes the token in its options', () => {
    const gh = createClient({ token: 'ghs_secret', baseUrl: 'http://127.0.0.1:9/' });
    assert.equal(typeof gh.rest.pulls.listFiles, 'function');
    assert.equal(typeof gh.paginate, 'function');
    assert.ok(!JSON.stringify(gh.request.endpoint.DEFAULTS).includes('ghs_secret'));
    assert.equal(gh.request.endpoint.DEFAULTS.baseUrl, 'http://127.0.0.1:9');
  });
});
