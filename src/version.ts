/** lurescan's version, from package.json. Its own module so that `lurescan --version` loads nothing else. */
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
export const VERSION: string = pkg.version;
