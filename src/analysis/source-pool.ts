/**
 * Parsing and analysing source files on worker threads, for large trees. The main thread keeps walking, reading and
 * prefiltering while the workers parse; each worker has its own heap with a hard limit, so one huge bundle's AST
 * (a 2 MB minified file is a ~110 MB Babel tree) cannot grow the scanner's memory without bound, and a worker that
 * runs out of memory or stops answering is replaced: its file gets the text-level fallback and a diagnostic.
 *
 * Small scans never start a pool (starting a worker and loading the parser in it costs more than parsing a few
 * files); the index switches to it once enough text has passed the prefilter. The single-file Action bundle has no
 * worker script beside it and always analyses in-thread.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../types.js';
import type { Limits } from '../options.js';
import type { SourcePatterns } from '../signatures/types.js';
import type { SourceFile, SourceLang } from './source-index.js';

export interface AnalyseJob {
  path: string;
  text: string;
  as?: SourceLang;
}

/** A worker's answer: the analysed file without its text (the caller has it), or why the worker failed on it. */
export type AnalyseResult = { file?: SourceFile; diagnostics: Diagnostic[] } | { crashed: string };

/** Heap of one worker. A 2 MB file (maxParseChars) parses to ~110 MB; the analysis adds little that lives long. */
export const WORKER_HEAP_MB = 192;

const WORKER_URL = new URL('./source-worker.js', import.meta.url);

/**
 * The worker script beside this module: build/analysis/source-worker.js; under tsx (the tests run the TypeScript
 * sources) a small bootstrap that registers tsx in the worker and imports source-worker.ts.
 */
function workerScript(): { script: URL | string; eval: boolean } | undefined {
  if (WORKER_URL.protocol !== 'file:') return undefined;
  if (existsSync(fileURLToPath(WORKER_URL))) return { script: WORKER_URL, eval: false };
  const ts = new URL('./source-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts)) || !process.execArgv.some((a) => a.includes('tsx'))) return undefined;
  return { script: `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); });`, eval: true };
}

/**
 * How many workers a large scan uses: LURESCAN_WORKERS when set (0 turns the pool off), otherwise one per core
 * beyond the first (the main thread keeps reading and prefiltering) up to four, and none on a single core.
 */
export function poolSize(): number {
  const env = process.env.LURESCAN_WORKERS;
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    return Number.isInteger(n) && n >= 0 ? Math.min(n, 16) : 0;
  }
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores - 1, 4);
}

interface Pending {
  job: AnalyseJob;
  resolve: (r: AnalyseResult) => void;
}

interface Slot {
  worker: Worker;
  busy?: Pending & { timer: NodeJS.Timeout };
  fail(why: string): void;
}

export class AnalysisPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private respawns = 0;
  private closed = false;

  private constructor(
    private readonly script: { script: URL | string; eval: boolean },
    private readonly size: number,
    private readonly source: SourcePatterns,
    private readonly limits: Limits,
    private readonly heapMb: number,
    private readonly answerMs: number,
  ) {}

  /**
   * A pool, or undefined where workers are off or unavailable (then the caller analyses in-thread). A worker that
   * has not answered after `answerMs` (default: four times maxAnalysisMsPerFile, at least 10 s) is stopped.
   */
  static start(source: SourcePatterns, limits: Limits, opts: { size?: number; heapMb?: number; answerMs?: number } = {}): AnalysisPool | undefined {
    const script = workerScript();
    const size = opts.size ?? poolSize();
    if (!script || size < 1) return undefined;
    const pool = new AnalysisPool(script, size, source, limits, opts.heapMb ?? WORKER_HEAP_MB, opts.answerMs ?? Math.max(10_000, limits.maxAnalysisMsPerFile * 4));
    for (let i = 0; i < size; i++) pool.slots.push(pool.spawn());
    return pool;
  }

  get workers(): number {
    return this.size;
  }

  /** How many jobs may wait before the caller should stop reading ahead. */
  get capacity(): number {
    return this.size * 4;
  }

  run(job: AnalyseJob): Promise<AnalyseResult> {
    return new Promise((resolve) => {
      if (this.closed) return resolve({ crashed: 'the analysis pool was closed' });
      // Every worker kept dying (see failed() in spawn): later files get the text-level checks, never a wait.
      if (!this.slots.length) return resolve({ crashed: 'analysis workers kept failing; not analysed' });
      this.queue.push({ job, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve({ crashed: 'the analysis pool was closed' });
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.busy) {
          clearTimeout(s.busy.timer);
          s.busy.resolve({ crashed: 'the analysis pool was closed' });
          s.busy = undefined;
        }
        await s.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(this.script.script, {
      eval: this.script.eval,
      workerData: { source: this.source, limits: this.limits },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: Math.min(32, this.heapMb) },
    });
    const slot: Slot = { worker, fail: (why) => failed(why) };
    worker.on('message', (msg: { file?: SourceFile; diagnostics: Diagnostic[] }) => {
      if (!slot.busy) return;
      const { resolve, timer } = slot.busy;
      clearTimeout(timer);
      slot.busy = undefined;
      resolve({ file: msg.file, diagnostics: msg.diagnostics });
      this.pump();
    });
    let dead = false;
    const failed = (why: string): void => {
      if (dead) return;
      dead = true;
      if (slot.busy) {
        clearTimeout(slot.busy.timer);
        slot.busy.resolve({ crashed: why });
        slot.busy = undefined;
      }
      if (this.closed) return;
      void worker.terminate();
      // A file that kills its worker is reported and the worker replaced; a pool that keeps dying is abandoned and
      // the rest of its queue is reported the same way (the index then analyses nothing more in workers).
      const i = this.slots.indexOf(slot);
      if (this.respawns++ < 16) {
        this.slots[i] = this.spawn();
        this.pump();
      } else {
        this.slots.splice(i, 1);
        if (!this.slots.length) for (const p of this.queue.splice(0)) p.resolve({ crashed: why });
      }
    };
    worker.on('error', (err: Error & { code?: string }) => failed(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `analysis ran out of its ${this.heapMb} MB memory budget` : `analysis worker failed: ${err.message.slice(0, 200)}`));
    worker.on('exit', (code) => failed(`analysis worker exited with code ${code}`));
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || !this.queue.length) continue;
      const next = this.queue.shift()!;
      // The analysis stops itself at maxAnalysisMsPerFile; the parser has no such check, so a worker that does not
      // answer well past it is stopped from outside.
      const ms = this.answerMs;
      const timer = setTimeout(() => slot.fail(`no answer from the analysis after ${ms} ms`), ms);
      slot.busy = { ...next, timer };
      slot.worker.postMessage(next.job);
    }
  }
}
