#!/usr/bin/env node
// The installed command. All logic lives in build/cli/main.js; this file only wires the process to it. It loads the
// bundle of it (build/bundle/lurescan.cjs, scripts/build-cli.mjs) with V8's code cache (build/bundle/launcher.cjs) when
// the build made one, and build/cli/main.js otherwise. CommonJS on purpose: with the bundle, a run loads no ES module,
// and Node's ES module loader cost ~10 ms of CPU per run (docs/BENCHMARKS.md, the ninth round of issue 19).
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

async function start() {
  const argv = process.argv.slice(2);
  const bundle = path.join(__dirname, '..', 'build', 'bundle', 'lurescan.cjs');
  let main;
  let capYoungGeneration;
  let saveCodeCache = () => {};
  if (existsSync(bundle)) {
    const { codeCacheFor, loadBundle, tierUpLater } = require('../build/bundle/launcher.cjs');
    // Let V8 tier code up later (build/cli/tiering.js says why and how per Node version), before any of lurescan's
    // code is loaded, so that all of it runs under it.
    tierUpLater();
    const loaded = loadBundle(bundle, codeCacheFor(argv, process.env));
    ({ main, capYoungGeneration } = loaded.exports);
    saveCodeCache = loaded.save;
  } else {
    (await import('../build/cli/tiering.js')).tierUpLater();
    ({ main } = await import('../build/cli/main.js'));
    ({ capYoungGeneration } = await import('../build/cli/heap.js'));
  }
  // On Node 24 and later, keep V8's young generation at Node 20's size (build/cli/heap.js says why).
  capYoungGeneration?.();

  // `lurescan … | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }

  // How the heap may grow is chosen by the command once it knows the tree's size (build/cli/heap.js).

  const code = await main(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: !!process.stdout.isTTY && !!process.stderr.isTTY,
    env: process.env,
  });
  process.exitCode = code;
  // A run that ended in an error (exit 2: bad usage, an unwritable --output, an unreachable target) writes nothing.
  if (code !== 2) saveCodeCache();
}

start().catch((err) => {
  // What an ES module entry did with a rejected top-level await: the stack on stderr, exit 1.
  process.exitCode = 1;
  console.error(err);
});
