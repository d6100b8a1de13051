import { defineRule } from './define-rule.js';
import { classifyUrl, extractUrls, rank } from '../analysis/urls.js';
import { looksLikeText, claimedFormat } from '../analysis/filetype.js';
import { bytesOf } from '../acquire/bytes.js';
import { LineIndex, snippetAround } from '../analysis/text.js';
import type { Severity } from '../types.js';

/** Prose about attacks quotes indicators; it does not run them. */
function isDoc(path: string): boolean {
  return /\.(?:md|markdown|mdx|rst|txt|adoc|html?)$/i.test(path) || /(?:^|\/)(?:docs?|documentation)\//i.test(path);
}

export default defineRule({
  meta: {
    id: 'c2-url',
    title: 'URL that matches a known indicator or a C2 convention',
    description:
      'Finds URLs in every text file and checks them against the bundled indicators (signatures/iocs) and the C2 grammar of the campaigns (signatures/patterns/c2-urls.json): ' +
      'IP-literal hosts on port 1224, /pdown, /uploads, /client/<n>/<n>, <x>.vercel.app/settings/<os>, /api/ipcheck-encrypted/<key>, JSON dead drops. ' +
      'Loopback and private addresses are ignored (localhost:1224 is not a signal); Markdown and docs that quote indicators are reported as low.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T15'],
    remediation: 'Treat the repository as hostile: the URL belongs to, or is shaped like, lure infrastructure. Block the host and report the repository.',
  },
  async check(ctx) {
    for (const file of ctx.workspace.files) {
      if (file.kind !== 'file' || file.size === 0 || claimedFormat(file.path, ctx.signatures)) continue;
      const bytes = await bytesOf(file);
      if (!bytes || !looksLikeText(bytes)) continue;
      const text = await file.text();
      if (!text || !/:\/\//.test(text)) continue;
      let index: LineIndex | undefined;
      const seen = new Set<string>();
      for (const url of extractUrls(text, 1000)) {
        if (seen.has(url)) continue;
        seen.add(url);
        const v = classifyUrl(url, ctx.signatures);
        if (!v || rank(v.severity) < rank('medium')) continue;
        index ??= new LineIndex(text);
        const pos = index.position(text.indexOf(url));
        const doc = isDoc(file.path);
        const severity: Severity = doc ? 'low' : v.severity;
        ctx.report({
          severity,
          confidence: v.reason === 'ioc' || v.severity === 'critical' ? 'high' : 'medium',
          message: `${v.reason === 'ioc' ? 'Known indicator' : 'C2-shaped URL'} ${url}: ${v.description}${doc ? ' (in documentation)' : ''}`,
          location: { file: file.path, line: pos.line, column: pos.column, snippet: snippetAround(index.line(pos.line), pos.column) },
          evidence: [{ kind: 'indicator', value: url }, ...(v.ioc ? [{ kind: 'note' as const, value: `${v.ioc.campaign}; ${v.ioc.reference}` }] : [])],
          key: url,
        });
      }
    }
  },
});
