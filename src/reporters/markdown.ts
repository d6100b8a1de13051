/**
 * GitHub-flavoured Markdown for the job summary and the PR comment. Pure: ScanResult → string.
 * Every string from the scanned code is attacker-written: it is escaped so it cannot close a table, open a
 * link or an image, inject HTML, mention a user or team, or break out of a <details> block.
 */
import type { Finding, ScanResult, Severity } from '../types.js';
import { ruleDocUrl } from '../rules/define-rule.js';

export interface MarkdownOptions {
  /** Heading text; default 'lurescan'. */
  title?: string;
  /** Hidden HTML comment placed first (the PR comment's marker). Must be our own text, never scanned text. */
  marker?: string;
  /** Prefix for file paths shown (scanned folder relative to the repository). */
  pathPrefix?: string;
  /** Longest output in characters; findings past it are summarised. GitHub comments hold 65,536. */
  maxLength?: number;
  /** One line under the heading, e.g. "diff mode: 3 changed files". Our own text. */
  note?: string;
  /** Show findings below medium too. */
  verbose?: boolean;
}

const VERDICT_LINE: Record<ScanResult['verdict'], string> = {
  block: '🛑 **BLOCK** — do not open, install or run this code',
  warn: '⚠️ **WARN** — review the findings by hand before running anything',
  pass: '✅ **PASS** — nothing that needs a person was found',
};

const SEVERITY_ICON: Record<Severity, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\v\f\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escape text for Markdown inline context (table cells, list items, after a label; never at the start of a
 * line). Newlines become spaces; characters GFM gives inline meaning to are backslash-escaped ('$' too:
 * GitHub renders math); '<', '>' and '&' become entities so no HTML survives; '@' and '#' are split from
 * what follows so nobody is mentioned and no issue is cross-referenced; URLs are defanged (hxxps://) so a C2 address from a lure is never a clickable link.
 */
export function escapeMarkdown(s: string, max = 500): string {
  let t = s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\r\n?|\n/g, ' ');
  if (t.length > max) t = `${t.slice(0, max)}…`;
  return t
    .replace(/\b(h)(tt)(ps?:\/\/)/gi, (_m, h: string, tt: string, rest: string) => `${h}${tt === 'TT' ? 'XX' : 'xx'}${rest}`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}[.]`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~!$]/g, (c) => `\\${c}`)
    // GitHub links @user, @org/team and #123 / owner/repo#123 after rendering, so a backslash does not stop it;
    // an empty HTML comment between the sign and the name does (the trick Dependabot uses).
    .replace(/([@#])(?=[\w-])/g, '$1<!-- -->');
}

/**
 * lurescan's own prose (a rule's remediation, a diagnostic's guidance): its `code` spans are rendered as code, every
 * other character is escaped as {@link escapeMarkdown} escapes scanned text. Safe on any input all the same: a code
 * span holds no backtick and goes through {@link inlineCode}, a lone backtick is escaped.
 */
export function escapeProse(s: string, max = 1000): string {
  const t = s.length > max ? `${s.slice(0, max)}…` : s;
  return t
    .split(/(`[^`\r\n]+`)/)
    .map((part) => (part.length > 2 && part.startsWith('`') && part.endsWith('`') ? inlineCode(part.slice(1, -1)) : part ? escapeMarkdown(part, Infinity) : ''))
    .join('');
}

/** Escape text for an HTML element (the <summary> line, where Markdown is not processed). */
export function escapeHtml(s: string, max = 300): string {
  let t = s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\r\n?|\n/g, ' ');
  if (t.length > max) t = `${t.slice(0, max)}…`;
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline code for untrusted text: backticks cannot close it because the fence is longer than any run inside. */
export function inlineCode(s: string, max = 300, inTable = false): string {
  let t = s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\r\n?|\n/g, ' ');
  if (t.length > max) t = `${t.slice(0, max)}…`;
  // In a table cell '|' ends the cell even inside code; GFM accepts '\|' there (and only there).
  if (inTable) t = t.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t === '' ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

function locationOf(f: Finding, prefix: string): string {
  const file = [prefix, f.location.file].filter(Boolean).join('/');
  return `${file}${f.location.line ? `:${f.location.line}` : ''}`;
}

function countBy(findings: Finding[]): string {
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  const parts = order.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  return parts.length ? parts.map(([s, n]) => `${n} ${s}`).join(', ') : 'no findings';
}

