/**
 * Does a file's content match the type its extension claims? (THREATS T10.) Fonts and images whose bytes are
 * text, and above all JavaScript, are the fake-font droppers that editor tasks run with `node`.
 */
import type { Signatures } from '../signatures/types.js';
import { looksLikeText } from '../acquire/bytes.js';

export interface TypeMismatch {
  claimed: string;
  /** What the bytes look like. */
  actual: 'javascript' | 'text' | 'unknown-binary' | 'empty';
  detail: string;
}

function extOf(path: string): string {
  const base = path.split('/').pop() ?? path;
  const i = base.lastIndexOf('.');
  return i > 0 ? base.slice(i + 1).toLowerCase() : '';
}

const JS_CUES = /\brequire\s*\(|\bfunction\b|=>|\bvar\s|\bconst\s|\blet\s|\beval\s*\(|\bglobal\[|module\.exports|\bimport\s|_0x[0-9a-f]{3,}/;

/** Formats whose magic the signatures know, keyed by extension. */
export function claimedFormat(path: string, sigs: Signatures): { format: string; magic: string[]; offset: number } | undefined {
  const ext = extOf(path);
  const f = sigs.fileMagic.find((m) => m.extensions.includes(ext));
  return f ? { format: f.format, magic: f.magic, offset: f.offset ?? 0 } : undefined;
}

export function headerMatches(buf: Buffer, magic: string[], offset: number): boolean {
  return magic.some((hex) => buf.length >= offset + hex.length / 2 && buf.subarray(offset, offset + hex.length / 2).toString('hex') === hex);
}

/** A mismatch when the extension claims a binary format the bytes are not; undefined when it fits or is unknown. */
export function checkFileType(path: string, buf: Buffer, sigs: Signatures): TypeMismatch | undefined {
  const claim = claimedFormat(path, sigs);
  if (!claim) return undefined;
  if (buf.length === 0) return undefined;
  if (headerMatches(buf, claim.magic, claim.offset)) return undefined;
  // SVG-in-.ico and similar text formats are not claimed in the magic table, so text here is a lie.
  if (looksLikeText(buf)) {
    const head = buf.subarray(0, 64 * 1024).toString('utf8');
    if (JS_CUES.test(head)) return { claimed: claim.format, actual: 'javascript', detail: `named .${extOf(path)} (${claim.format}) but its bytes are JavaScript source` };
    return { claimed: claim.format, actual: 'text', detail: `named .${extOf(path)} (${claim.format}) but its bytes are text` };
  }
  return { claimed: claim.format, actual: 'unknown-binary', detail: `named .${extOf(path)} (${claim.format}) but its header is ${buf.subarray(0, 4).toString('hex')}` };
}

/** For oversized files: the header proves the file is the media or archive format its name claims. */
export function isGenuineBinary(path: string, head: Buffer, sigs: Signatures): boolean {
  const claim = claimedFormat(path, sigs);
  return !!claim && headerMatches(head, claim.magic, claim.offset);
}
