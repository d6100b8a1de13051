/**
 * A hostile npm registry on loopback that answers with bodies far larger than anything it keeps in memory: bytes are
 * generated as they are sent, with back-pressure, and each answer stops by itself after its size (or when the client
 * hangs up). Written on a raw socket so it can do what an HTTP library would refuse: declare a content-length and
 * send more, declare one far larger than what follows, or send no length at all.
 *
 * Routes (GET /<name>, as a registry is asked):
 *   huge-packument     a packument of `packumentBytes`, no content-length
 *   liar-small         content-length 64, then a packument of `packumentBytes`
 *   liar-large         content-length 8 GiB, then a small valid packument
 *   gzip-packument     a small gzip body that expands to `gzipExpandsTo` bytes of JSON
 *   huge-error         404 with an endless body; huge-500: the same with 500
 *   huge-tarball       a valid packument whose tarball (/-/huge-tarball-1.0.0.tgz) is `tarballBytes`, no content-length
 *   liar-tarball       the same, the tarball declared as 1 KiB
 *
 * Run directly (`node --import tsx test/support/huge-registry.ts`) it listens and prints its URL, for measuring the CLI.
 */
import net from 'node:net';
import { gzipSync } from 'node:zlib';

export interface HugeRegistryOptions {
  packumentBytes?: number;
  tarballBytes?: number;
  gzipExpandsTo?: number;
}

export interface HugeRegistry {
  url: string;
  /** Bytes of body written per route, as far as the client took them. */
  sent: Map<string, number>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

function head(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}connection: close\r\n\r\n`;
}

/** Write `prefix`, then filler, then `suffix`, `total` bytes in all; stop early when the client goes away. */
function stream(socket: net.Socket, total: number, prefix: Buffer, suffix: Buffer, count: (n: number) => void): void {
  let written = 0;
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  const pump = () => {
    while (!closed) {
      let piece: Buffer;
      if (written === 0 && prefix.length) piece = prefix;
      else if (written >= total - suffix.length) {
        if (written < total) {
          count(suffix.length);
          socket.end(suffix);
        } else socket.end();
        return;
      } else piece = CHUNK.subarray(0, Math.min(CHUNK.length, total - suffix.length - written));
      written += piece.length;
      count(piece.length);
      if (!socket.write(piece)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function packumentFor(name: string, url: string, integrity = 'sha512-' + Buffer.alloc(64, 1).toString('base64')): object {
  return {
    name,
    'dist-tags': { latest: '1.0.0' },
    versions: { '1.0.0': { name, version: '1.0.0', dist: { tarball: `${url}/-/${name}-1.0.0.tgz`, integrity } } },
    time: { created: '2020-01-01T00:00:00.000Z', '1.0.0': '2020-01-01T00:00:00.000Z' },
  };
}

export async function startHugeRegistry(opts: HugeRegistryOptions = {}): Promise<HugeRegistry> {
  const packumentBytes = opts.packumentBytes ?? 2 * 1024 ** 3;
  const tarballBytes = opts.tarballBytes ?? 3 * 1024 ** 3;
  const gzipExpandsTo = opts.gzipExpandsTo ?? 256 * 1024 * 1024;
  const sent = new Map<string, number>();
  let url = '';
  let gzipBody: Buffer | undefined;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (d) => {
      if (buffered.includes('\r\n\r\n')) return;
      buffered += d.toString('latin1');
      if (!buffered.includes('\r\n\r\n')) return;
      const target = /^GET (\S+)/.exec(buffered)?.[1] ?? '/';
      const route = decodeURIComponent(target.slice(1)).replace(/^-\//, '').replace(/-1\.0\.0\.tgz$/, '.tgz');
      const count = (n: number) => sent.set(route, (sent.get(route) ?? 0) + n);
      const json = { 'content-type': 'application/json' };
      const open = Buffer.from(`{"name":"x","versions":{"1.0.0":{"dist":{"tarball":"${url}/x.tgz","integrity":"sha1-AAAA"}}},"pad":"`);
      const close = Buffer.from('"}');
      switch (route) {
        case 'huge-packument':
          socket.write(head('200 OK', json));
          return stream(socket, packumentBytes, open, close, count);
        case 'liar-small':
          socket.write(head('200 OK', { ...json, 'content-length': 64 }));
          return stream(socket, packumentBytes, open, close, count);
        case 'liar-large': {
          const body = Buffer.from(JSON.stringify(packumentFor('liar-large', url)));
          socket.write(head('200 OK', { ...json, 'content-length': 8 * 1024 ** 3 }));
          count(body.length);
          socket.end(body);
          return;
        }
        case 'gzip-packument': {
          gzipBody ??= gzipSync(Buffer.concat([open, Buffer.alloc(gzipExpandsTo, 0x61), close]), { level: 9 });
          socket.write(head('200 OK', { ...json, 'content-encoding': 'gzip', 'content-length': gzipBody.length }));
          count(gzipBody.length);
          socket.end(gzipBody);
          return;
        }
        case 'huge-error':
        case 'huge-500':
          socket.write(head(route === 'huge-error' ? '404 Not Found' : '500 Internal Server Error', json));
          return stream(socket, packumentBytes, Buffer.from('{"error":"'), close, count);
        case 'huge-tarball':
        case 'liar-tarball': {
          const body = Buffer.from(JSON.stringify(packumentFor(route, url)));
          socket.write(head('200 OK', { ...json, 'content-length': body.length }));
          socket.end(body);
          return;
        }
        case 'huge-tarball.tgz':
          socket.write(head('200 OK', { 'content-type': 'application/octet-stream' }));
          return stream(socket, tarballBytes, Buffer.alloc(0), Buffer.alloc(0), count);
        case 'liar-tarball.tgz':
          socket.write(head('200 OK', { 'content-type': 'application/octet-stream', 'content-length': 1024 }));
          return stream(socket, tarballBytes, Buffer.alloc(0), Buffer.alloc(0), count);
        default:
          socket.end(head('404 Not Found', { ...json, 'content-length': 2 }) + '{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url,
    sent,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reg = await startHugeRegistry();
  process.stdout.write(`${reg.url}\n`);
}