function details(f: Finding, prefix: string): string {
  const lines: string[] = [];
  lines.push(`<details><summary>${SEVERITY_ICON[f.severity]} <b>${f.ruleId}</b> — <code>${escapeHtml(locationOf(f, prefix), 200)}</code></summary>`, '');
  lines.push(`**Finding:** ${escapeMarkdown(f.message, 1000)}`, '');
  if (f.location.snippet) lines.push(`- snippet: ${inlineCode(f.location.snippet)}`);
  for (const e of f.evidence.slice(0, 10)) {
    const at = e.location?.file ? ` (${escapeMarkdown(`${[prefix, e.location.file].filter(Boolean).join('/')}${e.location.line ? `:${e.location.line}` : ''}`, 200)})` : '';
    lines.push(`- ${e.kind}: ${inlineCode(e.value)}${at}`);
  }
  if (f.evidence.length > 10) lines.push(`- … ${f.evidence.length - 10} more evidence items (see the JSON report)`);
  if (f.remediation) lines.push('', `**What to do:** ${escapeProse(f.remediation)}`);
  lines.push('', `[Rule documentation](${ruleDocUrl(f.ruleId)}) · confidence ${f.confidence}${f.techniques?.length ? ` · ${f.techniques.join(', ')}` : ''}`, '', '</details>', '');
  return lines.join('\n');
}

export function renderMarkdown(result: ScanResult, opts: MarkdownOptions = {}): string {
  const prefix = opts.pathPrefix && opts.pathPrefix !== '.' ? opts.pathPrefix : '';
  const max = opts.maxLength ?? 60_000;
  const head: string[] = [];
  if (opts.marker) head.push(opts.marker);
  head.push(`### ${opts.title ?? 'lurescan'}`, '', VERDICT_LINE[result.verdict], '');
  if (opts.note) head.push(opts.note, '');
  const shown = result.findings.filter((f) => opts.verbose || (f.severity !== 'low' && f.severity !== 'info'));
  head.push(`${result.stats.files} files scanned · ${countBy(result.findings)} · signatures ${escapeMarkdown(result.signatures.version, 60)} · lurescan ${escapeMarkdown(result.tool.version, 40)}`);
  if (!result.complete) {
    head.push('', '> [!WARNING]', '> The scan is **incomplete**: part of the content could not be read or analysed. A pass here is not a clean bill.');
  }
  const body: string[] = [];
  if (shown.length) {
    body.push('', '| Severity | Rule | Location | Finding |', '| --- | --- | --- | --- |');
    for (const f of shown) {
      body.push(`| ${SEVERITY_ICON[f.severity]} ${f.severity} | [${f.ruleId}](${ruleDocUrl(f.ruleId)}) | ${inlineCode(locationOf(f, prefix), 200, true)} | ${escapeMarkdown(f.message, 300)} |`);
    }
    body.push('');
    for (const f of shown) body.push(details(f, prefix));
  }
  const hidden = result.findings.length - shown.length;
  if (hidden > 0) body.push('', `${hidden} low/info finding(s) not shown.`);
  const diags = result.diagnostics.filter((d) => d.incomplete || opts.verbose || d.code.startsWith('suppression-'));
  if (diags.length) {
    body.push('', `<details><summary>Diagnostics (${diags.length})</summary>`, '');
    for (const d of diags.slice(0, 50)) body.push(`- ${d.incomplete ? '**incomplete** ' : ''}${d.file ? `${inlineCode(prefix ? `${prefix}/${d.file}` : d.file, 200)}: ` : ''}${escapeMarkdown(d.message, 300)} (${escapeMarkdown(d.code, 60)})${d.remediation ? ` — ${escapeProse(d.remediation, 500)}` : ''}`);
    if (diags.length > 50) body.push(`- … ${diags.length - 50} more (see the JSON report)`);
    body.push('', '</details>');
  }
  const tail = ['', '<sub>Scanned without running anything: no install, no checkout of hooks, no scripts.</sub>', ''];
  let out = [...head, ...body, ...tail].join('\n');
  if (out.length > max) {
    // Cut at a line boundary before the limit, never inside an open <details>.
    const cutAt = Math.max(0, max - 400);
    const kept: string[] = [];
    let len = head.join('\n').length;
    let openDetails = false;
    for (const line of body) {
      if (len + line.length + 1 > cutAt) break;
      kept.push(line);
      len += line.length + 1;
      if (line.startsWith('<details>')) openDetails = true;
      if (line === '</details>') openDetails = false;
    }
    if (openDetails) kept.push('', '</details>');
    out = [...head, ...kept, '', `**Report truncated** to fit GitHub's size limit; the job's JSON report and SARIF have every finding.`, ...tail].join('\n');
  }
  return out;
}
