/**
 * Registry answers are bounded (maxPackumentBytes, maxTarballBytes in DEFAULT_LIMITS): a registry that streams a
 * body without end, lies in its content-length, gzips a huge body into a small one, or sends an endless error page
 * is cut off at the cap, and the command ends with exit 2 and a one-line reason (`lurescan package`), or with an
 * incomplete report naming the reason (`--online`). The server (test/support/huge-registry.ts) generates its bytes
 * as it sends them and stops by itself; `sent` proves the download stopped near the cap instead of running on.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { scan } from '../../src/scan.js';
import { DEFAULT_LIMITS } from '../../src/options.js';
import { startHugeRegistry, type HugeRegistry } from '../support/huge-registry.js';
import { assertHygiene, runCli, sandbox, write, type Sandbox } from './harness.js';

const MiB = 1024 * 1024;
const CAP = 4 * MiB;

async function failure(reg: HugeRegistry, name: string): Promise<{ code?: string; message: string }> {
  return scan({ kind: 'npm', spec: name, registry: `${reg.url}/` }, { limits: { maxPackumentBytes: CAP, maxTarballBytes: CAP } }).then(
    () => assert.fail(`${name}: the scan should fail`),
    (e: Error & { code?: string }) => ({ code: e.code, message: e.message }),
  );
}

describe('registry answers are bounded', function () {
  this.timeout(120_000);
  let reg: HugeRegistry;
  let sb: Sandbox;

  before(async () => {
    reg = await startHugeRegistry({ packumentBytes: 1024 * MiB, tarballBytes: 1024 * MiB, gzipExpandsTo: 80 * MiB });
    sb = sandbox('registry-bounds');
  });
  after(async () => {
    await reg?.close();
    sb?.cleanup();
  });

  // The download may run a few socket buffers past the cap before the abort lands; never much more.
  const stoppedNearCap = (route: string, cap = CAP) => assert.ok((reg.sent.get(route) ?? 0) < cap + 16 * MiB, `${route}: ${reg.sent.get(route)} bytes sent, the download was not stopped`);

  const cases: [route: string, code: string, message: RegExp][] = [
    ['huge-packument', 'too-large', /huge-packument: the registry's answer \(packument\) is too large: .*over the 4194304-byte limit; download stopped/],
    ['liar-large', 'too-large', /too large: 8589934592 bytes declared, over the 4194304-byte limit/],
    ['liar-small', 'bad-response', /invalid JSON/],
    ['gzip-packument', 'too-large', /over the 4194304-byte limit/],
    ['huge-error', 'not-found', /huge-error: not found on/],
    ['huge-500', 'bad-response', /HTTP 500/],
    ['huge-tarball', 'too-large', /huge-tarball@1\.0\.0: the tarball is too large: .*over the 4194304-byte limit/],
    ['liar-tarball', 'integrity', /does not match the integrity/],
  ];
  for (const [route, code, message] of cases) {
    it(`${route}: ${code}, download stopped`, async () => {
      const e = await failure(reg, route);
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      stoppedNearCap(route.includes('tarball') ? `${route}.tgz` : route);
    });
  }

  it('lurescan package: an endless packument and an endless tarball end with exit 2 and one line, at the default caps', async () => {
    for (const [spec, cap] of [
      ['huge-packument', DEFAULT_LIMITS.maxPackumentBytes],
      ['huge-tarball', DEFAULT_LIMITS.maxTarballBytes],
    ] as const) {
      const r = await runCli(['package', spec, '--registry', `${reg.url}/`], sb.env);
      assertHygiene(sb, r);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^lurescan: ${spec}.* is too large: .*over the ${cap}-byte limit; download stopped\\n$`));
      stoppedNearCap(spec === 'huge-tarball' ? 'huge-tarball.tgz' : spec, cap);
    }
  });

  it('--online: oversized answers make the scan incomplete with the reason; --strict exits 3', async () => {
    write(path.join(sb.target, 'package.json'), JSON.stringify({ name: 'r', version: '1.0.0', dependencies: { 'huge-packument': '1.0.0', 'gzip-packument': '1.0.0' } }));
    const r = await runCli([sb.target, '--online', '--registry', `${reg.url}/`, '--format', 'json', '--strict'], sb.env);
    const result = assertHygiene(sb, r, { format: 'json' });
    assert.equal(r.code, 3, r.stderr);
    const d = result?.diagnostics.find((x) => x.code === 'registry-lookup-failed');
    assert.ok(d?.incomplete, JSON.stringify(result?.diagnostics));
    assert.match(d.message, /2 of 2 registry look-ups failed \(gzip-packument: the registry's answer \(packument\) is too large/);
  });
});
