/** The bundle's entry (dist/index.js): nothing but run(), with the V8 tiering the CLI uses (bin/lurescan.js says why). */
import v8 from 'node:v8';
import { run } from './run.js';

v8.setFlagsFromString('--interrupt-budget=270336');
void run();
