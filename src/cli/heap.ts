/**
 * How the command lets V8's heap grow. By default V8 lets the heap grow to several times what is live before a full
 * collection; a scan of a large tree makes many short-lived large strings (file texts), and so peaked at 1.4 GB on a
 * 1.4 GB tree with ~250 MB live. A growing factor of 1.25 keeps the peak near what is live, for more collections: on a
 * take-home-sized repository that costs ~4 % of the scan's CPU and saves nothing that matters, so a repository scan
 * asks for it only once its tree turns out large (docs/BENCHMARKS.md, peak RSS). The org scan (many repositories at
 * once) and the package command (--deps reads many tarballs) ask for it from the start.
 *
 * This is the command's choice (the CLI is the host process); the library never sets V8 flags for its host.
 */
import v8 from 'node:v8';
import type { ProgressEvent } from '../options.js';

/** A tree of at least this many entries is large: verdaccio's node_modules has 6,803; take-home tests a few hundred. */
export const LARGE_TREE_ENTRIES = 5000;

let tight = false;

/**
 * Put V8's heap flags back to their defaults, at the end of a run. V8 stamps its code cache with a hash of the flags in
 * force; a cache written after a large scan tightened the heap would be refused by the next, ordinary, process. The
 * code cache calls this before it writes (src/cli/code-cache.ts).
 */
export function defaultHeapFlags(): void {
  if (!tight) return;
  tight = false;
  v8.setFlagsFromString('--heap-growing-percent=0');
}

/** Keep the heap near what is live from now on (once per process). */
export function tightenHeap(): void {
  if (tight) return;
  tight = true;
  v8.setFlagsFromString('--heap-growing-percent=25');
}

/**
 * A progress callback that tightens the heap when the scan reports a large tree (the inventory phase gives the number
 * of entries, before anything is read for the rules), then passes the event on.
 */
export function tightenOnLargeTree(next?: (e: ProgressEvent) => void): (e: ProgressEvent) => void {
  return onLargeTree(tightenHeap, next);
}

/** A progress callback that calls `large` when the inventory phase reports a large tree, and passes every event on. */
export function onLargeTree(large: () => void, next?: (e: ProgressEvent) => void): (e: ProgressEvent) => void {
  return (e) => {
    if (e.phase === 'inventory' && (e.total ?? 0) >= LARGE_TREE_ENTRIES) large();
    next?.(e);
  };
}
