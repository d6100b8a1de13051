#!/usr/bin/env node
// The installed command. All logic lives in build/cli/main.js; this file only wires the process to it.
import { main } from '../build/cli/main.js';

// `lurescan … | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stdout.isTTY && !!process.stderr.isTTY,
  env: process.env,
});
process.exitCode = code;
