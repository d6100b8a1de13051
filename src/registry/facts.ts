/**
 * What the registry knows about a package version, reduced to plain facts (THREATS T18). Pure functions of a
 * packument, so rules can be tested on recorded facts and nothing here touches the network.
 */
import semver from 'semver';

export interface PackageFacts {
  name: string;
  /** The version the facts are about, when one was resolved. */
  version?: string;
  /** False when the registry answered 404: anyone can publish the name (dependency confusion). */
  exists: boolean;
  /** Why facts are missing, when the registry could not be asked. */
  error?: string;
  /** ISO dates. */
  packageCreated?: string;
  versionPublished?: string;
  versionCount?: number;
  latest?: string;
  deprecated?: string;
  /** Maintainers of this version and of the previous one (npm user names). */
  maintainers?: string[];
  previousVersion?: string;
  previousMaintainers?: string[];
  /** Lifecycle scripts of this version and of the previous one. */
  installScripts?: Record<string, string>;
  previousInstallScripts?: Record<string, string>;
  repository?: string;
  previousRepository?: string;
  /** Provenance attestations on this version / on the previous one. */
  provenance?: boolean;
  previousProvenance?: boolean;
  /** npm replaced the package with a security holding version (removed for malware). */
  securityHolding?: boolean;
  /**
   * The registry does not serve the package (404, or a 401/403 with no credentials sent) although the scanned tree
   * shows versions of it were published: a lockfile entry with integrity, or a range whose lower bound is above 0.
   * Registries remove malware, so this is not the unclaimed name of dependency confusion.
   */
  removed?: boolean;
  /** Why the tree says versions were published (for `removed`). */
  publishedEvidence?: string;
  /** What the registry answered, in its own words (`HTTP 404: "not found"`). */
  registryAnswer?: string;
  /** Where the facts came from: the registry URL. */
  registry?: string;
  /** Where the package is referenced in the scanned tree (for repository scans). */
  where?: { file: string; line?: number };
}

export interface RegistryFacts {
  registry: string;
  /** ISO date the facts were read (or recorded, for snapshots). */
  asOf: string;
  packages: PackageFacts[];
}

const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];

type Packument = {
  name?: string;
  'dist-tags'?: Record<string, string>;
  versions?: Record<string, VersionDoc>;
  time?: Record<string, string>;
};
type VersionDoc = {
  scripts?: Record<string, unknown>;
  maintainers?: { name?: string }[];
  _npmUser?: { name?: string };
  deprecated?: unknown;
  repository?: unknown;
  dist?: { attestations?: unknown; tarball?: string; integrity?: string; shasum?: string };
};

function scriptsOf(v: VersionDoc | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of INSTALL_HOOKS) {
    const s = v?.scripts?.[k];
    if (typeof s === 'string') out[k] = s;
  }
  return out;
}

function repoOf(v: VersionDoc | undefined): string | undefined {
  const r = v?.repository;
  const url = typeof r === 'string' ? r : r && typeof r === 'object' && typeof (r as { url?: unknown }).url === 'string' ? (r as { url: string }).url : undefined;
  return url ? normaliseRepo(url) : undefined;
}

/** github:a/b, git+https://github.com/a/b.git and https://github.com/a/b compare equal. */
export function normaliseRepo(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^github:/, 'github.com/')
    .replace(/^git\+/, '')
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^git@([^:]+):/, '$1/')
    .replace(/^[^@/]+@/, '')
    .replace(/\.git$/, '')
    .replace(/\/$/, '');
}

/** Maintainers recorded on a version, plus the user who published it (npmjs records both; some registries neither). */
function maintainersOf(v: VersionDoc | undefined): string[] | undefined {
  const list = Array.isArray(v?.maintainers) ? v.maintainers : [];
  const names = new Set(list.map((m) => m?.name).filter((n): n is string => typeof n === 'string'));
  if (typeof v?._npmUser?.name === 'string') names.add(v._npmUser.name);
  return names.size ? [...names].sort() : undefined;
}

/** The published version immediately before `version` (by semver order, ignoring prereleases of other lines). */
export function previousVersionOf(versions: string[], version: string): string | undefined {
  const sorted = versions.filter((v) => semver.valid(v)).sort(semver.compare);
  const i = sorted.indexOf(version);
  return i > 0 ? sorted[i - 1] : undefined;
}

export function factsFromPackument(packument: Packument, version: string | undefined, registry: string, holdingNames: ReadonlySet<string>): PackageFacts {
  const name = packument.name ?? '';
  const versions = Object.keys(packument.versions ?? {});
  const v = version ? packument.versions?.[version] : undefined;
  const prevVersion = version ? previousVersionOf(versions, version) : undefined;
  const prev = prevVersion ? packument.versions?.[prevVersion] : undefined;
  const latest = packument['dist-tags']?.latest;
  return {
    name,
    version,
    exists: true,
    registry,
    packageCreated: packument.time?.created,
    versionPublished: version ? packument.time?.[version] : undefined,
    versionCount: versions.length,
    latest,
    deprecated: typeof v?.deprecated === 'string' ? v.deprecated : undefined,
    maintainers: maintainersOf(v),
    previousVersion: prevVersion,
    previousMaintainers: maintainersOf(prev),
    installScripts: v ? scriptsOf(v) : undefined,
    previousInstallScripts: prev ? scriptsOf(prev) : undefined,
    repository: repoOf(v),
    previousRepository: repoOf(prev),
    provenance: v ? !!v.dist?.attestations : undefined,
    previousProvenance: prev ? !!prev.dist?.attestations : undefined,
    securityHolding: (latest !== undefined && /-security$/.test(latest)) || (version !== undefined && /^0\.0\.1-security/.test(version)) || holdingNames.has(name),
  };
}

export function missingPackageFacts(name: string, registry: string): PackageFacts {
  return { name, exists: false, registry };
}

/** Days between two ISO dates (a − b). */
export function daysBetween(a: string, b: string): number {
  return (Date.parse(a) - Date.parse(b)) / 86_400_000;
}
