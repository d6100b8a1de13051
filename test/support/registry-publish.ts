/**
 * Publish a package into a loopback registry (Verdaccio) through the registry's own publish API, the document
 * `npm publish` sends: a tarball built in memory (package/ prefix, gzip), its sha512 integrity and sha1 shasum, and
 * the version manifest. Much faster than spawning npm for every one of the dozens of packages a test or bench needs.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface PublishSpec {
  name: string;
  version: string;
  files: Record<string, string | Buffer>;
  manifest?: Record<string, unknown>;
}

async function tarballOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  pack.on('data', (d: unknown) => parts.push(d as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const [p, text] of Object.entries(files)) pack.entry({ name: `package/${p}`, mode: 0o644, mtime: new Date(0) }, text);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(parts));
}

export async function publishPackage(registryUrl: string, token: string, spec: PublishSpec): Promise<{ bytes: number }> {
  const manifest = { name: spec.name, version: spec.version, main: 'index.js', license: 'MIT', ...spec.manifest };
  const tgz = await tarballOf({ 'package.json': JSON.stringify(manifest, null, 2), ...spec.files });
  const file = `${spec.name.split('/').pop()}-${spec.version}.tgz`;
  const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  const shasum = createHash('sha1').update(tgz).digest('hex');
  const doc = {
    _id: spec.name,
    name: spec.name,
    'dist-tags': { latest: spec.version },
    versions: {
      [spec.version]: { ...manifest, _id: `${spec.name}@${spec.version}`, dist: { integrity, shasum, tarball: `${registryUrl}${spec.name}/-/${file}` } },
    },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
  };
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${registryUrl}${spec.name.replace('/', '%2f')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, connection: 'close' },
      body: JSON.stringify(doc),
    }).catch((e: Error) => e);
    if (!(res instanceof Error) && res.ok) return { bytes: tgz.length };
    if (attempt >= 3) throw new Error(`publish ${spec.name}@${spec.version}: ${res instanceof Error ? res.message : `HTTP ${res.status} ${await res.text()}`}`);
    await new Promise((r) => setTimeout(r, 300 * attempt));
  }
}
