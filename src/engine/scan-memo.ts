/**
 * A whole scan's results kept by content (issue 19, "a result cache by content"). The per-file cache of the source
 * index (analysis/result-cache.ts) spares the parser on a second scan, but every rule still reads and searches every
 * file again; on a tree whose content has not changed, none of that can give a different answer. So everything a scan
 * derives from the tree it acquired — nested archives expanded, links presented, inventory, rules: the findings, the
 * diagnostics and what was covered — is stored under a key made of
 * - the tree as acquired: every entry's path, kind, size, mode, link target, container and alias, and a SHA-256 of
 *   each file's bytes (read as the rules would read them, so a file over the size limit is keyed as "not read"), or
 *   the content-addressed id the acquirer already has (a git blob id) instead of reading the bytes again;
 * - what judged it: the rule ids, the limits, a digest of the signature data the scan loaded, and a hash of all of
 *   lurescan's code (not only the analysis code the per-file cache is stamped with: any rule's change matters).
 * Nothing of the disk's metadata (times, inode numbers) is trusted: a tree is re-read and re-hashed every time, which
 * costs a fraction of the scan (about 0.1 s for verdaccio's 58 MB node_modules) and is what makes the key content.
 *
 * Never used when the answer depends on something outside the tree: registry facts (`online`, `deps`, npm targets),
 * rules an embedder added (their code is not in the stamp). Never stored when the scan's own answer depended on the
 * clock, a crash or the machine: a rule that timed out, an analysis budget hit, a worker that died, a read error.
 * A scan that is incomplete because of the tree itself (a file over the size cap, an archive without a reader) is
 * kept: the same tree is incomplete in the same way every time.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, Finding, Workspace } from '../types.js';
import type { Limits } from '../options.js';
import type { Signatures } from '../signatures/types.js';
import { signaturesDigest } from '../signatures/load.js';
import { bytesOf } from '../acquire/bytes.js';
import { localSyncReaders } from '../acquire/local.js';
import { contentHash, folderStamp, type ResultCache } from '../analysis/result-cache.js';

/** What a reused scan brings back: the rules phase's findings and diagnostics. */
export interface ScanMemo {
  findings: Finding[];
  /** Every diagnostic after acquisition: nested archives, links, inventory, rules. */
  diagnostics: Diagnostic[];
  /** What the scan covered once nested archives and links were expanded (ScanStats.files, .bytes). */
  files: { files: number; bytes: number };
  /** Whether the tree held archives that were expanded (a reused scan expands them again for its caller). */
  archives: boolean;
}

const NAMESPACE = 'scan';
/** Bump when the stored shape changes. */
const FORMAT = 'scan-memo-3';

/**
 * A hash of every code file lurescan runs from: build/ (or src/ under the tests; the CLI's bundle is left out, the
 * library does not run it), or the folder of a bundle, found from this module's own folder.
 */
export function wholeCodeStamp(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // build/engine/scan-memo.js → build/; a bundle's chunks live directly in its folder.
  return path.basename(here) === 'engine' ? folderStamp(path.dirname(here), ['bundle']) : folderStamp(here);
}

/**
 * The digest of a tree as the rules see it, or undefined when it cannot be keyed without changing the scan: the files
 * add up to more than the read budget (reading them all here would decide which ones the rules may still read), or a
 * file could not be read (the rules report that, as without the memo). Within the budget every file can be read, so
 * reading them here takes nothing from the rules.
 */
