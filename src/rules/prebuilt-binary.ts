import { defineRule } from './define-rule.js';

function ext(path: string): string {
  const b = path.split('/').pop() ?? '';
  const i = b.lastIndexOf('.');
  return i > 0 ? b.slice(i + 1).toLowerCase() : '';
}

/** Places where committed binaries are ordinary. */
// Bytecode sits directly in __pycache__/; `[^/]*` (not `.*`) keeps a crafted 1 MB path from going quadratic.
const ORDINARY = /(?:^|\/)(?:gradle\/wrapper\/gradle-wrapper\.jar|\.yarn\/(?:releases|plugins|cache|unplugged)\/|node_modules\/|__pycache__\/[^/]*\.pyc$)/;

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
    for (const file of ctx.workspace.files) {
      if (file.kind !== 'file' || file.size < 4) continue;
      const e = ext(file.path);
      const byExt = ctx.signatures.binaries.extensions.includes(e);
      let format = byExt ? `.${e} file` : '';
      if (!byExt) {
        // Native executables hide under any name; only their header tells. Read headers of files without a text extension.
        if (/\.(?:[cm]?[jt]sx?|json|md|txt|css|scss|html?|ya?ml|lock|svg|map)$/i.test(file.path)) continue;
        const bytes = await file.bytes();
        if (!bytes) continue;
        const hit = magic.find((m) => bytes.subarray(0, m.buf.length).equals(m.buf) && !(m.hex === '4d5a' && bytes.length < 64));
        if (!hit) continue;
        // cafebabe is also a Java class file; a .class has an extension we would have listed.
        format = hit.format;
      }
      const base = file.path.split('/').pop()!;
      const runBy = commands.find((c) => c.includes(base));
      const ordinary = ORDINARY.test(file.path);
      ctx.report({
        severity: runBy ? 'high' : ordinary ? 'low' : 'medium',
        confidence: runBy ? 'high' : 'medium',
        message: `${file.path}: prebuilt ${format} (${file.size} bytes) in the source tree${runBy ? `, run by \`${runBy.slice(0, 100)}\`` : ''}`,
        location: { file: file.path },
        evidence: [{ kind: 'file', value: format }, ...(runBy ? [{ kind: 'command' as const, value: runBy }] : [])],
        key: `${format}:${file.size}`,
      });
    }
  },
});
