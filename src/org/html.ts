/**
 * The org report as one self-contained HTML page: no CDN, no fonts, no images, no network. It opens with the
 * answer (counts by verdict, then the blocked repositories with their top finding and decoded indicator), then
 * charts of verdicts and of the most frequent rules, a sortable, filterable table, and per-repository details.
 *
 * Every string that came from a scanned repository (file names, messages, snippets, decoded strings) is
 * attacker-written: it is rendered here, on the server side, through esc() and never handed to innerHTML. The
 * Content-Security-Policy allows exactly the one inline script and the one inline style (by hash) and nothing
 * else, so even a missed escape could neither run a script nor make the page fetch anything.
 */
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../types.js';
import { ruleDocUrl } from '../rules/define-rule.js';
import { escapeControl } from '../reporters/escape.js';
import type { OrgEntry, OrgReport, OrgVerdict } from './types.js';
import { ruleFrequency, topFinding, topIndicator } from './report.js';

const MAX_TEXT = 500;
const MAX_FINDINGS_SHOWN = 50;
const MAX_EVIDENCE_SHOWN = 8;

/** HTML-escape for text and quoted attribute values; control and bidi characters become visible escapes. */
export function esc(s: unknown, max = MAX_TEXT): string {
  let t = escapeControl(String(s ?? ''));
  if (t.length > max) t = `${t.slice(0, max)}…`;
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const COLORS: Record<OrgVerdict, string> = { block: '#c62828', warn: '#b26a00', pass: '#2e7d32', error: '#546e7a' };
const LABEL: Record<OrgVerdict, string> = { block: 'Block', warn: 'Warn', pass: 'Pass', error: 'Error' };
const SEV_ORDER: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;--card:#161b22}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.muted{color:var(--muted)}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere;white-space:pre-wrap}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.card{flex:1 1 140px;border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:var(--card)}
.card b{display:block;font-size:30px;line-height:1.1}.v-block b,.v-block .badge{color:#c62828}.v-warn b{color:#b26a00}.v-pass b{color:#2e7d32}.v-error b{color:#546e7a}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
.badge.block{background:#c62828}.badge.warn{background:#b26a00}.badge.pass{background:#2e7d32}.badge.error{background:#546e7a}
.blocked{border:2px solid #c62828;border-radius:8px;padding:4px 16px;margin:12px 0}.blocked li{margin:10px 0}
.charts{display:flex;gap:24px;flex-wrap:wrap}.charts figure{margin:0;flex:1 1 360px}.charts svg{width:100%;height:auto}.charts text{fill:var(--fg);font-size:12px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;white-space:nowrap;background:var(--card)}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
.controls{display:flex;gap:8px;margin:8px 0;flex-wrap:wrap}.controls input,.controls select{font:inherit;padding:4px 8px}
details.repo{border:1px solid var(--line);border-radius:8px;margin:8px 0;padding:6px 12px}details.repo>summary{cursor:pointer;font-weight:600}
.finding{border-left:3px solid var(--line);padding:2px 10px;margin:8px 0}.sev-critical,.sev-high{border-left-color:#c62828}.sev-medium{border-left-color:#b26a00}
a{color:#0969da}.hidden{display:none}
`;

const SCRIPT = `
(function(){
  var table=document.getElementById('repos');if(!table)return;
  var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
  var q=document.getElementById('filter');var sel=document.getElementById('verdict');var count=document.getElementById('shown');
  function apply(){var t=(q.value||'').toLowerCase();var v=sel.value;var n=0;
    rows.forEach(function(r){var ok=(!v||r.getAttribute('data-verdict')===v)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);r.classList.toggle('hidden',!ok);if(ok)n++;});
    count.textContent=String(n);}
  q.addEventListener('input',apply);sel.addEventListener('change',apply);
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){
    var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',dir===1?'ascending':'descending');
    var num=th.getAttribute('data-type')==='number';
    rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-sort')||a.cells[i].textContent;var y=b.cells[i].getAttribute('data-sort')||b.cells[i].textContent;
      return (num?(Number(x)-Number(y)):x.localeCompare(y))*dir;});
    rows.forEach(function(r){body.appendChild(r);});});});
  apply();
})();
`;

function hash(s: string): string {
  return `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
}

function where(f: Finding): string {
  return `${f.location.file}${f.location.line ? `:${f.location.line}` : ''}`;
}

function verdictBar(report: OrgReport): string {
  const t = report.totals;
  const order: OrgVerdict[] = ['block', 'warn', 'pass', 'error'];
  const max = Math.max(1, ...order.map((v) => t[v]));
  const rows = order.map((v, i) => {
    const w = Math.round((t[v] / max) * 260);
    return `<text x="0" y="${i * 28 + 17}">${LABEL[v]}</text><rect x="60" y="${i * 28 + 4}" width="${w}" height="18" rx="3" fill="${COLORS[v]}"></rect><text x="${66 + w}" y="${i * 28 + 17}">${t[v]}</text>`;
  });
  return `<svg viewBox="0 0 460 ${order.length * 28 + 4}" role="img" aria-label="Repositories by verdict">${rows.join('')}</svg>`;
}

