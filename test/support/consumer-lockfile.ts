/**
 * A package-lock.json for a consumer of the packed tarball, made from the project's own lockfile: the tarball, the
 * packages the published package depends on (the entries the project's lockfile does not mark `dev`) and the extra
 * packages a test names (typescript), each at the version and integrity the project's lockfile pins. `npm ci
 * --prefer-offline` then installs exactly those: from the npm cache that the project's own `npm ci` filled, or from
 * the registry when the cache is empty — never whatever a cache happens to hold, and never a version the project did
 * not test with.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface LockEntry {
  version?: string;
  dev?: boolean;
  [key: string]: unknown;
}

export interface Consumer {
  packageJson: Record<string, unknown>;
  packageLock: Record<string, unknown>;
}

/**
 * `tarball` is the path of the packed lurescan relative to the consumer's folder; `extra` names top-level packages of
 * the project's lockfile (devDependencies included) that the consumer installs beside it.
 */
export function consumerOf(root: string, tarball: string, tarballBytes: Buffer, extra: readonly string[] = []): Consumer {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const spec = `file:${tarball}`;
  const dependencies: Record<string, string> = { [String(manifest.name)]: spec };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies },
    [`node_modules/${String(manifest.name)}`]: {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(tarballBytes).digest('base64')}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [key, entry] of Object.entries(lock.packages)) if (key && !entry.dev) packages[key] = entry;
  for (const name of extra) {
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry?.version) throw new Error(`${name} is not a top-level package of package-lock.json`);
    const { dev: _dev, ...rest } = entry;
    if (rest.dependencies) throw new Error(`${name} has dependencies; copy its subtree too`);
    packages[`node_modules/${name}`] = rest;
    dependencies[name] = entry.version;
  }
  return {
    packageJson: { name: 'consumer', private: true, type: 'module', dependencies },
    packageLock: { name: 'consumer', lockfileVersion: 3, requires: true, packages },
  };
}
