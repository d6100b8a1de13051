/**
 * Turning source facts into finding evidence: file:line locations with snippets, the chain source → sink, and the
 * decoded indicator (the C2 URL that was base64 in `.env`, the URL hidden in a string table), checked against the
 * IOCs and the C2 grammar.
 */
import type { Evidence, Location, Severity } from '../types.js';
import type { Signatures } from '../signatures/types.js';
import type { SourceFile, SourceIndex } from './source-index.js';
import type { Step, Val } from './js/facts.js';
import { LineIndex, snippetAround } from './text.js';
import { classifyUrl, extractUrls, rank, type UrlVerdict } from './urls.js';
import { decodeEnvValue, type EnvEntry } from './env-config.js';
import { short } from './js/facts.js';

const lineIndexes = new WeakMap<SourceFile, LineIndex>();

export function locate(sf: { path: string; text: string }, line: number, column = 1): Location {
  let li = lineIndexes.get(sf as SourceFile);
  if (!li) {
    li = new LineIndex(sf.text);
    lineIndexes.set(sf as SourceFile, li);
  }
  return { file: sf.path, line, column, snippet: snippetAround(li.line(line), column) };
}

export function chainText(steps: Step[], sink: string, sinkLine: number): string {
  return [...steps.map((s) => `L${s.line} ${s.text}`), `L${sinkLine} ${sink}`].join(' → ');
}

export function isDocPath(path: string): boolean {
  return /\.(?:md|markdown|mdx|rst|txt|adoc|html?)$/i.test(path) || /(?:^|\/)(?:docs?|documentation)\//i.test(path);
}

export function isTestPath(path: string): boolean {
  return /(?:^|\/)(?:__tests__|__mocks__|tests?|spec|e2e|fixtures?)\/|\.(?:test|spec)\.[cm]?[jt]sx?$/i.test(path);
}

export interface Indicator {
  value: string;
  verdict?: UrlVerdict;
  /** Where the hidden value came from, e.g. '.env:3 DEV_API_KEY (base64, junk "sot" removed)'. */
  from: string;
}

/** URLs in a decoded string, classified; the strongest first. */
export function indicatorsIn(text: string, from: string, sigs: Signatures): Indicator[] {
  const out: Indicator[] = [];
  for (const url of extractUrls(text, 20)) out.push({ value: url, verdict: classifyUrl(url, sigs), from });
  return out.sort((a, b) => rank(b.verdict?.severity ?? 'info') - rank(a.verdict?.severity ?? 'info'));
}

/** The .env / config values behind `process.env.NAME` in a chain, decoded with the run-time replacements replayed. */
export function resolveEnv(index: SourceIndex, val: Pick<Val, 'envName' | 'xform'> | undefined, sigs: Signatures): Indicator[] {
  if (!val?.envName) return [];
  const out: Indicator[] = [];
  for (const e of index.env.filter((x: EnvEntry) => x.key === val.envName)) {
    let v = e.value;
    for (const x of val.xform ?? []) v = v.split(x.from).join(x.to);
    const dec = val.xform?.length ? decodeEnvValue(v) : e.decoded;
    const how = `${e.file}:${e.line} ${e.key}${dec ? ` (${dec.methods.join(' of ')}${val.xform?.length ? `, junk ${val.xform.map((x) => `'${x.from}'`).join(', ')} removed` : ''})` : ''}`;
    const plain = dec?.value ?? v;
    const found = indicatorsIn(plain, how, sigs);
    out.push(...(found.length ? found : [{ value: short(plain, 200), from: how }]));
  }
  return out;
}

/** Indicators named in a chain's steps (decoded strings quoted in them). */
export function indicatorsInSteps(steps: Step[], sigs: Signatures): Indicator[] {
  return steps.flatMap((s) => indicatorsIn(s.text, `line ${s.line}`, sigs));
}

export function indicatorEvidence(inds: Indicator[]): Evidence[] {
  const seen = new Set<string>();
  const out: Evidence[] = [];
  for (const i of inds) {
    if (seen.has(i.value)) continue;
    seen.add(i.value);
    out.push({ kind: i.verdict ? 'indicator' : 'decoded', value: `${i.value}${i.verdict ? ` (${i.verdict.reason}: ${i.verdict.description})` : ''} ← ${i.from}` });
  }
  return out.slice(0, 8);
}

export function worst(inds: Indicator[]): Severity | undefined {
  let best: Severity | undefined;
  for (const i of inds) if (i.verdict && (!best || rank(i.verdict.severity) > rank(best))) best = i.verdict.severity;
  return best;
}

/** Decoded strings of a file (calls and standalone literals) that name a URL, classified. */
export function decodedIndicators(sf: SourceFile, sigs: Signatures): (Indicator & { line: number })[] {
  const out: (Indicator & { line: number })[] = [];
  const all = [...(sf.js?.decoded ?? []), ...(sf.py?.decoded ?? []), ...sf.literalDecodes];
  for (const d of all) for (const i of indicatorsIn(d.value, `${sf.path}:${d.line} (${d.methods.join(' of ')})`, sigs)) out.push({ ...i, line: d.line });
  return out;
}
