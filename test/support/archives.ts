/**
 * Archives built in memory for tests: zips through yazl (the writer) and hand-made ustar headers where tar-stream
 * would refuse the shape a test needs (a size the body does not have).
 */
import yazl from 'yazl';

export interface ZipEntry {
  name: string;
  data?: Buffer | string;
  mode?: number;
  /** Deflate the entry (the default) or store it. */
  compress?: boolean;
}

export function zipOf(entries: ZipEntry[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const z = new yazl.ZipFile();
    for (const e of entries) z.addBuffer(Buffer.from(e.data ?? ''), e.name, { mode: e.mode, compress: e.compress ?? true });
    const parts: Buffer[] = [];
    z.outputStream.on('data', (d: Buffer) => parts.push(d));
    z.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    z.end();
  });
}

/** A ustar header for a regular file of `size` bytes, with its checksum. */
export function ustarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}
