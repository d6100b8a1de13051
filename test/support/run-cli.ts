/**
 * The CLI as a real process without a build step: exactly what bin/lurescan.cjs does, importing the TypeScript
 * sources through tsx. Tests that must kill a scan mid-run, or read its stdout and stderr, spawn this.
 */
import { main } from '../../src/cli/main.js';

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stdout.isTTY && !!process.stderr.isTTY,
  env: process.env,
});
process.exitCode = code;
