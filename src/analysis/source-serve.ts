/**
 * The worker side of source-pool.ts: parses and analyses one file per message with the same analyseFile the
 * in-thread path uses, and answers with the facts (without the text, which the main thread already holds). Started by
 * source-worker.ts, the worker's script (the CLI bundle's worker script imports it too: scripts/build-cli.mjs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Diagnostic } from '../types.js';
import type { Limits } from '../options.js';
import type { Signatures, SourcePatterns } from '../signatures/types.js';
import { analyseFile } from './source-index.js';
import type { AnalyseJob } from './source-pool.js';

/** Answer the pool's jobs on this worker thread's port (nothing to do on the main thread, which has none). */
export function serveAnalysis(): void {
  if (!parentPort) return;
  const port = parentPort;
  const { source, limits } = workerData as { source: SourcePatterns; limits: Limits };
  // The analysis reads only the source patterns of the signatures.
  const sigs = { source } as Signatures;
  port.on('message', (job: AnalyseJob) => {
    const diagnostics: Diagnostic[] = [];
    const file = analyseFile(job.path, job.text, sigs, limits, diagnostics, true, job.as);
    if (file) file.text = '';
    port.postMessage({ file, diagnostics });
  });
}
