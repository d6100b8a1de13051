/** Where a registry finding points: the dependency's line in the scanned tree, or the package's own manifest. */
import type { Location } from '../types.js';
import type { PackageFacts } from './facts.js';

export function factLocation(f: PackageFacts): Location {
  if (f.where) return { file: f.where.file, line: f.where.line, snippet: `${f.name}${f.version ? `@${f.version}` : ''}` };
  return { file: 'package.json', line: 1, snippet: `${f.name}${f.version ? `@${f.version}` : ''}` };
}

export function label(f: PackageFacts): string {
  return `${f.name}${f.version ? `@${f.version}` : ''}`;
}
