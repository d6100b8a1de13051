/**
 * Org reports as JSON, SARIF, Markdown and text. Pure: OrgReport → string. Per-repository detail reuses the
 * single-scan reporters' escaping and SARIF building; nothing here re-derives rule metadata.
 */
import { createHash } from 'node:crypto';
import type { Log, Result, ReportingDescriptor, Notification } from 'sarif';
import type { Evidence, Finding, ScanResult, Severity } from '../types.js';
import { buildSarif, SARIF_SCHEMA_URI, FINGERPRINT_KEY } from '../reporters/sarif.js';
import { escapeMarkdown, inlineCode } from '../reporters/markdown.js';
import { escapeControl } from '../reporters/escape.js';
import { ruleDocUrl } from '../rules/define-rule.js';
import type { OrgEntry, OrgReport, OrgVerdict } from './types.js';

const SEV_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
const CONF_RANK = { high: 2, medium: 1, low: 0 } as const;

/** The finding a person should read first: most severe, then most certain. */
export function topFinding(e: OrgEntry): Finding | undefined {
  return [...e.findings].sort((a, b) => SEV_RANK[b.severity] - SEV_RANK[a.severity] || CONF_RANK[b.confidence] - CONF_RANK[a.confidence])[0];
}

/** The decoded string or matched indicator that shows what the top finding is about (a URL, a command). */
export function topIndicator(e: OrgEntry): Evidence | undefined {
  const top = topFinding(e);
  const pick = (f: Finding | undefined) => f?.evidence.find((x) => x.kind === 'decoded') ?? f?.evidence.find((x) => x.kind === 'indicator');
  return pick(top) ?? e.findings.map(pick).find(Boolean) ?? top?.evidence.find((x) => x.kind === 'command');
}

/** Rule ids by how many repositories they fired in, most first. */
export function ruleFrequency(report: OrgReport): { ruleId: string; repos: number; findings: number }[] {
  const m = new Map<string, { repos: Set<string>; findings: number }>();
  for (const e of report.repositories) {
    for (const f of e.findings) {
      const r = m.get(f.ruleId) ?? { repos: new Set<string>(), findings: 0 };
      r.repos.add(e.full_name);
      r.findings++;
      m.set(f.ruleId, r);
    }
  }
  return [...m.entries()].map(([ruleId, r]) => ({ ruleId, repos: r.repos.size, findings: r.findings })).sort((a, b) => b.repos - a.repos || b.findings - a.findings || a.ruleId.localeCompare(b.ruleId));
}

/** A ScanResult view of one entry, so single-scan reporters (SARIF) can render it. */
export function entryToScanResult(e: OrgEntry, report: OrgReport): ScanResult {
  return {
    target: e.cloneUrl,
    provenance: { source: e.cloneUrl, url: e.cloneUrl, ref: e.defaultBranch, commit: e.headSha },
    verdict: e.verdict === 'error' ? 'pass' : e.verdict,
    complete: e.complete,
    findings: e.findings,
    diagnostics: e.diagnostics,
    stats: e.stats ?? { files: 0, bytes: 0, ms: 0, rules: 0 },
    signatures: report.signatures,
    tool: report.tool,
  };
}

export function renderOrgJson(report: OrgReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * One SARIF run for the whole org: each result's location starts with owner/repo, carries the repository in its
 * properties, and has a fingerprint that includes the repository (the same lure in two repos is two alerts).
 */
export function buildOrgSarif(report: OrgReport): Log {
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const results: Result[] = [];
  const notifications: Notification[] = [];
  for (const e of report.repositories) {
    if (e.verdict === 'error') {
      notifications.push({ level: 'error', message: { text: `${e.full_name}: not scanned: ${e.error ?? 'unknown error'}` }, descriptor: { id: 'repository-not-scanned' }, properties: { repository: e.full_name } });
      continue;
    }
    const run = buildSarif(entryToScanResult(e, report), { pathPrefix: e.full_name }).runs[0];
    for (const d of run.tool.driver.rules ?? []) {
      if (!ruleIndex.has(d.id)) {
        ruleIndex.set(d.id, rules.length);
        rules.push(d);
      }
    }
    for (const r of run.results ?? []) {
      const fp = r.partialFingerprints?.[FINGERPRINT_KEY] ?? '';
      results.push({
        ...r,
        ruleIndex: ruleIndex.get(r.ruleId ?? ''),
        partialFingerprints: { [FINGERPRINT_KEY]: createHash('sha256').update(`${e.full_name.toLowerCase()}\n${fp}`).digest('hex').slice(0, 32) },
        properties: { ...r.properties, repository: e.full_name, repositoryVerdict: e.verdict, ...(e.headSha ? { commit: e.headSha } : {}) },
      });
    }
    for (const n of run.invocations?.[0]?.toolExecutionNotifications ?? []) {
      if (n.level === 'warning') notifications.push({ ...n, message: { text: `${e.full_name}: ${n.message.text ?? ''}` }, properties: { repository: e.full_name } });
    }
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'lurescan', semanticVersion: report.tool.version, version: report.tool.version, informationUri: 'https://github.com/lurescan/lurescan', rules } },
        automationDetails: { id: `lurescan-org/${report.org ?? report.users.join('+')}/` },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'owner/repository/ precedes every path' } } },
        results,
        properties: { totals: report.totals, signatures: report.signatures.version, ...(report.shard ? { shard: report.shard } : {}) },
      },
    ],
  };
}

