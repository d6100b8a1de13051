/**
 * npm aliases: a dependency spec `npm:<name>[@<range>]` installs <name> under another name (`"lodash":
 * "npm:is-buffer-validator@^1"` puts is-buffer-validator in node_modules/lodash). npm, yarn, pnpm and bun write the same
 * form in manifests and in lockfile descriptors; each parser records the package that is installed as the name.
 */

/** "npm:is-buffer-validator@^1" → { name: 'is-buffer-validator', range: '^1' }; "npm:@s/x" → { name: '@s/x', range: '' }; else undefined. */
export function npmAlias(spec: string): { name: string; range: string } | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const rest = spec.slice(4).trim();
  const at = rest.indexOf('@', 1);
  const name = at < 0 ? rest : rest.slice(0, at);
  if (!name || name === '@' || /\s/.test(name)) return undefined;
  return { name, range: at < 0 ? '' : rest.slice(at + 1) };
}
