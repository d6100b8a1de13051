/**
 * An npm package by name: resolve the version `npm install` would pick, download that exact tarball, verify it
 * against the integrity the registry published, and read it in memory through the archive reader with all its caps.
 * Nothing is installed or extracted.
 */
import type { Limits } from '../options.js';
import { fetchPackument, fetchTarball, parseSpec, resolveVersion } from '../registry/client.js';
import type { RegistryOptions } from '../registry/config.js';
import { factsFromPackument, type RegistryFacts } from '../registry/facts.js';
import { securityHoldingNames } from '../registry/online.js';
import { acquireArchiveBuffer } from './archive.js';
import type { BaseWorkspace } from './workspace.js';
import { redactCredentialShapes } from '../secrets/shape.js';

export async function acquireNpm(spec: string, registry: RegistryOptions, limits: Limits): Promise<{ workspace: BaseWorkspace; facts: RegistryFacts }> {
  const parsed = parseSpec(spec);
  const packument = await fetchPackument(parsed.name, registry, limits.maxPackumentBytes);
  const version = resolveVersion(packument, parsed);
  const tarball = await fetchTarball(parsed.name, version, packument, registry, limits.maxTarballBytes);
  const workspace = await acquireArchiveBuffer(tarball.data, `${parsed.name}@${version}`, limits);
  Object.assign(workspace.provenance, { source: `npm:${parsed.name}@${version}`, url: tarball.url, ref: parsed.requested, integrity: tarball.integrity });
  const shown = redactCredentialShapes(registry.registry);
  const facts = factsFromPackument(packument, version, shown, securityHoldingNames());
  return { workspace, facts: { registry: shown, asOf: new Date().toISOString(), packages: [facts] } };
}
