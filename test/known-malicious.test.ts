/**
 * The "must show": every real-generated lockfile with a known-bad package only as a transitive entry blocks,
 * naming the package, version, lockfile line and record id; the same app with a clean lock does not block.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, scanFolder } from './helpers.js';

const LOCKS: [string, string][] = [
  ['lock-npm-v1-bad', 'package-lock.json'],
  ['lock-npm-v2-bad', 'package-lock.json'],
  ['lock-npm-v3-bad', 'package-lock.json'],
  ['lock-npm-shrinkwrap-bad', 'npm-shrinkwrap.json'],
  ['lock-yarn-v1-bad', 'yarn.lock'],
  ['lock-yarn-berry-bad', 'yarn.lock'],
  ['lock-pnpm-v5-bad', 'pnpm-lock.yaml'],
  ['lock-pnpm-v6-bad', 'pnpm-lock.yaml'],
  ['lock-pnpm-v9-bad', 'pnpm-lock.yaml'],
  ['lock-pnpm-v10-bad', 'pnpm-lock.yaml'],
  ['lock-bun-bad', 'bun.lock'],
];

describe('known-malicious-package on real lockfiles', () => {
  for (const [repo, lock] of LOCKS) {
    it(`${repo}: blocks on the transitive entry with package, version, ${lock} line and record id`, async () => {
      const r = await scanFolder(path.join(FIXTURES, 'repos', repo), { rules: ['known-malicious-package'] });
      assert.equal(r.verdict, 'block');
      const f = r.findings.find((x) => x.location.file === lock);
      assert.ok(f, `a finding in ${lock}: ${r.findings.map((x) => x.location.file).join(', ')}`);
      assert.equal(f.severity, 'critical');
      assert.match(f.message, /is-buffer-validator@1\.0\.0/);
      assert.match(f.message, /LURESCAN-NPM-is-buffer-validator/);
      assert.match(f.message, /harmless-wrapper → is-buffer-validator/);
      const lines = readFileSync(path.join(FIXTURES, 'repos', repo, lock), 'utf8').split('\n');
      assert.ok(f.location.line && lines[f.location.line - 1].includes('is-buffer-validator'), `line ${f.location.line} names the package`);
    });
    const clean = repo.replace(/-bad$/, '-clean');
    it(`${clean}: the same app with a clean lock has no finding`, async () => {
      const r = await scanFolder(path.join(FIXTURES, 'repos', clean), { rules: ['known-malicious-package'] });
      assert.deepEqual(r.findings.map((x) => x.message), []);
      assert.equal(r.complete, true);
    });
  }

  it('axios ^1.14.0 locked at 1.14.1 in a v3 lock blocks, and names plain-crypto-js too', async () => {
    const r = await scanFolder(path.join(FIXTURES, 'repos', 'lock-npm-v3-axios'), { rules: ['known-malicious-package'] });
    assert.equal(r.verdict, 'block');
    const lockHits = r.findings.filter((f) => f.location.file === 'package-lock.json' && f.severity === 'critical').map((f) => f.message);
    assert.ok(lockHits.some((m) => /axios@1\.14\.1 is a known-malicious version \(LURESCAN-NPM-axios/.test(m)), lockHits.join('\n'));
    assert.ok(lockHits.some((m) => /plain-crypto-js@4\.2\.1/.test(m) && /axios → plain-crypto-js/.test(m)));
  });

  it('bun.lockb is reported as unread (incomplete), not silently clean', async () => {
    const r = await scanFolder(path.join(FIXTURES, 'repos', 'lock-bun-lockb-bad'), { rules: ['known-malicious-package'] });
    assert.equal(r.complete, false);
    const d = r.diagnostics.find((x) => x.code === 'lockfile-binary');
    assert.ok(d && /bun\.lockb/.test(d.message) && /--save-text-lockfile/.test(d.message));
  });

  it('a requirements.txt pinning a known-bad PyPI version blocks', async () => {
    const r = await scanFolder(path.join(FIXTURES, 'repos', 'pypi-requirements-bad'), { rules: ['known-malicious-package'] });
    assert.equal(r.verdict, 'block');
    const f = r.findings.find((x) => /swapmempool@1\.0\.8/.test(x.message));
    assert.ok(f);
    assert.equal(f.location.file, 'requirements.txt');
    assert.equal(f.location.line, 6);
    assert.match(f.message, /LURESCAN-PYPI-swapmempool/);
  });
});