function ruleBars(report: OrgReport): string {
  const top = ruleFrequency(report).slice(0, 10);
  if (!top.length) return '<p class="muted">No rule fired in any repository.</p>';
  const max = Math.max(1, ...top.map((r) => r.repos));
  const rows = top.map((r, i) => {
    const w = Math.round((r.repos / max) * 170);
    return `<text x="0" y="${i * 24 + 15}">${esc(r.ruleId, 40)}</text><rect x="240" y="${i * 24 + 3}" width="${w}" height="16" rx="3" fill="#0969da"></rect><text x="${246 + w}" y="${i * 24 + 15}">${r.repos}</text>`;
  });
  return `<svg viewBox="0 0 460 ${top.length * 24 + 4}" role="img" aria-label="Most frequent rules by repositories">${rows.join('')}</svg>`;
}

function blockedList(report: OrgReport, ids: Map<OrgEntry, string>): string {
  const blocked = report.repositories.filter((e) => e.verdict === 'block');
  if (!blocked.length) return '<p>No repository is blocked.</p>';
  const items = blocked.map((e) => {
    const f = topFinding(e);
    const ind = topIndicator(e);
    return `<li><a href="#${ids.get(e)}"><b>${esc(e.full_name)}</b></a>${f ? ` — <a href="${esc(ruleDocUrl(f.ruleId))}">${esc(f.ruleId)}</a> at <code>${esc(where(f), 160)}</code>: ${esc(f.message, 160)}` : ''}${ind ? `<br><span class="muted">${esc(ind.kind)}:</span> <code>${esc(ind.value, 160)}</code>` : ''}</li>`;
  });
  return `<div class="blocked"><ul>${items.join('')}</ul></div>`;
}

function tableRows(report: OrgReport, ids: Map<OrgEntry, string>): string {
  const rank: Record<OrgVerdict, number> = { block: 0, warn: 1, error: 2, pass: 3 };
  return report.repositories
    .map((e) => {
      const f = topFinding(e);
      const detail = e.verdict === 'error' ? (e.error ?? '') : f ? `${f.ruleId} ${where(f)}` : '';
      return `<tr data-verdict="${e.verdict}"><td><a href="#${ids.get(e)}">${esc(e.full_name)}</a></td><td data-sort="${rank[e.verdict]}"><span class="badge ${e.verdict}">${e.verdict}</span>${e.complete || e.verdict === 'error' ? '' : ' <span class="muted">incomplete</span>'}</td><td data-sort="${e.findings.length}">${e.findings.length}</td><td>${esc(detail, 200)}</td><td>${esc(e.context.notes.join('; '), 300)}</td><td>${e.source === 'state' ? 'unchanged' : 'scanned'}</td><td><code>${esc((e.headSha ?? '').slice(0, 12))}</code></td></tr>`;
    })
    .join('\n');
}

function findingHtml(f: Finding): string {
  const ev = f.evidence
    .slice(0, MAX_EVIDENCE_SHOWN)
    .map((e) => `<li><span class="muted">${esc(e.kind)}:</span> <code>${esc(e.value)}</code>${e.location?.file ? ` <span class="muted">(${esc(e.location.file, 200)}${e.location.line ? `:${e.location.line}` : ''})</span>` : ''}</li>`)
    .join('');
  const more = f.evidence.length > MAX_EVIDENCE_SHOWN ? `<li class="muted">… ${f.evidence.length - MAX_EVIDENCE_SHOWN} more in the JSON report</li>` : '';
  return `<div class="finding sev-${f.severity}"><b>${esc(f.severity)}</b> · <a href="${esc(ruleDocUrl(f.ruleId))}">${esc(f.ruleId)}</a> · <code>${esc(where(f), 200)}</code> <span class="muted">(confidence ${esc(f.confidence)})</span><br>${esc(f.message)}${f.location.snippet ? `<pre>${esc(f.location.snippet)}</pre>` : ''}${ev || more ? `<ul>${ev}${more}</ul>` : ''}${f.remediation ? `<div>→ ${esc(f.remediation)}</div>` : ''}</div>`;
}

