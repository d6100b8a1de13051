/**
 * How the command lets V8's heap grow. By default V8 lets the heap grow to several times what is live before a full
 * collection; a scan of a large tree makes many short-lived large strings (file texts), and so peaked at 1.4 GB on a
 * 1.4 GB tree with ~250 MB live. A growing factor of 1.25 keeps the peak near what is live, for more collections: on a
 * take-home-sized repository that costs ~4 % of the scan's CPU and saves nothing that matters, so a repository scan
 * asks for it only once its tree turns out large (docs/BENCHMARKS.md, peak RSS). Large is a matter of bytes, not
 * entries: verdaccio's `node_modules` (6,803 files, 40 MB) paid 8 % more CPU for 10 MiB less, a 119 MB tree of 11,618
 * files neither paid nor saved anything, the 1.31 GiB tree peaked at 622 MiB without it and 341 with it (the ninth
 * round of issue 19). The org scan (many repositories at once) and the package command (--deps reads many tarballs)
 * ask for it from the start.
 *
 * This is the command's choice (the CLI is the host process); the library never sets V8 flags for its host.
 */
import v8 from 'node:v8';
import type { ProgressEvent } from '../options.js';
import { LAST_CHECKED_V8 } from './tiering.js';

/**
 * A tree whose files add up to this many bytes is large: take-home tests are a few MB, verdaccio's node_modules 40 MB,
 * the benchmark's large tree 1.31 GiB. The bound of acquire/workspace.ts keptTextChars, past which a tree keeps
 * proportionally less text.
 */
export const LARGE_TREE_BYTES = 256 * 1024 * 1024;

let tight = false;
let youngCapped = false;
let youngWatch: ReturnType<typeof setInterval> | undefined;

/**
 * Put V8's heap flags back to their defaults, at the end of a run. V8 stamps its code cache with a hash of the flags in
 * force; a cache written after a large scan tightened the heap would be refused by the next, ordinary, process. The
 * code cache calls this before it writes (src/cli/code-cache.ts).
 */
export function defaultHeapFlags(): void {
  if (youngWatch) clearInterval(youngWatch);
  youngWatch = undefined;
  if (youngCapped) {
    youngCapped = false;
    v8.setFlagsFromString('--semi-space-growth-factor=2');
  }
  if (!tight) return;
  tight = false;
  v8.setFlagsFromString('--heap-growing-percent=0');
}

/**
 * The young generation's size at which {@link capYoungGeneration} stops its growth: two semi-spaces of 16 MiB, the
 * most V8 up to 12 (Node 20 and 22) ever gives it on 64-bit.
 */
export const YOUNG_GENERATION_CAP = 32 * 1024 * 1024;

/** The young generation's size (both semi-spaces) now. */
export function youngGenerationBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Keep the young generation at Node 20's size on V8 13 and later (Node 24). That V8 sizes it by the heap limit — up
 * to two semi-spaces of 64 MiB on a 4 GiB limit — and a scan that allocates fast grows it there: verdaccio's
 * `node_modules` peaked at ~340 MiB on Node 24 against ~215 on Node 20, the 1.31 GiB tree at ~670 against ~345
 * (docs/BENCHMARKS.md, the ninth round of issue 19). The limit itself is fixed when the process starts; what can
 * change later is the growth factor, so a timer watches the young generation and sets the factor to 1 (no further
 * growth) once it reaches {@link YOUNG_GENERATION_CAP}. The timer runs whenever the event loop turns (file reads
 * yield every 64 reads), so the size may overshoot by one growth step during a long synchronous stretch. Up to V8 12
 * nothing is done: the young generation never passes the cap there. Returns whether the watch was started.
 *
 * The host process's choice, like the tiering flags: bin/lurescan.cjs and the Action's `run()` call it.
 */
export function capYoungGeneration(v8Version = process.versions.v8): boolean {
  const major = Number.parseInt(v8Version, 10);
  if (!Number.isFinite(major) || major < 13 || major > LAST_CHECKED_V8 || youngWatch || youngCapped) return false;
  const check = (): void => {
    if (youngGenerationBytes() < YOUNG_GENERATION_CAP) return;
    youngCapped = true;
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    clearInterval(youngWatch);
    youngWatch = undefined;
  };
  youngWatch = setInterval(check, 10);
  youngWatch.unref();
  check();
  return true;
}

/** Keep the heap near what is live from now on (once per process). */
export function tightenHeap(): void {
  if (tight) return;
  tight = true;
  v8.setFlagsFromString('--heap-growing-percent=25');
}

/**
 * A progress callback that tightens the heap when the scan reports a large tree (the inventory phase gives the size of
 * its files, before anything is read for the rules), then passes the event on.
 */
export function tightenOnLargeTree(next?: (e: ProgressEvent) => void): (e: ProgressEvent) => void {
  return onLargeTree(tightenHeap, next);
}

/** A progress callback that calls `large` when the inventory phase reports a large tree, and passes every event on. */
export function onLargeTree(large: () => void, next?: (e: ProgressEvent) => void): (e: ProgressEvent) => void {
  return (e) => {
    if (e.phase === 'inventory' && (e.bytes ?? 0) >= LARGE_TREE_BYTES) large();
    next?.(e);
  };
}
