/**
 * Bounded static decoders (THREATS T06, T09, T13): base64 (standard and URL-safe), hex, char-code lists, reversed
 * strings, zlib. Nothing decoded is ever run; every result is capped in size and nesting depth, and only kept
 * when it reads as text.
 */
import { inflateSync, inflateRawSync, gunzipSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../options.js';

export type DecodeMethod = 'base64' | 'base64url' | 'hex' | 'charcode' | 'reverse' | 'zlib' | 'uri';

export interface Decoded {
  /** The chain of decoders applied, outermost first, e.g. ['reverse', 'base64', 'zlib']. */
  methods: DecodeMethod[];
  value: string;
}

/** Longest decoded output kept, characters. */
export const MAX_DECODED = 256 * 1024;
/** Shortest literal worth trying as base64 or hex (short tokens decode to noise). */
export const MIN_ENCODED = 16;

const B64_RE = /^[A-Z0-9+/]+={0,2}$/i;
const B64URL_RE = /^[\w-]+={0,2}$/;
const HEX_RE = /^(?:[0-9a-f]{2})+$/i;

/** Share of printable characters; decoded noise from random strings is mostly unprintable. */
export function printableRatio(s: string): number {
  if (!s.length) return 0;
  let ok = 0;
  const n = Math.min(s.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13 || (c >= 0xa0 && c !== 0xfffd)) ok++;
  }
  return ok / n;
}

export function isReadable(s: string): boolean {
  return s.length > 0 && printableRatio(s) >= 0.95;
}

/** Base64 (standard or URL-safe) → UTF-8 text, or undefined when it is not base64 of readable text. */
export function decodeBase64(s: string, requireReadable = true): string | undefined {
  const t = s.trim();
  if (t.length < 4 || t.length > MAX_DECODED * 2) return undefined;
  const url = !B64_RE.test(t);
  if (url && !B64URL_RE.test(t)) return undefined;
  const out = Buffer.from(t, url ? 'base64url' : 'base64').toString('utf8');
  return !requireReadable || isReadable(out) ? out : undefined;
}

export function decodeHex(s: string): string | undefined {
  const t = s.trim();
  if (t.length < 4 || t.length > MAX_DECODED * 2 || !HEX_RE.test(t)) return undefined;
  const out = Buffer.from(t, 'hex').toString('utf8');
  return isReadable(out) ? out : undefined;
}

export function decodeCharCodes(codes: number[]): string | undefined {
  if (!codes.length || codes.length > MAX_DECODED || codes.some((c) => !Number.isInteger(c) || c < 0 || c > 0x10ffff)) return undefined;
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCodePoint(...codes.slice(i, i + 4096));
  return out;
}

export function reverse(s: string): string {
  return [...s.slice(0, MAX_DECODED)].reverse().join('');
}

/** zlib, raw deflate or gzip bytes → text, with the output capped (a bomb stops at the cap). */
export function inflateText(bytes: Buffer): string | undefined {
  for (const f of [inflateSync, gunzipSync, inflateRawSync]) {
    try {
      const out = f(bytes, { maxOutputLength: MAX_DECODED }).toString('utf8');
      if (isReadable(out)) return out;
    } catch {
      // not this format, or over the cap
    }
  }
  return undefined;
}

/** Does this decoded text look like something worth showing: code, a URL, a module or host name? */
export function looksMeaningful(s: string): boolean {
  return /[a-z]{3}/i.test(s) && isReadable(s);
}

/**
 * Try every decoder on a literal that stands alone (no call told us how to decode it). Returns the decodings that
 * read as text, nested up to `depth` (base64 of hex of …).
 */
export function decodeLiteral(s: string, depth: number = DEFAULT_LIMITS.maxDecodeDepth): Decoded[] {
  const out: Decoded[] = [];
  const visit = (text: string, methods: DecodeMethod[], d: number): void => {
    if (d <= 0 || out.length >= 8) return;
    const t = text.trim();
    if (t.length < MIN_ENCODED) return;
    const tries: [DecodeMethod, string | undefined][] = [];
    if (HEX_RE.test(t)) tries.push(['hex', decodeHex(t)]);
    else if (B64_RE.test(t) || B64URL_RE.test(t)) {
      // A plain word or identifier is valid base64 too; demand a base64-ish mix before trusting it.
      if (/[A-Z]/.test(t) && /[a-z]/.test(t) && (/[\d+/=_-]/.test(t) || t.length >= 24)) {
        tries.push([B64_RE.test(t) ? 'base64' : 'base64url', decodeBase64(t)]);
        const bin = Buffer.from(t, 'base64');
        if (bin[0] === 0x78 || bin[0] === 0x1f) tries.push(['zlib', inflateText(bin)]);
      }
    }
    for (const [m, v] of tries) {
      if (v === undefined || !isReadable(v)) continue;
      // Hex inside base64 is not meaningful text yet, but its decoding may be.
      if (looksMeaningful(v)) out.push({ methods: [...methods, m], value: v.slice(0, MAX_DECODED) });
      visit(v, [...methods, m], d - 1);
    }
  };
  visit(s, [], depth);
  return out;
}
