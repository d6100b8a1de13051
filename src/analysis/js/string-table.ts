/**
 * Obfuscator string tables (THREATS T09): javascript-obfuscator keeps every string in one array, optionally
 * encoded with its own base64 alphabet (lower case first) and rotated by an IIFE until a checksum matches. The
 * order does not change what the strings say, so each entry is decoded on its own (bounded), and the readable
 * results are what the finding shows: hosts, URLs, module names.
 */
import { isReadable, decodeBase64 } from '../decode.js';

const OBF_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';

/** javascript-obfuscator's `stringArrayEncoding: ['base64']` decoder, reimplemented (never evaluated from the file). */
export function obfuscatorBase64(s: string): string | undefined {
  if (s.length > 64 * 1024 || !/^[\w+/=]+$/.test(s)) return undefined;
  let std = '';
  for (const ch of s) {
    const i = OBF_ALPHABET.indexOf(ch);
    if (i < 0) return undefined;
    std += STD_ALPHABET[i];
  }
  const bytes = Buffer.from(std.split('=')[0], 'base64');
  let out: string;
  try {
    out = decodeURIComponent(
      Array.from(bytes)
        .map((b) => `%${b.toString(16).padStart(2, '0')}`)
        .join(''),
    );
  } catch {
    return undefined;
  }
  return isReadable(out) && /[a-z]{2}/i.test(out) ? out : undefined;
}

export interface TableString {
  raw: string;
  value: string;
  how: 'plain' | 'obfuscator-base64' | 'base64';
}

export function decodeTable(strings: string[], max = 5000): TableString[] {
  const out: TableString[] = [];
  // If most entries decode with the obfuscator alphabet, the table is encoded that way.
  const sample = strings.slice(0, 50);
  const obf = sample.filter((s) => s.length >= 4 && obfuscatorBase64(s) !== undefined).length >= sample.length * 0.6;
  for (const s of strings.slice(0, max)) {
    if (obf) {
      const v = obfuscatorBase64(s);
      if (v !== undefined) {
        out.push({ raw: s, value: v, how: 'obfuscator-base64' });
        continue;
      }
    }
    const b = s.length >= 16 ? decodeBase64(s) : undefined;
    if (b && /[a-z]{3}/i.test(b)) out.push({ raw: s, value: b, how: 'base64' });
    else out.push({ raw: s, value: s, how: 'plain' });
  }
  return out;
}

/** The entries worth showing a reader: URLs, hosts, module and sink names, paths. */
export function interesting(values: string[]): string[] {
  return values.filter((v) => /https?:\/\/|\b\d{1,3}(?:\.\d{1,3}){3}\b|^(?:child_process|require|eval|exec|execSync|spawn|axios|request|fs|os|path|crypto|https?|Function|constructor)$|\.(?:com|io|app|net|org|site|ru|xyz)\b|process\.env|\/(?:api|uploads|pdown|client)\b|Local Extension Settings|Login Data/.test(v));
}
