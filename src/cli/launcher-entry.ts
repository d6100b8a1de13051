/**
 * What bin/lurescan.cjs needs before the CLI's bundle loads: the tiering flags and the code cache. scripts/build-cli.mjs
 * bundles it into build/bundle/launcher.cjs, a CommonJS file, so that the command starts without Node's ES module
 * loader (an ES module entry cost ~10 ms more CPU per run than a CommonJS one: docs/BENCHMARKS.md, the ninth round of
 * issue 19).
 */
export { tierUpLater } from './tiering.js';
export { codeCacheFor, loadBundle } from './code-cache.js';