function detailsHtml(e: OrgEntry, id: string): string {
  const findings = [...e.findings].sort((a, b) => SEV_ORDER[b.severity] - SEV_ORDER[a.severity]);
  const facts = [
    `listed via ${esc(e.listedVia)}`,
    e.defaultBranch ? `branch ${esc(e.defaultBranch)}` : '',
    e.headSha ? `HEAD <code>${esc(e.headSha)}</code>` : '',
    e.private ? 'private' : 'public',
    e.fork ? 'fork' : '',
    e.archived ? 'archived' : '',
    e.source === 'state' ? `unchanged since ${esc(e.scannedAt)}` : `scanned ${esc(e.scannedAt)}${e.attempts > 1 ? ` after ${e.attempts} attempts` : ''}`,
    e.stats ? `${e.stats.files} files` : '',
  ].filter(Boolean);
  const parts = [`<p class="muted">${facts.join(' · ')}<br><code>${esc(e.cloneUrl)}</code></p>`];
  if (e.error) parts.push(`<p><b>Not scanned:</b> ${esc(e.error)}</p>`);
  if (e.context.notes.length) parts.push(`<p><b>Repository facts</b> (context, not part of the verdict): ${esc(e.context.notes.join('; '))}</p>`);
  parts.push(...findings.slice(0, MAX_FINDINGS_SHOWN).map(findingHtml));
  if (findings.length > MAX_FINDINGS_SHOWN) parts.push(`<p class="muted">… ${findings.length - MAX_FINDINGS_SHOWN} more findings in the JSON report</p>`);
  const diags = e.diagnostics.filter((d) => d.incomplete).slice(0, 30);
  if (diags.length) parts.push(`<p><b>Not fully read:</b></p><ul>${diags.map((d) => `<li>${d.file ? `<code>${esc(d.file, 200)}</code>: ` : ''}${esc(d.message)}${d.remediation ? `. ${esc(d.remediation)}` : ''} <span class="muted">[${esc(d.code, 60)}]</span></li>`).join('')}</ul>`);
  return `<details class="repo" id="${id}"${e.verdict === 'block' ? ' open' : ''}><summary><span class="badge ${e.verdict}">${e.verdict}</span> ${esc(e.full_name)} <span class="muted">(${e.findings.length} findings)</span></summary>${parts.join('\n')}</details>`;
}

export function renderOrgHtml(report: OrgReport): string {
  const ids = new Map(report.repositories.map((e, i) => [e, `repo-${i + 1}`]));
  const t = report.totals;
  const scope = [report.org, ...report.users].filter(Boolean).join(', ');
  const shard = report.shard ? ` · shard ${report.shard.index}/${report.shard.count}` : report.mergedShards ? ` · ${report.mergedShards.length} shards merged` : '';
  const answer = t.block ? `${t.block} ${t.block === 1 ? 'repository is' : 'repositories are'} blocked: do not clone, open, install or run them.` : t.warn ? 'Nothing is blocked; some repositories need a look by hand.' : t.error ? 'Nothing is blocked, but some repositories could not be scanned.' : 'Nothing is blocked.';
  const csp = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const cards = (['block', 'warn', 'pass', 'error'] as OrgVerdict[]).map((v) => `<div class="card v-${v}"><b>${t[v]}</b>${LABEL[v]}</div>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>lurescan — ${esc(scope, 100)}: ${t.block} blocked of ${t.repos}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>lurescan org scan — ${esc(scope, 200)}</h1>
<p class="muted">${t.repos} repositories${shard} · ${t.scanned} scanned, ${t.fromState} unchanged since an earlier run · signatures ${esc(report.signatures.version, 60)} · lurescan ${esc(report.tool.version, 40)} · ${esc(report.startedAt)} → ${esc(report.finishedAt)}</p>
<p id="answer"><b>${esc(answer)}</b></p>
<div class="cards">${cards}</div>
<h2>Blocked repositories</h2>
${blockedList(report, ids)}
<div class="charts"><figure><h2>Verdicts</h2>${verdictBar(report)}</figure><figure><h2>Most frequent rules (repositories)</h2>${ruleBars(report)}</figure></div>
<h2>All repositories</h2>
<div class="controls"><input id="filter" type="search" placeholder="Filter by name, rule, file…" aria-label="Filter"><select id="verdict" aria-label="Verdict"><option value="">all verdicts</option><option value="block">block</option><option value="warn">warn</option><option value="pass">pass</option><option value="error">error</option></select><span class="muted"><span id="shown">${t.repos}</span> shown</span></div>
<table id="repos"><thead><tr><th>Repository</th><th data-type="number">Verdict</th><th data-type="number">Findings</th><th>Top finding / error</th><th>Repository facts</th><th>Source</th><th>HEAD</th></tr></thead>
<tbody>
${tableRows(report, ids)}
</tbody></table>
<h2>Details</h2>
${report.repositories.map((e) => detailsHtml(e, ids.get(e)!)).join('\n')}
<p class="muted">Scanned without running anything: bare fetches, no checkout, no install. Repository facts (age, single commit, fork) are context, never a verdict.${report.skipped.forks || report.skipped.archived ? ` Left out: ${report.skipped.forks} fork(s), ${report.skipped.archived} archived (see --include-forks, --include-archived).` : ''}</p>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
