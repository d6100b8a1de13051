/** The analysis worker's script (the library's, and the CLI bundle's through build/bundle/source-worker.js). */
import { serveAnalysis } from './source-serve.js';

serveAnalysis();
