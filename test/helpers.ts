/** Shared test helpers: paths, scanning a fixture folder, temp dirs that clean themselves up. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../src/scan.js';
import type { ScanOptions } from '../src/options.js';
import type { ScanResult } from '../src/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = path.join(ROOT, 'fixtures');

export function scanFolder(dir: string, options: ScanOptions = {}): Promise<ScanResult> {
  return scan({ kind: 'path', path: dir }, options);
}

export function tempDir(prefix = 'lurescan-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
