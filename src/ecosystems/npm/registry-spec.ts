/**
 * Whether a dependency spec is fetched from a registry: not git, file, link, workspace, portal, patch, a tarball URL,
 * an `npm:` alias or a GitHub `owner/repo` shorthand. (An alias's own package is recorded by the parsers; see alias.ts.)
 */
export function isRegistrySpec(spec: string | undefined): boolean {
  if (spec === undefined) return true;
  return !/^(?:file:|link:|workspace:|portal:|patch:|git\+|git:|github:|gitlab:|bitbucket:|https?:|npm:)|^[^@/]+\/[^@/]+$/.test(spec);
}
