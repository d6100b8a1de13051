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
import { checkedV8Major } from './tiering.js';

/**
 * A tree whose files add up to this many bytes is large: take-home tests are a few MB, verdaccio's node_modules 40 MB,
 * the benchmark's large tree 1.31 GiB. The bound of acquire/workspace.ts keptTextChars, past which a tree keeps
 * proportionally less text.
 */
export const LARGE_TREE_BYTES = 256 * 1024 * 1024;

let tight = false;

/**
 * What the command wants of V8's young generation. V8 reads `--semi-space-growth-factor` whenever it grows a young
 * generation, the main thread's and every worker's alike, but every isolate that starts — a worker thread's too — sets
 * the factor back to at least 2 as it configures its heap (Node 20 and 22): so the wish is kept here and put back each
 * time a worker comes online.
 */
const young = {
  /** Not grown at all: for the scan of a large tree (holdYoungGeneration). */
  held: false,
  /** Grown to YOUNG_GENERATION_CAP and no further (V8 13 and later). */
  capped: false,
  watch: undefined as ReturnType<typeof setInterval> | undefined,
  workersHooked: false,
};

/**
 * A worker's semi-space (MiB) while the growth is stopped for its young generation too: it starts at the size it may
 * not grow past — small for a large tree, otherwise its largest (V8 keeps it within the worker's own limit).
 */
const CAPPED_WORKER_SEMI_MB = 16;

/** Set V8's young-generation flags to what {@link young} asks for. */
function applyYoungFlags(): void {
  const stopped = young.held || young.capped;
  v8.setFlagsFromString(`--semi-space-growth-factor=${stopped ? 1 : 2}`);
  // Read when an isolate starts: the main thread's is long configured, so this sizes the workers started from now on.
  v8.setFlagsFromString(`--min-semi-space-size=${young.held ? LARGE_TREE_WORKER_SEMI_MB : stopped ? CAPPED_WORKER_SEMI_MB : 0}`);
}

/** Put the growth factor back whenever a worker thread's isolate has reset it (once per process). */
function hookWorkers(): void {
  if (young.workersHooked) return;
  young.workersHooked = true;
  process.on('worker', (worker) => {
    worker.once('online', () => {
      if (young.held || young.capped) applyYoungFlags();
    });
  });
}

/**
 * Put V8's heap flags back to their defaults, at the end of a run. V8 stamps its code cache with a hash of the flags in
 * force; a cache written after a large scan tightened the heap would be refused by the next, ordinary, process. The
 * code cache calls this before it writes (src/cli/code-cache.ts).
 */
export function defaultHeapFlags(): void {
  if (young.watch) clearInterval(young.watch);
  young.watch = undefined;
  if (young.held || young.capped) {
    young.held = false;
    young.capped = false;
    applyYoungFlags();
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

/**
 * The semi-space of an analysis worker started during the scan of a large tree, in MiB: its young generation is then
 * 4 MiB and stays so (grown freely it reaches 32). On the 1.31 GiB tree, sets of runs with 2, 4, 8 and 16 MiB
 * semi-spaces peaked at medians of ~280, ~290, 296 and 298 MiB; 16 cost ~3 % more CPU than growing freely, 2 and 4
 * ~10–14 % (docs/BENCHMARKS.md, the tenth round of issue 19).
 */
export const LARGE_TREE_WORKER_SEMI_MB = 2;

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
 * growth) once it reaches {@link YOUNG_GENERATION_CAP}. The factor is one for all threads, so analysis workers
 * started from then on begin at their largest young generation instead of staying at V8's smallest. The timer runs
 * whenever the event loop turns (file reads yield every 64 reads), so the size may overshoot by one growth step during
 * a long synchronous stretch. Up to V8 12 nothing is done: the young generation never passes the cap there. Returns
 * whether the watch was started.
 *
 * The host process's choice, like the tiering flags: bin/lurescan.cjs and the Action's `run()` call it.
 */
export function capYoungGeneration(v8Version = process.versions.v8): boolean {
  const major = checkedV8Major(v8Version);
  if (major === undefined || major < 13 || young.watch || young.capped) return false;
  hookWorkers();
  const check = (): void => {
    if (youngGenerationBytes() < YOUNG_GENERATION_CAP) return;
    young.capped = true;
    applyYoungFlags();
    clearInterval(young.watch);
    young.watch = undefined;
  };
  young.watch = setInterval(check, 10);
  young.watch.unref();
  check();
  return true;
}

/**
 * End a large tree's hold (the scan is over): the young generation may grow again, as far as
 * {@link capYoungGeneration} allows, and workers start at V8's size again.
 */
export function releaseYoungGeneration(): void {
  if (!young.held) return;
  young.held = false;
  applyYoungFlags();
}

/**
 * For a large tree: stop the young generation's growth for the rest of the scan, and let the analysis workers that
 * start from now on begin (and stay) at {@link LARGE_TREE_WORKER_SEMI_MB}. V8 grows the young generation while a
 * scan lists a large tree (the entries it keeps make most of each collection survive) and never shrinks it back
 * before the scan ends; held from the moment the listing passes {@link LARGE_TREE_BYTES}, the 1.31 GiB tree's main
 * thread keeps 4–8 MiB instead of 32 and its worker 4 instead of 32: a peak of ~285 MiB instead of ~340, for 10–14 %
 * more CPU in collections (docs/BENCHMARKS.md, the tenth round of issue 19). Holding it from the start of every scan
 * instead cost verdaccio's `node_modules` 60 MiB: objects promoted early moved its full collections.
 */
function holdYoungGeneration(): void {
  if (young.held || checkedV8Major(process.versions.v8) === undefined) return;
  hookWorkers();
  young.held = true;
  applyYoungFlags();
}

/** Keep the heap near what is live from now on (once per process). */
export function tightenHeap(): void {
  if (tight) return;
  tight = true;
  v8.setFlagsFromString('--heap-growing-percent=25');
}

/**
 * The repository scan's progress callback: once the tree turns out large — while a folder is listed, or at the
 * inventory, before anything is read for the rules — the heap is tightened and the young generation held
 * ({@link holdYoungGeneration}). Every event is passed on.
 */
export function heapByTreeSize(next?: (e: ProgressEvent) => void): (e: ProgressEvent) => void {
  return onLargeTree(() => {
    tightenHeap();
    holdYoungGeneration();
  }, next);
}

/**
 * A progress callback that calls `large` when the listing or the inventory reports a large tree (its `bytes`), and
 * passes every event on.
 */
export function onLargeTree(large: () => void, next?: (e: ProgressEvent) => void): (e: ProgressEvent) => void {
  return (e) => {
    if ((e.phase === 'inventory' || e.phase === 'acquire') && (e.bytes ?? 0) >= LARGE_TREE_BYTES) large();
    next?.(e);
  };
}
