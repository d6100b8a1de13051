/**
 * `.env`, `.env.*` and `config/*.{js,json}` values, decoded (THREATS T06): lures keep the C2 address base64 in
 * `DEV_API_KEY=aHR0cHM6Ly9…`, sometimes with a junk token that the loader removes at run time.
 */
import { decodeLiteral, decodeBase64 } from './decode.js';

export interface EnvEntry {
  file: string;
  line: number;
  key: string;
  value: string;
  /** The value decoded (base64, hex, nested), when it decodes to readable text. */
  decoded?: { methods: string[]; value: string };
}

// KEY=VALUE or "key": "value" / key: 'value'; bounded classes keep it linear.
const ENV_LINE = /^\s*(?:export\s+)?([\w.-]{1,128})[ \t]*=(.*)$/;
// The lookbehind starts a key only where a run of key characters starts: without it each position inside a long run
// of [\w.-] retried up to 128 characters (measured by the ReDoS audit, test/hostile/redos.test.ts).
const JSON_PAIR = /(?<![\w.-])["']?([\w.-]{1,128})["']?\s*:\s*["'`]([^"'`\n]{1,8192})["'`]/g;

function unquote(v: string): string {
  const t = v.trim();
  if (/^(["'`]).*\1$/s.test(t) && t.length >= 2) return t.slice(1, -1);
  const hash = t.search(/\s#/);
  return hash >= 0 ? t.slice(0, hash).trim() : t;
}

export function decodeEnvValue(value: string): { methods: string[]; value: string } | undefined {
  const d = decodeLiteral(value);
  if (d.length) return d[d.length - 1];
  // Short values (a host in base64 is often under 16 characters) still decode when they end in padding.
  if (value.length >= 8 && /=$/.test(value)) {
    const v = decodeBase64(value);
    if (v && /[a-z]{3}/i.test(v)) return { methods: ['base64'], value: v };
  }
  return undefined;
}

export function envEntries(file: string, text: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  const isEnv = /(?:^|\/)\.env(?:\.[\w.-]+)?$|\.env$/i.test(file);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && out.length < 2000; i++) {
    const line = lines[i].length > 16384 ? lines[i].slice(0, 16384) : lines[i];
    if (isEnv) {
      const m = ENV_LINE.exec(line);
      if (!m || line.trimStart().startsWith('#')) continue;
      const value = unquote(m[2]);
      out.push({ file, line: i + 1, key: m[1], value, decoded: decodeEnvValue(value) });
    } else {
      for (const m of line.matchAll(JSON_PAIR)) {
        const decoded = decodeEnvValue(m[2]);
        if (decoded) out.push({ file, line: i + 1, key: m[1], value: m[2], decoded });
      }
    }
  }
  return out;
}
