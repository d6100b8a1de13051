/**
 * GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`) for findings. Pure: returns the
 * lines; the Action writes them. Every value is escaped exactly as the runner unescapes it, so a file name or
 * snippet from the scanned code can never end the command early or start a new one.
 */
import type { Finding, ScanResult, Verdict } from '../types.js';

/** Message part: the runner unescapes %25, %0D, %0A. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values additionally lose ':' and ',' (they delimit properties). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface AnnotationOptions {
  /** Most annotations to emit (GitHub shows at most 10 errors and 10 warnings per step anyway). */
  max?: number;
  /** Folder of the scanned root relative to the repository root, so file= is repository-relative. */
  pathPrefix?: string;
  /**
   * The fail-on gate. A finding that blocks is an ::error whatever the gate, 'never' included (the job does not fail,
   * the finding is as serious); with 'warn', a finding that warns is an ::error too, because it fails the job.
   */
  errorAt?: Verdict | 'never';
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

/**
 * The level of one finding, by its severity: a finding that alone would block is an error, one that would warn is a
 * warning, the rest are notices. The gate only raises: with fail-on 'warn' the warnings that fail the job are errors.
 */
export function annotationLevel(f: Finding, errorAt: Verdict | 'never' = 'block'): AnnotationLevel {
  const blocking = (f.severity === 'critical' || f.severity === 'high') && f.confidence !== 'low';
  const warning = f.severity === 'critical' || f.severity === 'high' || f.severity === 'medium';
  if (blocking || (errorAt === 'warn' && warning)) return 'error';
  return warning ? 'warning' : 'notice';
}

const LEVEL_ORDER: Record<AnnotationLevel, number> = { error: 0, warning: 1, notice: 2 };

export function annotationCommand(f: Finding, opts: AnnotationOptions = {}): string {
  const level = annotationLevel(f, opts.errorAt);
  // Inside an archive of the tree (Location.container): annotate the archive file, which exists in the checkout, and
  // name the inner path and line in the message (they are not lines of the archive).
  const nested = f.location.container !== undefined;
  const file = [opts.pathPrefix, f.location.container ?? f.location.file].filter((p) => p && p !== '.').join('/');
  const props = [`file=${escapeProperty(file)}`];
  if (f.location.line && !nested) props.push(`line=${f.location.line}`);
  if (f.location.column && !nested) props.push(`col=${f.location.column}`);
  props.push(`title=${escapeProperty(`lurescan ${f.ruleId} (${f.severity})`)}`);
  const where = nested ? [`In ${f.location.file}${f.location.line ? `:${f.location.line}` : ''}:`] : [];
  const msg = [...where, f.message, ...(f.location.snippet ? [`> ${f.location.snippet.slice(0, 300)}`] : []), ...(f.remediation ? [`What to do: ${f.remediation}`] : [])].join('\n');
  return `::${level} ${props.join(',')}::${escapeData(msg)}`;
}

/** Annotation lines, most severe first, capped at opts.max; the last line says how many were left out. */
export function renderAnnotations(result: ScanResult, opts: AnnotationOptions = {}): string[] {
  const max = opts.max ?? 50;
  const sorted = [...result.findings].sort((a, b) => LEVEL_ORDER[annotationLevel(a, opts.errorAt)] - LEVEL_ORDER[annotationLevel(b, opts.errorAt)]);
  const lines = sorted.slice(0, Math.max(0, max)).map((f) => annotationCommand(f, opts));
  if (sorted.length > lines.length) lines.push(`::notice title=lurescan::${escapeData(`${sorted.length - lines.length} more finding(s) not annotated (annotations limit ${max}); see the job summary or SARIF`)}`);
  return lines;
}
