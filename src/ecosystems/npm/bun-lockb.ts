/**
 * bun.lockb, bun's old binary lockfile. lurescan does not decode it: it says so, and how to get a readable lock.
 * When a text bun.lock sits beside it, that one is read and the scan stays complete.
 */
import path from 'node:path';
import type { InventoryParser } from '../types.js';

export const bunLockb: InventoryParser = {
  id: 'npm/bun-lockb',
  matches: (p) => p === 'bun.lockb' || p.endsWith('/bun.lockb'),
  parse(file, _text, sink, ctx) {
    const dir = path.posix.dirname(file.path);
    const textLock = dir === '.' ? 'bun.lock' : `${dir}/bun.lock`;
    const hasText = !!ctx?.workspace.get(textLock);
    sink.diagnostic({
      code: 'lockfile-binary',
      message: hasText
        ? `${file.path} is bun's binary lockfile and was not read; ${textLock} beside it was read instead`
        : `${file.path} is bun's binary lockfile, which lurescan does not decode: its transitive dependencies were NOT checked`,
      file: file.path,
      incomplete: !hasText,
      ...(hasText
        ? {}
        : {
            remediation:
              'Ask for a text lockfile (`bun install --save-text-lockfile`, bun ≥ 1.1.39; the default since bun 1.2) or run `bun bun.lockb > yarn.lock` on a machine you trust, then scan again.',
          }),
    });
  },
};
