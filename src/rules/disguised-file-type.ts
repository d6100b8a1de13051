import { defineRule } from './define-rule.js';
import { checkFileType, claimedFormat, isGenuineBinary } from '../analysis/filetype.js';
import { bytesOf, headOf, SNIFF_BYTES } from '../acquire/bytes.js';
import { LineIndex, snippet } from '../analysis/text.js';
import { isTestPath } from '../analysis/source-evidence.js';

export default defineRule({
  meta: {
    id: 'disguised-file-type',
    title: 'File whose bytes are not the type its name claims',
    description:
      'Fonts, images and other binary formats have fixed leading bytes (woff2 `wOF2`, png `89 50 4E 47` …). A `.woff2` whose bytes are JavaScript is a fake-font dropper: ' +
      'a task or script runs it with `node`. JavaScript disguised as a binary is high on its own and critical when something in the repository runs it. Real fonts and images stay quiet.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T10'],
    remediation: 'Do not run anything in this repository; a file that pretends to be a font or image is there to hide code.',
  },
  async check(ctx) {
    const commands = [...ctx.inventory.installScripts, ...ctx.inventory.autoRun].map((c) => c.command);
    for (const file of ctx.workspace.files) {
      if (file.kind !== 'file' || !claimedFormat(file.path, ctx.signatures)) continue;
      // A header that proves the claimed format settles it without reading the whole file.
      const head = file.size <= ctx.limits.maxFileBytes ? await headOf(file, SNIFF_BYTES) : undefined;
      if (head && isGenuineBinary(file.path, head, ctx.signatures)) continue;
      const bytes = await bytesOf(file);
      if (!bytes) continue;
      const m = checkFileType(file.path, bytes, ctx.signatures);
      if (!m || m.actual === 'unknown-binary' || m.actual === 'empty') continue;
      const base = file.path.split('/').pop()!;
      const runBy = commands.find((c) => c.includes(base));
      const text = bytes.subarray(0, 4096).toString('utf8');
      // Text that is not code: a test fixture that is deliberately not an image or archive, or an SVG saved under a
      // raster extension (browsers sniff it), is a mislabelled file, not a hidden program.
      const svg = /^\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--[\s\S]{0,2000}?-->\s*)?<svg[\s>]/i.test(text);
      const harmlessText = m.actual !== 'javascript' && !runBy && (isTestPath(file.path) || svg);
      const severity = m.actual === 'javascript' ? (runBy ? 'critical' : 'high') : harmlessText ? 'low' : 'medium';
      const first = new LineIndex(text).line(1);
      ctx.report({
        severity,
        confidence: m.actual === 'javascript' ? 'high' : 'medium',
        message: `${file.path} is ${m.detail}${runBy ? `, and the repository runs it: \`${snippet(runBy, 100)}\`` : ''}`,
        location: { file: file.path, line: 1, snippet: snippet(first) },
        evidence: [
          { kind: 'file', value: `${m.claimed} expected, ${m.actual} found` },
          ...(runBy ? [{ kind: 'command' as const, value: runBy }] : []),
        ],
        key: `${m.claimed}:${m.actual}`,
      });
    }
  },
});
