/** The analysis worker's script when lurescan runs from its modules (the CLI bundle has its own, scripts/build-cli.mjs). */
import { serveAnalysis } from './source-serve.js';

serveAnalysis();
