/**
 * What the CLI's bundle (scripts/build-cli.mjs, build/bundle/lurescan.cjs) exports to the scripts that load it:
 * bin/lurescan.js runs `main`; the bundle's analysis-worker script runs `serveAnalysis` on a worker thread; the code
 * cache calls `defaultHeapFlags` before it writes (src/cli/code-cache.ts). The worker side is imported when asked for,
 * so a command that starts no worker does not load the analysis with it (src/cli/main.ts, start-up).
 */
export { main } from './main.js';
export { defaultHeapFlags } from './heap.js';

export async function serveAnalysis(): Promise<void> {
  (await import('../analysis/source-serve.js')).serveAnalysis();
}