export function renderOrgSarif(report: OrgReport): string {
  return `${JSON.stringify(buildOrgSarif(report), null, 2)}\n`;
}

const ICON: Record<OrgVerdict, string> = { block: '🛑', warn: '⚠️', pass: '✅', error: '❗' };

function scopeName(report: OrgReport): string {
  return [report.org, ...report.users].filter(Boolean).join(', ');
}

function headline(report: OrgReport): string {
  const t = report.totals;
  const fromState = t.fromState ? `, ${t.fromState} unchanged since an earlier run` : '';
  const shard = report.shard ? ` (shard ${report.shard.index}/${report.shard.count})` : report.mergedShards ? ` (${report.mergedShards.length} shards merged)` : '';
  return `${t.repos} repositories${shard}: ${t.block} block, ${t.warn} warn, ${t.pass} pass, ${t.error} error${fromState}`;
}

export function renderOrgMarkdown(report: OrgReport, opts: { maxLength?: number } = {}): string {
  const max = opts.maxLength ?? 60_000;
  const t = report.totals;
  const out: string[] = [`### lurescan org scan — ${escapeMarkdown(scopeName(report), 200)}`, ''];
  out.push(`| 🛑 block | ⚠️ warn | ✅ pass | ❗ error | total |`, '| ---: | ---: | ---: | ---: | ---: |', `| ${t.block} | ${t.warn} | ${t.pass} | ${t.error} | ${t.repos} |`, '');
  out.push(escapeMarkdown(headline(report), 400), '');
  const blocked = report.repositories.filter((e) => e.verdict === 'block');
  if (blocked.length) {
    out.push('#### 🛑 Blocked: do not clone, open, install or run', '', '| Repository | Top finding | Location | Indicator |', '| --- | --- | --- | --- |');
    for (const e of blocked) {
      const f = topFinding(e);
      const ind = topIndicator(e);
      const loc = f ? `${f.location.file}${f.location.line ? `:${f.location.line}` : ''}` : '';
      out.push(`| ${inlineCode(e.full_name, 140, true)} | ${f ? `[${f.ruleId}](${ruleDocUrl(f.ruleId)}): ${escapeMarkdown(f.message, 200)}` : ''} | ${loc ? inlineCode(loc, 160, true) : ''} | ${ind ? inlineCode(ind.value, 160, true) : ''} |`);
    }
    out.push('');
  }
  const errors = report.repositories.filter((e) => e.verdict === 'error');
  if (errors.length) {
    out.push('#### ❗ Not scanned', '', '| Repository | Attempts | Reason |', '| --- | ---: | --- |');
    for (const e of errors) out.push(`| ${inlineCode(e.full_name, 140, true)} | ${e.attempts} | ${escapeMarkdown(e.error ?? '', 300)} |`);
    out.push('');
  }
  const rest = report.repositories.filter((e) => e.verdict === 'warn' || e.verdict === 'pass');
  if (rest.length) {
    out.push(`<details><summary>All other repositories (${rest.length})</summary>`, '', '| Repository | Verdict | Findings | Context |', '| --- | --- | ---: | --- |');
    for (const e of rest) out.push(`| ${inlineCode(e.full_name, 140, true)} | ${ICON[e.verdict]} ${e.verdict}${e.complete ? '' : ' (incomplete)'} | ${e.findings.length} | ${escapeMarkdown(e.context.notes.join('; '), 200)} |`);
    out.push('', '</details>', '');
  }
  out.push('<sub>Scanned without running anything: bare fetches, no checkout, no install. Repository facts (age, single commit) are context, never a verdict.</sub>', '');
  let text = out.join('\n');
  if (text.length > max) text = `${text.slice(0, text.lastIndexOf('\n', max - 200))}\n\n**Report truncated**; the JSON report has every repository.\n`;
  return text;
}

export function renderOrgText(report: OrgReport): string {
  const out: string[] = [];
  const t = report.totals;
  out.push(`lurescan org scan of ${escapeControl(scopeName(report))}: ${t.block ? 'BLOCK' : t.warn ? 'WARN' : t.error ? 'ERROR' : 'PASS'}`);
  out.push(headline(report));
  const width = Math.min(60, Math.max(10, ...report.repositories.map((e) => e.full_name.length)));
  for (const e of report.repositories) {
    const f = topFinding(e);
    const ind = topIndicator(e);
    const what = e.verdict === 'error' ? (e.error ?? '') : f ? `${f.ruleId} ${f.location.file}${f.location.line ? `:${f.location.line}` : ''}${ind && e.verdict === 'block' ? ` (${ind.value})` : ''}` : '';
    const state = e.source === 'state' ? ' [unchanged]' : '';
    out.push(`${e.verdict.toUpperCase().padEnd(5)}  ${escapeControl(e.full_name).padEnd(width)}  ${escapeControl(what).slice(0, 160)}${state}`);
  }
  return `${out.join('\n')}\n`;
}
