/**
 * The terminal report for a person about to open a repository: the verdict first, then each finding with
 * file:line, its evidence and what to do. Colours only when asked (the CLI asks on a TTY).
 */
import pc from 'picocolors';
import type { DependencyStats, Finding, ScanResult, Severity } from '../types.js';
import { escapeControl } from './escape.js';

export interface TextOptions {
  color?: boolean;
  /** Show low and info findings too. */
  verbose?: boolean;
}

const VERDICT_TEXT = {
  block: 'BLOCK — do not open, install or run this code',
  warn: 'WARN — review the findings by hand before running anything',
  pass: 'PASS — nothing that needs a person was found',
};

export function renderText(result: ScanResult, opts: TextOptions = {}): string {
  const c = pc.createColors(!!opts.color);
  const sevColor: Record<Severity, (s: string) => string> = {
    critical: (s) => c.bold(c.red(s)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
  const out: string[] = [];
  const verdictColor = result.verdict === 'block' ? (s: string) => c.bold(c.red(s)) : result.verdict === 'warn' ? (s: string) => c.bold(c.yellow(s)) : (s: string) => c.bold(c.green(s));
  out.push(verdictColor(VERDICT_TEXT[result.verdict]));
  const where = result.provenance.commit ? `${escapeControl(result.target)} @ ${result.provenance.commit.slice(0, 12)}` : escapeControl(result.target);
  // A reused answer says so: the reader should know nothing was judged again (--no-cache judges it afresh).
  const reused = result.stats.reused ? ' · the same tree was scanned before: its answer reused (--no-cache to judge it again)' : '';
  out.push(c.dim(`${where} · ${result.stats.files} files · ${result.findings.length} findings · ${result.stats.ms} ms${reused}`));
  const deps = result.stats.dependencies;
  if (deps) out.push(c.dim(`dependencies: ${dependencyLine(deps)}`));
  if (!result.complete) {
    out.push(c.yellow('INCOMPLETE — part of the content could not be read or analysed; a pass here is not a clean bill (see diagnostics below)'));
  }
  const shown = result.findings.filter((f) => opts.verbose || (f.severity !== 'info' && f.severity !== 'low'));
  const hidden = result.findings.length - shown.length;
  for (const f of shown) out.push('', ...renderFinding(f, sevColor, c));
  if (hidden > 0) out.push('', c.dim(`${hidden} low/info finding(s) not shown; use --verbose to see them`));
  const diags = result.diagnostics.filter((d) => d.incomplete || opts.verbose);
  if (diags.length) {
    out.push('', c.bold('Diagnostics'));
    for (const d of diags.slice(0, 50)) {
      out.push(`  ${d.incomplete ? c.yellow('!') : '-'} ${d.file ? `${escapeControl(d.file)}: ` : ''}${escapeControl(d.message)} [${escapeControl(d.code)}]`);
      if (d.remediation) out.push(`    → ${escapeControl(d.remediation)}`);
    }
    if (diags.length > 50) out.push(c.dim(`  … ${diags.length - 50} more (see --format json)`));
  }
  const notes = result.diagnostics.length - diags.length;
  if (notes > 0) out.push('', c.dim(`${notes} note(s) (symlinks not followed, large media files …) not shown; use --verbose to see them`));
  return `${out.join('\n')}\n`;
}

function renderFinding(f: Finding, sevColor: Record<Severity, (s: string) => string>, c: ReturnType<typeof pc.createColors>): string[] {
  const loc = `${escapeControl(f.location.file)}${f.location.line ? `:${f.location.line}` : ''}${f.location.column ? `:${f.location.column}` : ''}`;
  const lines = [`${sevColor[f.severity](f.severity.toUpperCase())} ${c.bold(loc)} ${c.dim(`[${escapeControl(f.ruleId)}]`)}`, `  ${escapeControl(f.message)}`];
  if (f.location.snippet) lines.push(c.dim(`  │ ${escapeControl(f.location.snippet)}`));
  for (const e of f.evidence.filter((e) => e.kind !== 'command' || f.evidence.length === 1).slice(0, 6)) {
    const at = e.location?.file ? ` (${escapeControl(e.location.file)}${e.location.line ? `:${e.location.line}` : ''})` : '';
    lines.push(`  ${c.dim(`${e.kind}:`)} ${escapeControl(e.value)}${at}`);
  }
  if (f.remediation) lines.push(`  ${c.green('→')} ${escapeControl(f.remediation)}`);
  return lines;
}

/** `12 scanned · 30 skipped (28 established-popular, 2 not-from-registry) · 0 failed · 1.2 MB fetched, 0 B from cache`. */
export function dependencyLine(d: DependencyStats): string {
  const skipped = Object.values(d.skipped).reduce((a, b) => a + b, 0);
  const why = Object.entries(d.skipped).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} ${k}`).join(', ');
  const mb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} kB` : `${n} B`);
  return `${d.scanned} scanned · ${skipped} skipped${why ? ` (${why})` : ''} · ${d.failed} failed · ${mb(d.bytesFetched)} fetched, ${mb(d.bytesCached)} from cache`;
}
