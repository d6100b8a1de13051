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

/**
 * Does a file look like text? Its first 4 KiB have no NUL byte and at least 95 % printable bytes (tab, line breaks,
 * ASCII 32–126, anything from 128: UTF-8 text).
 */
export function looksLikeText(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 4096);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128) printable++;
  }
  return printable / n > 0.95;
}

/**
 * The file's text when its bytes look like text (looksLikeText), else undefined. The workspaces lurescan builds
 * answer from one read, keep the verdict and share the decoded text with `text()`, so that the rules that read every
 * text file (c2-url, stealer-fingerprint, offscreen-code) do not read each file again; another WorkspaceFile is read
 * and decoded as it says.
 */
export async function textIfText(file: WorkspaceFile): Promise<string | undefined> {
  const own = (file as { textIfText?: () => Promise<string | undefined> }).textIfText;
  if (typeof own === 'function') return own.call(file);
  const bytes = await bytesOf(file);
  if (!bytes || !looksLikeText(bytes)) return undefined;
  return file.text();
}

/**
 * Hands bytes of `file` that a caller has already read (and their decoded text, if it decoded them) to the workspace,
 * so that a later textIfText() or text() of the same file need not read it again (see Entry.offer in workspace.ts).
 * A no-op for a WorkspaceFile that keeps nothing.
 */
export function offerText(file: WorkspaceFile, bytes: Buffer, text?: string): void {
  const own = (file as { offer?: (b: Buffer, t?: string) => void }).offer;
  if (typeof own === 'function') own.call(file, bytes, text);
}

/**
 * How many leading bytes answer every format sniff: the file-magic signatures (offsets up to 4), the LFS pointer line
 * (43), and tar's `ustar` magic at offset 257 (its 512-byte header is read only when that magic is there). The folder
 * reader keeps this much of every file it hashes (acquire/local.ts), so these checks cost no second open.
 */
export const SNIFF_BYTES = 264;

/**
 * The first n bytes of `file` (fewer when it is shorter): the workspaces lurescan builds answer from a head an earlier
 * read kept or from a partial read, without loading the whole file; another WorkspaceFile is read whole.
 */
export async function headOf(file: WorkspaceFile, n: number): Promise<Buffer | undefined> {
  const own = (file as { headBytes?: (n: number) => Promise<Buffer | undefined> }).headBytes;
  if (typeof own === 'function') return own.call(file, n);
  return (await bytesOf(file))?.subarray(0, n);
}

/** The first bytes of `file` if an earlier read kept them (see EntrySpec.keptHead), without reading; else undefined. */
export function keptHeadOf(file: WorkspaceFile): Buffer | undefined {
  const own = (file as { keptHead?: () => Buffer | undefined }).keptHead;
  return typeof own === 'function' ? own.call(file) : undefined;
}
