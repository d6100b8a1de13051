/**
 * A file's bytes as a Node Buffer. The public type of `WorkspaceFile.bytes()` is `Uint8Array`, so that the published
 * types need no `@types/node`; every workspace lurescan builds returns a Buffer at run time. The internal readers want
 * Buffer's methods (`toString('latin1')`, `equals`); the view shares the memory, nothing is copied.
 */
import type { WorkspaceFile } from '../types.js';

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `file.bytes()` as a Buffer; undefined when the file is over the size limit or unreadable (a diagnostic says why). */
export async function bytesOf(file: WorkspaceFile): Promise<Buffer | undefined> {
  const bytes = await file.bytes();
  return bytes && asBuffer(bytes);
}
