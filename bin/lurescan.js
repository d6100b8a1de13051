#!/usr/bin/env node
// The installed command. All logic lives in build/cli/main.js; this file only wires the process to it. It loads the
// bundle of it (build/bundle/, scripts/build-cli.mjs: the same code in a few files, so start-up costs half the CPU)
// when the build made one.
import { existsSync } from 'node:fs';
import v8 from 'node:v8';

// A scan runs large hot functions (the parser, the analysers) for a second or two: V8's default tiering optimises them
// early and often re-optimises, and that compilation showed up as 15–25 % of a scan's CPU. Letting functions run eight
// times longer before tiering up costs no wall time on a short scan and cuts CPU by that much (docs/BENCHMARKS.md,
// issue 19: four times was the first step; eight took another ~7 % on Node 20, sixteen gave more wall time and no less
// CPU; on Node 24 four and eight measure the same). Set before any of lurescan's code is loaded, so that all of it runs
// under it.
v8.setFlagsFromString('--interrupt-budget=540672');

const bundled = new URL('../build/bundle/lurescan.js', import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : '../build/cli/main.js');

// `lurescan … | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// How the heap may grow is chosen by the command once it knows the tree's size (build/cli/heap.js).

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stdout.isTTY && !!process.stderr.isTTY,
  env: process.env,
});
process.exitCode = code;
