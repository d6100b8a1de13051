/**
 * PEP 508 dependency specifiers ("name[extra] >=1,<2 ; python_version < '3.12'", "name @ https://…") and the
 * helpers every Python manifest parser shares. Linear-time string scanning only: these run on untrusted text.
 */
import type { Package } from '../../types.js';
import { snippet } from '../../analysis/text.js';

export interface Requirement {
  name: string;
  extras: string[];
  /** The version specifier, e.g. ">=1.0,<2" or "==1.0.7"; empty when none. */
  specifier: string;
  /** Direct reference: "name @ url". */
  url?: string;
  marker?: string;
}

/** PEP 503 name normalisation (same as signatures/names.ts, kept here so ecosystems depend only on types). */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME_RE = /^[a-z0-9](?:[\w.-]*[a-z0-9])?/i;

/** Parse one PEP 508 requirement; undefined when the text does not start with a valid name. */
export function parseRequirement(input: string): Requirement | undefined {
  let s = input.trim();
  let marker: string | undefined;
  const semi = s.indexOf(';');
  if (semi >= 0) {
    marker = s.slice(semi + 1).trim() || undefined;
    s = s.slice(0, semi).trim();
  }
  const m = NAME_RE.exec(s);
  if (!m) return undefined;
  const name = m[0];
  let rest = s.slice(name.length).trim();
  const extras: string[] = [];
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return undefined;
    extras.push(...rest.slice(1, end).split(',').map((x) => x.trim()).filter(Boolean));
    rest = rest.slice(end + 1).trim();
  }
  if (rest.startsWith('@')) {
    const url = rest.slice(1).trim().split(/\s/)[0];
    return { name, extras, specifier: '', url, marker };
  }
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1);
  return { name, extras, specifier: rest.replace(/\s+/g, ''), marker };
}

/** "==1.0.7" (one exact pin, no wildcard) → "1.0.7". */
export function exactPin(specifier: string): string | undefined {
  if (!specifier || specifier.includes(',')) return undefined;
  const m = /^===?([^=<>!~*,\s]+)$/.exec(specifier);
  return m ? m[1] : undefined;
}

/** First 1-based line whose text mentions the name as a key or a requirement, from `from` on. */
export function lineOfName(lines: string[], name: string, from = 0): number | undefined {
  const lower = name.toLowerCase();
  const alt = lower.replace(/[-_.]/g, '');
  for (let i = from; i < lines.length; i++) {
    const l = lines[i].toLowerCase();
    const idx = l.indexOf(lower);
    if (idx >= 0) {
      const before = idx === 0 ? '' : l[idx - 1];
      const after = l[idx + lower.length] ?? '';
      if (!/[a-z0-9_.-]/.test(before) && !/[a-z0-9]/.test(after)) return i + 1;
    }
    if (alt !== lower && l.replace(/[-_.]/g, '').includes(alt)) return i + 1;
  }
  return undefined;
}

export function pypiPackage(
  req: Requirement,
  file: string,
  line: number | undefined,
  source: string,
  opts: { direct?: boolean; scope?: Package['scope']; integrity?: string; text?: string } = {},
): Package {
  return {
    ecosystem: 'PyPI',
    name: req.name,
    version: exactPin(req.specifier),
    spec: req.url ? req.url : req.specifier || undefined,
    direct: opts.direct ?? true,
    scope: opts.scope ?? 'prod',
    resolved: req.url,
    integrity: opts.integrity,
    where: { file, line, snippet: snippet(opts.text ?? `${req.name}${req.specifier}`) },
    source,
  };
}

/** Poetry constraints ("^1.2", "~1.2.3", "1.0.7", "*", ">=1,<2") → a PEP 440 specifier. */
export function poetryToPep440(c: string): string {
  const s = c.trim();
  if (!s || s === '*') return '';
  if (/^\d[\w.+-]*$/.test(s)) return `==${s}`;
  const caret = /^\^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(s);
  if (caret) {
    const [maj, min, pat] = [Number(caret[1]), caret[2] === undefined ? undefined : Number(caret[2]), caret[3] === undefined ? undefined : Number(caret[3])];
    const base = s.slice(1);
    const upper = maj > 0 || min === undefined ? `${maj + 1}.0.0` : min > 0 || pat === undefined ? `0.${min + 1}.0` : `0.0.${pat + 1}`;
    return `>=${base},<${upper}`;
  }
  const tilde = /^~(\d+)(?:\.(\d+))?/.exec(s);
  if (tilde) {
    const base = s.slice(1);
    const upper = tilde[2] === undefined ? `${Number(tilde[1]) + 1}.0` : `${tilde[1]}.${Number(tilde[2]) + 1}`;
    return `>=${base},<${upper}`;
  }
  return s.replace(/\s+/g, '');
}
