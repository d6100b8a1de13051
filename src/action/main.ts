/** The bundle's entry (dist/index.js): nothing but run(). */
import { run } from './run.js';

void run();
