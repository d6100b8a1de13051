/** The secret set and the credential shapes (src/secrets/), table-driven; the end-to-end cases are in test/hostile/redaction.test.ts. */
import assert from 'node:assert/strict';
import { credentialsIn, redactCredentialShapes } from '../src/secrets/shape.js';
import { SecretSet } from '../src/secrets/secret-set.js';
import { addArguments, addEnvironment, addNpmSettings } from '../src/secrets/collect.js';

describe('redaction', () => {
  describe('by shape', () => {
    const cases: [string, string][] = [
      ['https://alice:hunter2@host/x.git', 'https://***@host/x.git'],
      ['http://alice:p@ss@word@127.0.0.1:1/x', 'http://***@127.0.0.1:1/x'],
      ['ssh://git:pw@host:22/x and mail me@example.com', 'ssh://***@host:22/x and mail me@example.com'],
      ['{"u":"http://u:p@h","m":"me@x"}', '{"u":"http://***@h","m":"me@x"}'],
      ["fatal: unable to access 'https://tok@host/x/': 403", "fatal: unable to access 'https://***@host/x/': 403"],
      ['git+https://u:p@host/r.git#main', 'git+https://***@host/r.git#main'],
      ['http://h/x.git?access_token=TOK123: fatal', 'http://h/x.git?access_token=***: fatal'],
      ['see https://h/f?a=1&sig=abc%2Fdef&b=2.', 'see https://h/f?a=1&sig=***&b=2.'],
      ['https://b.blob.core.invalid/c?sv=2020&X-Amz-Signature=abcdef)', 'https://b.blob.core.invalid/c?sv=2020&X-Amz-Signature=***)'],
      ['no url here, user@host and a=b', 'no url here, user@host and a=b'],
      ['https://host/path/with@at', 'https://host/path/with@at'],
    ];
    for (const [input, expected] of cases) it(JSON.stringify(input), () => assert.equal(redactCredentialShapes(input), expected));

    it('collects the values a program may print in another shape', () => {
      assert.deepEqual(credentialsIn('git://alice:S3cret-pw@h/x').sort(), ['S3cret-pw', 'alice:S3cret-pw']);
      assert.deepEqual(credentialsIn('http://alice:p%40ss-word@h/x').sort(), ['alice:p%40ss-word', 'alice:p@ss-word', 'p%40ss-word', 'p@ss-word']);
      assert.deepEqual(credentialsIn('https://ghp_0123456789abcdef@h/x'), ['ghp_0123456789abcdef']);
      assert.deepEqual(credentialsIn('ssh://git@h/x'), [], 'a short user name alone is not a credential');
      assert.deepEqual(credentialsIn('https://h/x?token=abcdef123&b=1'), ['abcdef123']);
    });
  });

  describe('by value', () => {
    const token = 'npm_Secret0123456789abcdefXYZ';
    const set = new SecretSet([token]);
    const encodedInside = Buffer.from(`Authorization: Bearer ${token}`).toString('base64');
    const cases: [string, string][] = [
      ['as written', `error: ${token} rejected`],
      ['percent-encoded', `x-echo: ${encodeURIComponent(`a ${token}/`)}`],
      ['base64 of the value', Buffer.from(token).toString('base64')],
      ['base64 inside a longer string, misaligned', encodedInside],
      ['base64url', Buffer.from(`xx${token}`).toString('base64url')],
      ['JSON-escaped', JSON.stringify({ v: `${token}` })],
    ];
    for (const [what, text] of cases) {
      it(what, () => {
        const out = set.redact(text);
        assert.ok(!out.includes(token), out);
        assert.ok(!Buffer.from(out, 'base64').toString('latin1').includes(token.slice(3, -3)), `decodes back to the token: ${out}`);
        assert.ok(out.includes('***'), out);
      });
    }

    it('keeps short values to shape-only redaction, so a report is not garbled', () => {
      const s = new SecretSet(['pass', 'admin']);
      assert.equal(s.size, 0);
      assert.equal(s.redact('"verdict": "pass"'), '"verdict": "pass"');
    });
  });

  describe('collecting', () => {
    it('environment: credential names, URL credentials in any variable; not paths or sockets', () => {
      const set = addEnvironment(new SecretSet(), {
        GITHUB_TOKEN: 'ghp_aaaaaaaaaaaa',
        NODE_AUTH_TOKEN: 'nat_bbbbbbbbbbbb',
        npm_config__auth: 'dXNlcjpzZWNyZXRwdw==',
        AWS_SECRET_ACCESS_KEY: 'cccccccccccccccc',
        HTTPS_PROXY: 'http://proxyuser:proxy-pass-9@proxy.invalid:3128',
        SSH_AUTH_SOCK: '/tmp/ssh-XXXX/agent.1',
        GIT_ASKPASS: 'false',
        PATH: '/usr/bin',
      });
      assert.deepEqual(set.list().sort(), ['cccccccccccccccc', 'dXNlcjpzZWNyZXRwdw==', 'ghp_aaaaaaaaaaaa', 'nat_bbbbbbbbbbbb', 'proxy-pass-9', 'proxyuser:proxy-pass-9'].sort());
    });

    it('npm settings: tokens, _auth and _password decoded as npm stores them, URL credentials', () => {
      const set = addNpmSettings(new SecretSet(), {
        registry: 'https://u:reg-password@npm.corp.example/',
        '//npm.corp.example/:_authToken': 'npm_tokentokentoken',
        '//other.invalid/:_auth': Buffer.from('bob:bobs-secret').toString('base64'),
        '//third.invalid/:_password': Buffer.from('third-secret').toString('base64'),
        'strict-ssl': 'true',
      });
      for (const v of ['npm_tokentokentoken', 'bob:bobs-secret', 'bobs-secret', 'third-secret', 'reg-password']) assert.ok(set.list().includes(v), v);
      assert.ok(!set.list().includes('true'));
    });

    it('command-line URLs', () => {
      const set = addArguments(new SecretSet(), ['https://x:arg-password-1@h/r.git', '--registry=http://y:arg-password-2@h/', '--ref', 'main']);
      assert.ok(set.list().includes('arg-password-1') && set.list().includes('arg-password-2'), set.list().join());
    });
  });
});
