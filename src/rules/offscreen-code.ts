import { defineRule, visitedTexts, type RuleContext, type TextVisitor } from './define-rule.js';
import { bundleInfo } from '../analysis/bundle.js';
import { isDocPath, locate } from '../analysis/source-evidence.js';
import { short } from '../analysis/js/facts.js';
import type { Severity } from '../types.js';

/** Files where code or commands live: source, scripts, JSON/JSONC configs (tasks.json), YAML, HTML. */
const CANDIDATE = /\.(?:[cm]?[jt]sx?|py|pyw|json|jsonc|code-workspace|sh|bash|zsh|ps1|bat|cmd|ya?ml|toml|html?|vue|svelte|php|rb)$|(?:^|\/)(?:\.env[\w.-]*|Makefile|Dockerfile|\.npmrc)$/i;
/** Blanks in a row that push code off-screen. */
const RUN_MIN = 150;

const isBlank = (c: number) => c === 32 || c === 9;

/**
 * The maximal runs of at least `min` spaces and tabs, in order — what `/[ \t]{min,}/g` matches, without looking at
 * every character: any such run covers one of every `min`-th positions, so only those are looked at, and a run is
 * measured from there. Where the regex spent ~45 ms on the 27 MB of a node_modules' source, this takes ~4.
 */
export function* blankRuns(text: string, min = RUN_MIN): Generator<{ index: number; length: number }> {
  for (let i = min - 1; i < text.length; i += min) {
    if (!isBlank(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isBlank(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < text.length && isBlank(text.charCodeAt(end))) end++;
    if (end - start >= min) yield { index: start, length: end - start };
    // The next run starts after this one: skip the sampled positions inside it.
    while (i + min < end) i += min;
  }
}
const DANGER = /\b(?:require|eval|Function|exec|execSync|spawn|fetch|axios|atob|import)\s*\(|child_process|_0x[\da-f]{3}|\bglobal\[|https?:\/\/|\bcurl\b|\bwget\b|\|\s*(?:ba|z)?sh\b|powershell/i;
const CODE = /[;(){}=]|\b(?:const|var|let|function|import|require|node|curl|bash|python)\b/;

export default defineRule({
  meta: {
    id: 'offscreen-code',
    title: 'Code pushed off-screen by whitespace',
    description:
      'A run of 150+ spaces or tabs followed by more code on the same line (`module.exports = router;` + 500 spaces + a loader), a line that starts with ' +
      '150+ blanks before code, or 100+ blank lines before more code, in source, scripts and JSON configs such as `.vscode/tasks.json`. ' +
      'Critical when the hidden part reaches the network, decodes or executes; high otherwise. Minified bundles are skipped (they have no such runs); ' +
      'Markdown and docs are reported as low.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T07'],
    remediation: 'Scroll right (or turn on word wrap) and read the hidden part: code nobody is meant to see is a loader. Do not run the project.',
  },
  async check(ctx) {
    await visitedTexts(ctx, hiddenCodeIn);
  },
  eachText: hiddenCodeIn,
});

/** The per-file part: runs of blanks and of blank lines with code after them, reported per file. */
function hiddenCodeIn(ctx: RuleContext): TextVisitor {
  return {
    wants: (file) => file.kind === 'file' && file.size >= 150 && (CANDIDATE.test(file.path) || isDocPath(file.path)),
    visit(file, text) {
      if (!text) return;
      const doc = isDocPath(file.path);
      // Measured only for a file that has something to report: most files have no such run.
      let bundleOf: ReturnType<typeof bundleInfo> | undefined;
      const bundleNow = () => (bundleOf ??= bundleInfo(file.path, text, ctx.signatures.source));
      const seenLines = new Set<number>();
      const report = (offset: number, hidden: string, how: string) => {
        const line = text.slice(0, offset).split('\n').length;
        if (seenLines.has(line) || !CODE.test(hidden)) return;
        seenLines.add(line);
        const danger = DANGER.test(hidden);
        let severity: Severity = danger ? 'critical' : 'high';
        const bundle = bundleNow();
        if (bundle.bundle) severity = danger ? 'medium' : 'low';
        if (doc) severity = 'low';
        ctx.report({
          severity,
          confidence: danger ? 'high' : 'medium',
          message: `${how}; the hidden part: ${short(hidden, 140)}`,
          location: { ...locate({ path: file.path, text }, line), snippet: short(hidden, 200) },
          evidence: [{ kind: 'decoded', value: short(hidden, 900) }, ...(bundle.bundle ? [{ kind: 'note' as const, value: `bundle: ${bundle.reason}` }] : [])],
          key: `${how}:${short(hidden, 80)}`,
        });
      };
      for (const m of blankRuns(text)) {
        const end = m.index + m.length;
        const nl = text.indexOf('\n', end);
        const hidden = text.slice(end, nl < 0 ? Math.min(text.length, end + 4000) : Math.min(nl, end + 4000));
        if (!hidden.trim()) continue;
        const lineStart = text.lastIndexOf('\n', m.index) + 1;
        const before = text.slice(lineStart, m.index);
        report(end, hidden, before.trim() ? `${m.length} blanks after "${short(before.trim(), 60)}" push code off-screen` : `a line starts with ${m.length} blanks before its code`);
      }
      // Runs of 100+ blank lines, counted line by line (a regex over repeated blank lines is not linear).
      let blank = 0;
      for (let start = 0; start < text.length; ) {
        const nl = text.indexOf('\n', start);
        const end = nl < 0 ? text.length : nl;
        const lineText = text.slice(start, Math.min(end, start + 4000));
        if (!lineText.trim()) blank++;
        else {
          if (blank >= 100) report(start, lineText, `${blank} blank lines hide the code that follows`);
          blank = 0;
        }
        start = end + 1;
      }
    },
  };
}
