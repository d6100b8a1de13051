/**
 * An npm package by name: resolve the version `npm install` would pick, download that exact tarball, verify it
 * against the integrity the registry published, and read it in memory through the archive reader with all its caps.
 * Nothing is installed or extracted.
 *
 * A package the registry no longer serves (404, a 401/403 with no credentials sent, or no published version matching)
 * is still judged when the signatures know it: the scan then has no files, only the requested package, so the
 * known-malicious rule reports its record and the verdict is what that record says. A name the signatures do not
 * know keeps the registry's error.
 */
import type { Limits } from '../options.js';
import type { Package } from '../types.js';
import { fetchPackument, fetchTarball, parseSpec, RegistryError, resolveVersion } from '../registry/client.js';
import type { RegistryOptions } from '../registry/config.js';
import { factsFromPackument, type RegistryFacts } from '../registry/facts.js';
import { securityHoldingNames } from '../registry/online.js';
import { acquireArchiveBuffer } from './archive.js';
import { BaseWorkspace } from './workspace.js';
import { redactCredentialShapes } from '../secrets/shape.js';

/** Errors that mean "the registry will not hand this package over", as opposed to "the registry could not be asked". */
const UNSERVED = new Set(['not-found', 'refused', 'no-matching-version']);

export interface NpmAcquired {
  workspace: BaseWorkspace;
  facts: RegistryFacts;
  /** Set when the registry did not serve the package: the package asked for, for the rules to judge by name. */
  requested?: Package;
}

export async function acquireNpm(spec: string, registry: RegistryOptions, limits: Limits, knownMalicious?: (name: string, requested: string) => boolean): Promise<NpmAcquired> {
  const parsed = parseSpec(spec);
  let version: string;
  let packument;
  try {
    packument = await fetchPackument(parsed.name, registry, limits.maxPackumentBytes);
    version = resolveVersion(packument, parsed);
  } catch (err) {
    if (err instanceof RegistryError && UNSERVED.has(err.code) && knownMalicious?.(parsed.name, parsed.requested)) return unserved(parsed.name, parsed.requested, err, registry, limits);
    throw err;
  }
  let tarball;
  try {
    tarball = await fetchTarball(parsed.name, version, packument, registry, limits.maxTarballBytes);
  } catch (err) {
    if (err instanceof RegistryError && UNSERVED.has(err.code) && knownMalicious?.(parsed.name, version)) return unserved(parsed.name, version, err, registry, limits);
    throw err;
  }
  const workspace = await acquireArchiveBuffer(tarball.data, `${parsed.name}@${version}`, limits);
  Object.assign(workspace.provenance, { source: `npm:${parsed.name}@${version}`, url: tarball.url, ref: parsed.requested, integrity: tarball.integrity });
  const shown = redactCredentialShapes(registry.registry);
  const facts = factsFromPackument(packument, version, shown, securityHoldingNames());
  return { workspace, facts: { registry: shown, asOf: new Date().toISOString(), packages: [facts] } };
}

function unserved(name: string, requested: string, err: RegistryError, registry: RegistryOptions, limits: Limits): NpmAcquired {
  const id = `${name}@${requested}`;
  const workspace = new BaseWorkspace(`npm:${id}`, { source: `npm:${id}`, ref: requested }, [], { ...limits }, [
    {
      code: 'registry-unserved',
      message: `${err.message}; the package's code could not be read, so it is judged by the signatures only`,
      incomplete: true,
    },
  ]);
  const exact = /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(requested);
  const requestedPkg: Package = {
    ecosystem: 'npm',
    name,
    ...(exact ? { version: requested } : { spec: requested === 'latest' ? undefined : requested }),
    direct: false,
    where: { file: id, snippet: `lurescan package ${id}` },
    source: 'npm/requested',
  };
  return { workspace, facts: { registry: redactCredentialShapes(registry.registry), asOf: new Date().toISOString(), packages: [] }, requested: requestedPkg };
}
