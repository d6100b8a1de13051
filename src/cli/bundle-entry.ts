/**
 * What the CLI's bundle (scripts/build-cli.mjs, build/bundle/lurescan.cjs) exports to bin/lurescan.js: the command,
 * and `defaultHeapFlags`, which the code cache calls before it writes (src/cli/code-cache.ts).
 */
export { main } from './main.js';
export { defaultHeapFlags } from './heap.js';
