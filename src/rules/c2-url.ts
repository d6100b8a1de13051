import { defineRule, visitedTexts, type RuleContext, type TextVisitor } from './define-rule.js';
import { classifyUrl, extractUrls, rank } from '../analysis/urls.js';
import { claimedFormat } from '../analysis/filetype.js';
import { LineIndex, snippetAround } from '../analysis/text.js';
import type { Severity } from '../types.js';

/**
 * Test data: URL-parser tables, request mocks and fixtures list addresses to parse, not hosts to call. A bare IP there
 * with no C2 convention (port, path, known indicator) is low; the grammar and the indicators still apply in full.
 */
export function isTestData(path: string): boolean {
  return (
    /(?:^|\/)(?:tests?|__tests__|spec|specs|fixtures?|__fixtures__|testdata|test-data|__mocks__|mocks?|benchmarks?|bench|e2e)\//i.test(path) ||
    /(?:^|\/)[^/]*[-_.]tests?\//i.test(path) ||
    // Data tables named as tests (the WHATWG urltestdata.json, copied into many URL libraries).
    (/test/i.test(path.slice(path.lastIndexOf('/') + 1)) && /\.(?:json|txt|csv|ya?ml|toml)$/i.test(path)) ||
    /(?:^|\/)[^/]*[._-](?:test|spec)\.[cm]?[jt]sx?$/i.test(path) ||
    /(?:^|\/)(?:test_[^/]*|[^/]*_test)\.(?:py|go|rb)$/i.test(path)
  );
}

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
      'Loopback, private and non-host addresses (octets over 255, multicast, reserved, broadcast) are ignored (localhost:1224 is not a signal); a bare IP with no C2 convention ' +
      'is high in code, low in test data and for RFC 5737 documentation addresses; Markdown and docs that quote indicators are reported as low.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T15'],
    remediation: 'Treat the repository as hostile: the URL belongs to, or is shaped like, lure infrastructure. Block the host and report the repository.',
  },
  async check(ctx) {
    await visitedTexts(ctx, urlsIn);
  },
  eachText: urlsIn,
});

/** The per-file part: every text file's URLs, classified and reported. */
function urlsIn(ctx: RuleContext): TextVisitor {
  return {
    wants: (file) => file.kind === 'file' && file.size > 0 && !claimedFormat(file.path, ctx.signatures),
    visit(file, text) {
      if (!/:\/\//.test(text)) return;
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
        const testIp = v.reason === 'ip-literal' && isTestData(file.path);
        const severity: Severity = doc || testIp ? 'low' : v.severity;
        ctx.report({
          severity,
          confidence: v.reason === 'ioc' || v.severity === 'critical' ? 'high' : 'medium',
          message: `${v.reason === 'ioc' ? 'Known indicator' : 'C2-shaped URL'} ${url}: ${v.description}${doc ? ' (in documentation)' : testIp ? ' (in test data, with no C2 port, path or indicator)' : ''}`,
          location: { file: file.path, line: pos.line, column: pos.column, snippet: snippetAround(index.line(pos.line), pos.column) },
          evidence: [{ kind: 'indicator', value: url }, ...(v.ioc ? [{ kind: 'note' as const, value: `${v.ioc.campaign}; ${v.ioc.reference}` }] : [])],
          key: url,
        });
      }
    },
  };
}