export async function treeDigest(ws: Workspace, limits: Limits, diagnostics: Diagnostic[]): Promise<string | undefined> {
  let total = 0;
  for (const f of ws.files) if (f.kind === 'file' && f.size <= limits.maxFileBytes) total += f.size;
  if (total > limits.maxTotalBytes) return undefined;
  const before = diagnostics.length;
  // A folder's own files are hashed straight from disk through one buffer; other entries through bytes().
  const local = localSyncReaders.get(ws);
  const h = createHash('sha256');
  for (const f of ws.files) {
    h.update(JSON.stringify([f.path, f.kind, f.size, f.mode ?? '', f.linkTarget ?? null, f.container ?? null, f.alias ?? null]));
    if (f.kind === 'file') {
      const named = (f as { contentId?: string }).contentId;
      const direct = f.size <= limits.maxFileBytes && !named && local?.has(f.path) ? local.hash(f.path) : undefined;
      if (f.size > limits.maxFileBytes) h.update('\0over');
      else if (named) h.update('\0').update(named);
      else if (direct) h.update('\0').update(direct);
      else {
        const bytes = await bytesOf(f);
        if (!bytes) {
          // A read error is the rules' to report, as it would have been without the memo.
          diagnostics.length = before;
          return undefined;
        }
        h.update('\0').update(contentHash(bytes));
      }
    }
    h.update('\n');
  }
  return h.digest('hex');
}

/** The key of a scan: tree, rule set, limits, signature data, code. */
export function memoKey(tree: string, ruleIds: readonly string[], limits: Limits, signatures: Signatures): string[] | undefined {
  const sigs = signaturesDigest(signatures);
  if (!sigs) return undefined;
  return [FORMAT, tree, JSON.stringify(ruleIds), JSON.stringify(limits), sigs, wholeCodeStamp()];
}

/** Diagnostics that depend on a clock, a crash or the machine, not on the tree: a scan that has one is not kept. */
const TRANSIENT = new Set(['rule-error', 'scan-time-limit', 'analysis-limit', 'parser-crash', 'read-error', 'signatures-unreadable']);

/**
 * Incomplete diagnostics that follow from the tree and the limits alone (a file over the size cap, an archive format
 * without a reader, a damaged lockfile): the same tree gets them again, so a scan that has them is kept. An incomplete
 * diagnostic not named here (a code added later) keeps the scan out of the cache until someone names it.
 */
const DETERMINISTIC_INCOMPLETE = new Set([
  'file-too-large',
  'archive-not-expanded',
  'archive-unsupported',
  'archive-depth-limit',
  'archive-corrupt',
  'archive-encrypted',
  'archive-bomb',
  'archive-entry-limit',
  'archive-size-limit',
  'archive-odd-entry',
  'archive-special-entry',
  'archive-unsafe-path',
  'total-bytes-cap',
  'link-expansion-limit',
  'symlink-not-followed',
  'submodule-not-followed',
  'lfs-pointer',
  'parse-cap',
  'parse-error',
  'lockfile-format',
  'lockfile-entry',
  'lockfile-conflict',
  'lockfile-binary',
  'lockfile-integrity',
  'requirement-unreadable',
  'empty-repository',
]);

/** Whether the same tree could be judged differently next time because of this diagnostic. */
function transient(d: Diagnostic): boolean {
  if (TRANSIENT.has(d.code)) return true;
  // A fallback for a syntax error or the size cap is a property of the file; any other (a time budget, a worker that
  // died) is not.
  if (d.code === 'parse-fallback') return !/syntax error|parse limit/.test(d.message);
  return !!d.incomplete && !DETERMINISTIC_INCOMPLETE.has(d.code);
}

export function reuse(cache: ResultCache, key: string[]): ScanMemo | undefined {
  const hit = cache.get<ScanMemo>(NAMESPACE, key);
  if (!hit || !Array.isArray(hit.findings) || !Array.isArray(hit.diagnostics) || typeof hit.files?.files !== 'number' || typeof hit.archives !== 'boolean') return undefined;
  return hit;
}

/** Stores the rules phase's outcome unless it depended on the clock or was cut short; returns whether it did. */
export function remember(cache: ResultCache, key: string[], memo: ScanMemo): boolean {
  if (memo.diagnostics.some(transient)) return false;
  cache.put(NAMESPACE, key, memo);
  return true;
}
