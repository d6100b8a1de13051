#!/usr/bin/env node
// The installed command. All logic lives in build/cli/main.js; this file only wires the process to it. It loads the
// bundle of it (build/bundle/, scripts/build-cli.mjs: the same code in a few files, so start-up costs half the CPU)
// when the build made one.
import { existsSync } from 'node:fs';
import { tierUpLater } from '../build/cli/tiering.js';

// Let V8 tier code up later (build/cli/tiering.js says why and how per Node version), before any of lurescan's code is
// loaded, so that all of it runs under it.
tierUpLater();

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
