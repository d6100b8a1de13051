import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { indicatorsIn, isTestPath, locate } from '../analysis/source-evidence.js';
import { decodeTable, interesting } from '../analysis/js/string-table.js';
import { short } from '../analysis/js/facts.js';
import { rank } from '../analysis/urls.js';
import type { Evidence, Severity } from '../types.js';

/** Escapes of printable characters (\x20–\x7e): hiding readable text. ANSI colour codes (\x1b) are not that. */
const HEX_ESCAPE = /\\x(?:[2-6][\da-f]|7[\da-e])/gi;

export default defineRule({
  meta: {
    id: 'obfuscated-source',
    title: 'Obfuscator output in hand-written source',
    description:
      'javascript-obfuscator output in a file that is not a bundle or vendored: `_0x` identifiers, string-array rotation loops (`while(!![])`), ' +
      'large string tables, dense `\\xNN` escapes. High on its own; critical when the same file executes strings or makes requests. The string table is ' +
      'decoded (plain, obfuscator base64 alphabet, base64) and the URLs, hosts and module names it hides are shown. Minified bundles are not obfuscated ' +
      'code and stay quiet; obfuscation inside a bundle is medium.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T09'],
    remediation: 'Nobody obfuscates a take-home assignment or an app config: treat the file as a loader, read the decoded strings in the evidence, and do not run the project.',
  },
  async check(ctx) {
    const index = await indexFor(ctx);
    for (const sf of index.files) {
      if (sf.lang !== 'js') continue;
      const escapes = sf.text.length < 4_000_000 ? (sf.text.match(HEX_ESCAPE)?.length ?? 0) : 0;
      const js = sf.js;
      const hexIdents = js?.hexIdents ?? (sf.text.match(/\b_0x[\da-f]{4,6}\b/g)?.length ?? 0);
      const rotate = js?.rotateLoops.length ?? 0;
      const tables = (js?.stringTables ?? []).filter((t) => /^_0x|^_\$/.test(t.name) || t.strings.length >= 30);
      const traits: string[] = [];
      if (hexIdents >= 20) traits.push(`${hexIdents} _0x identifiers`);
      if (rotate && (hexIdents >= 5 || tables.length)) traits.push(`string-array rotation loop (while(!![])) at line ${js!.rotateLoops[0]}`);
      if (escapes >= 60 && escapes * 4 >= sf.text.length * 0.1) traits.push(`${escapes} \\xNN escapes (${Math.round((escapes * 400) / sf.text.length)}% of the text)`);
      if (!traits.length) continue;
      if (tables.length) traits.push(`string table ${tables[0].name} with ${tables[0].strings.length} entries`);
      const decoded = tables.flatMap((t) => decodeTable(t.strings));
      const shown = interesting(decoded.map((d) => d.value));
      const inds = shown.flatMap((v) => indicatorsIn(v, 'string table', ctx.signatures));
      const acts = (js?.sinks ?? []).some((s) => !s.constant) || (js?.net.length ?? 0) > 0;
      let severity: Severity = acts ? 'critical' : 'high';
      if (inds.some((i) => i.verdict && rank(i.verdict.severity) >= rank('high'))) severity = 'critical';
      if (sf.bundle.bundle || isTestPath(sf.path)) severity = 'medium';
      const line = tables[0]?.line ?? js?.rotateLoops[0] ?? 1;
      const evidence: Evidence[] = [
        ...traits.map((t) => ({ kind: 'trait' as const, value: t })),
        ...shown.slice(0, 15).map((v) => ({ kind: 'decoded' as const, value: short(v, 300) })),
        ...inds.filter((i) => i.verdict).slice(0, 5).map((i) => ({ kind: 'indicator' as const, value: `${i.value} (${i.verdict!.reason}: ${i.verdict!.description})` })),
      ];
      if (acts) evidence.push({ kind: 'trait', value: 'the file also executes strings or makes network requests' });
      if (sf.bundle.bundle) evidence.push({ kind: 'note', value: `bundle: ${sf.bundle.reason}` });
      ctx.report({
        severity,
        confidence: sf.bundle.bundle ? 'medium' : 'high',
        message: `Obfuscated code (${traits.slice(0, 2).join(', ')})${shown.length ? `; its string table hides: ${short(shown.slice(0, 3).join(', '), 160)}` : ''}`,
        location: locate(sf, line),
        evidence,
        key: 'obfuscated',
      });
    }
  },
});
