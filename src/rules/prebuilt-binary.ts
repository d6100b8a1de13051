import { defineRule } from './define-rule.js';
import { headOf } from '../acquire/bytes.js';

function ext(path: string): string {
  const b = path.split('/').pop() ?? '';
  const i = b.lastIndexOf('.');
  return i > 0 ? b.slice(i + 1).toLowerCase() : '';
}

/** Places where committed binaries are ordinary. */
// Bytecode sits directly in __pycache__/; `[^/]*` (not `.*`) keeps a crafted 1 MB path from going quadratic.
const ORDINARY = /(?:^|\/)(?:gradle\/wrapper\/gradle-wrapper\.jar|\.yarn\/(?:releases|plugins|cache|unplugged)\/|node_modules\/|__pycache__\/[^/]*\.pyc$)/;
/** Test fixtures and examples: binaries a test loads or an example shows; low unless something in the tree runs them. */
const TEST_DATA = /(?:^|\/)(?:tests?|__tests__|spec|e2e|fixtures?|__fixtures__|testdata|examples?)\//i;

export default defineRule({
  meta: {
    id: 'prebuilt-binary',
    title: 'Prebuilt executable in a source project',
    description:
      'A take-home test or a source repository has no reason to ship .exe, .dll, .node, .dmg, .pkg, .jar, .pyc, .so or an ELF/PE/Mach-O file. ' +
      'Such a file cannot be reviewed, and one that a script or task runs is the payload. The gradle wrapper jar and package-manager caches are reported as low.',
    severity: 'high',
    confidence: 'medium',
    techniques: ['T21'],
    remediation: 'Do not run the binary. Ask for source, or scan it with an antivirus engine in a disposable machine.',
  },
  async check(ctx) {
    const commands = [...ctx.inventory.installScripts, ...ctx.inventory.autoRun].map((c) => c.command);
    const magic = ctx.signatures.binaries.magic.map((m) => ({ ...m, buf: Buffer.from(m.hex, 'hex') }));
    // Binaries inside one archive of the tree (a jar's classes, a zip of DLLs) are one finding per archive, not one each.
    const nested = new Map<string, { file: string; format: string; size: number }[]>();
    for (const file of ctx.workspace.files) {
      if (file.kind !== 'file' || file.size < 4) continue;
      const e = ext(file.path);
      const byExt = ctx.signatures.binaries.extensions.includes(e);
      let format = byExt ? `.${e} file` : '';
      if (!byExt) {
        // Native executables hide under any name; only their header tells. Read headers of files without a text extension.
        if (/\.(?:[cm]?[jt]sx?|json|md|txt|css|scss|html?|ya?ml|lock|svg|map)$/i.test(file.path)) continue;
        // The header is all this needs: the kept or partially read head, not the whole file. A file over the size
        // limit is not read at all (reportOversized speaks for it), as when this read the whole file.
        if (file.size > ctx.limits.maxFileBytes) continue;
        const head = await headOf(file, 64);
        if (!head) continue;
        const hit = magic.find((m) => head.subarray(0, m.buf.length).equals(m.buf) && !(m.hex === '4d5a' && file.size < 64));
        if (!hit) continue;
        // cafebabe is also a Java class file; a .class has an extension we would have listed.
        format = hit.format;
      }
      if (file.container !== undefined) {
        const archive = file.path.slice(0, file.path.lastIndexOf('!/'));
        const list = nested.get(archive) ?? [];
        list.push({ file: file.path, format, size: file.size });
        nested.set(archive, list);
        continue;
      }
      const base = file.path.split('/').pop()!;
      const runBy = commands.find((c) => c.includes(base));
      const ordinary = ORDINARY.test(file.path) || TEST_DATA.test(file.path);
      ctx.report({
        severity: runBy ? 'high' : ordinary ? 'low' : 'medium',
        confidence: runBy ? 'high' : 'medium',
        message: `${file.path}: prebuilt ${format} (${file.size} bytes) in the source tree${runBy ? `, run by \`${runBy.slice(0, 100)}\`` : ''}`,
        location: { file: file.path },
        evidence: [{ kind: 'file', value: format }, ...(runBy ? [{ kind: 'command' as const, value: runBy }] : [])],
        key: `${format}:${file.size}`,
      });
    }
    for (const [archive, list] of nested) {
      const ordinary = ORDINARY.test(archive) || TEST_DATA.test(archive);
      const formats = [...new Set(list.map((b) => b.format))];
      // A command that names a binary only the archive holds runs it after unpacking (`unzip tools.zip && ./agent`).
      let runBy: string | undefined;
      const run = list.find((b) => (runBy = commands.find((c) => c.includes(b.file.split('/').pop()!))));
      const first = run ?? list[0];
      ctx.report({
        severity: runBy ? 'high' : ordinary ? 'low' : 'medium',
        confidence: runBy ? 'high' : 'medium',
        message:
          (list.length === 1
            ? `${first.file}: prebuilt ${first.format} (${first.size} bytes) inside ${archive}`
            : `${archive} holds ${list.length} prebuilt binaries (${formats.slice(0, 5).join(', ')}), e.g. ${first.file}`) +
          (runBy ? `, run by \`${runBy.slice(0, 100)}\`` : ''),
        location: { file: first.file },
        evidence: [
          ...list.slice(0, 10).map((b) => ({ kind: 'file' as const, value: b.format, location: { file: b.file } })),
          ...(runBy ? [{ kind: 'command' as const, value: runBy }] : []),
        ],
        key: `nested:${formats.join(',')}:${list.length}`,
      });
    }
  },
});
