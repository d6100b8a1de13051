/**
 * Every regex that runs on scanned content, gathered for the ReDoS audit: each regex literal and
 * `new RegExp('<literal>')` in src/ (found with the TypeScript parser, not by pattern matching the source), and
 * each regex the signature data holds (signatures/patterns/*.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../helpers.js';

export interface AuditedRegex {
  source: string;
  flags: string;
  /** file:line, or the signature file and key. */
  where: string;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Regexes written in src/, and the `new RegExp(x)` calls whose pattern is not a literal (built from data or code). */
export function sourceRegexes(): { literals: AuditedRegex[]; dynamic: string[] } {
  const literals: AuditedRegex[] = [];
  const dynamic: string[] = [];
  for (const file of tsFiles(path.join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const rel = path.relative(ROOT, file);
    const at = (n: ts.Node) => `${rel}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(n)) {
        const lit = n.text;
        const end = lit.lastIndexOf('/');
        literals.push({ source: lit.slice(1, end), flags: lit.slice(end + 1), where: at(n) });
      } else if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && ts.isIdentifier(n.expression) && n.expression.text === 'RegExp') {
        const [pat, flags] = n.arguments ?? [];
        if (pat && (ts.isStringLiteral(pat) || ts.isNoSubstitutionTemplateLiteral(pat)) && (!flags || ts.isStringLiteral(flags))) {
          literals.push({ source: pat.text, flags: flags ? (flags as ts.StringLiteral).text : '', where: at(n) });
        } else if (pat) dynamic.push(at(n));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { literals, dynamic };
}

/** Regexes held as data: c2 URL patterns, vendor installer URLs, benign install and dev-server commands, ClickFix phrases, config and bundle paths. */
export function signatureRegexes(): AuditedRegex[] {
  const dir = path.join(ROOT, 'signatures', 'patterns');
  const out: AuditedRegex[] = [];
  const read = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
  const c2 = read('c2-urls.json') as { patterns: { id: string; regex: string }[] };
  for (const p of c2.patterns) out.push({ source: p.regex, flags: '', where: `c2-urls.json#${p.id}` });
  const cmd = read('commands.json') as { benignInstall: string[]; devServer: string[] };
  for (const key of ['benignInstall', 'devServer'] as const) cmd[key].forEach((r, i) => out.push({ source: r, flags: 'i', where: `commands.json#${key}[${i}]` }));
  const clickfix = read('clickfix.json') as { openRun: string[]; paste: string[]; verification: string[] };
  for (const key of ['openRun', 'paste', 'verification'] as const) clickfix[key].forEach((r, i) => out.push({ source: r, flags: 'i', where: `clickfix.json#${key}[${i}]` }));
  const installers = read('installers.json') as { installers: { id: string; patterns: string[] }[] };
  for (const i of installers.installers) i.patterns.forEach((r, n) => out.push({ source: r, flags: '', where: `installers.json#${i.id}[${n}]` }));
  const src = read('source.json') as { configFiles: string[]; bundlePaths: string[] };
  src.configFiles.forEach((r, i) => out.push({ source: r, flags: '', where: `source.json#configFiles[${i}]` }));
  src.bundlePaths.forEach((r, i) => out.push({ source: r, flags: 'i', where: `source.json#bundlePaths[${i}]` }));
  return out;
}

/**
 * Hostile inputs for one regex: long runs of every character and escape class it mentions, each followed by a
 * character that makes the match fail late (the shape that makes a backtracking engine go quadratic or worse).
 */
export function hostileInputs(re: AuditedRegex, n = 20_000): string[] {
  const chars = new Set<string>();
  for (const ch of re.source.replace(/\\[dsw]/gi, '')) if (ch >= ' ' && ch <= '~') chars.add(ch);
  if (/\\d/.test(re.source)) chars.add('1');
  if (/\\s/.test(re.source)) {
    chars.add(' ');
    chars.add('\t');
  }
  if (/\\w/.test(re.source)) chars.add('a');
  for (const c of ['a', '0', ' ', '/', '.', '-', '_', '=', '%', 'x']) chars.add(c);
  const out: string[] = [];
  for (const c of chars) {
    out.push(c.repeat(n) + '\u0000');
    out.push(`${c}${' '.repeat(n)}!`);
  }
  // Alternating pairs catch (ab)* style ambiguity.
  const list = [...chars];
  for (let i = 0; i + 1 < list.length; i += 2) out.push((list[i] + list[i + 1]).repeat(n / 2) + '\u0000');
  return out;
}
