/**
 * What the CLI's bundle (scripts/build-cli.mjs, build/bundle/lurescan.cjs) exports to bin/lurescan.cjs: the command,
 * `defaultHeapFlags`, which the code cache calls before it writes (src/cli/code-cache.ts), and `capYoungGeneration`,
 * which bin/lurescan.cjs calls before the command runs.
 */
export { main } from './main.js';
export { capYoungGeneration, defaultHeapFlags } from './heap.js';
