/**
 * ScanOptions and every default and cap in one place. Nothing else in the library picks a number.
 */
import type { Package, Verdict } from './types.js';
import type { Rule } from './rules/define-rule.js';
import type { RegistryConfigInput } from './registry/config.js';
import type { RegistryFacts } from './registry/facts.js';

export interface Limits {
  /** Largest file read whole, bytes. Larger files are reported, not read. */
  maxFileBytes: number;
  /** Total bytes read per scan. */
  maxTotalBytes: number;
  /** Files visited per scan. */
  maxFiles: number;
  /** Directory depth below the root. */
  maxDepth: number;
  /** Archive entries, counted over the scanned archive and every archive nested in the scan. */
  maxArchiveEntries: number;
  /** Total uncompressed bytes of an archive, counted over the scanned archive and every archive nested in the scan. */
  maxArchiveBytes: number;
  /**
   * Largest compression ratio accepted for an archive entry. For an entry of a nested archive the ratios of every
   * level multiply (a zip of zips of zeros is refused when the product is over the cap).
   */
  maxCompressionRatio: number;
  /**
   * Archives inside the scanned tree (a `.zip`, `.tar` or `.tar.gz` in a repository, or inside the archive scanned)
   * are expanded this many levels deep; an archive below that is reported, not read. maxArchiveEntries and
   * maxArchiveBytes count every level together.
   */
  maxArchiveDepth: number;
  /** Git: wall-clock time for the fetch, ms. */
  gitTimeoutMs: number;
  /** Git: largest object store after fetch, bytes. */
  maxGitBytes: number;
  /**
   * Registry: largest packument (a package's metadata document) read, bytes, counted after decompression. A bigger
   * answer — declared or streamed without a content-length — is cut off at the cap and the look-up fails.
   */
  maxPackumentBytes: number;
  /** Registry: largest package tarball downloaded, bytes (compressed, as served); cut off at the cap. */
  maxTarballBytes: number;
  /** Git: largest commit object read for its author/committer lines (T19 context), bytes. */
  maxCommitObjectBytes: number;
  /** Nested decode depth (base64 inside hex inside …); the decoders in src/analysis/decode.ts default to it. */
  maxDecodeDepth: number;
  /** Whole scan, ms. Past it, remaining work is skipped with a diagnostic. */
  maxScanMs: number;
  /** Time one rule may spend on one scan, ms. */
  maxRuleMs: number;
  /** Source analysis: largest JS/TS/Python file parsed, characters. Larger files get the text-level fallback. */
  maxParseChars: number;
  /** Source analysis: time to parse and analyse one file, ms. Past it, the file gets the text-level fallback. */
  maxAnalysisMsPerFile: number;
  /** Source analysis: files parsed per scan (after the prefilter). */
  maxParsedFiles: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFileBytes: 8 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxFiles: 200_000,
  maxDepth: 64,
  maxArchiveEntries: 50_000,
  maxArchiveBytes: 512 * 1024 * 1024,
  maxCompressionRatio: 200,
  maxArchiveDepth: 2,
  gitTimeoutMs: 120_000,
  maxGitBytes: 512 * 1024 * 1024,
  maxPackumentBytes: 64 * 1024 * 1024,
  maxTarballBytes: 128 * 1024 * 1024,
  maxCommitObjectBytes: 64 * 1024,
  maxDecodeDepth: 3,
  maxScanMs: 10 * 60_000,
  maxRuleMs: 60_000,
  maxParseChars: 2 * 1024 * 1024,
  maxAnalysisMsPerFile: 3_000,
  maxParsedFiles: 20_000,
});

export type FailOn = Verdict | 'never';

export interface ScanOptions {
  /** Git ref (branch, tag or commit) for git targets. */
  ref?: string;
  limits?: Partial<Limits>;
  /** Rule ids to run exclusively. */
  rules?: string[];
  /**
   * An organisation's own rules, run after the built-in ones. Each needs a unique kebab-case id; findings carry it
   * as their ruleId and take part in the verdict like any other.
   */
  extraRules?: readonly Rule[];
  /** Rule ids to skip. */
  excludeRules?: string[];
  /** Called with progress events for long scans; the library never prints. */
  onProgress?: (event: ProgressEvent) => void;
  /** Directory for temporary files (archives, git object stores); default the OS temp dir. */
  tempDir?: string;
  /** Folder of the OSV import written by `lurescan signatures update`, merged with the bundled signatures; unset = bundled only. */
  signatureCacheDir?: string;
  /** Registry settings (.npmrc texts, npm_config_* variables, --registry) for npm targets and --online. */
  registry?: RegistryConfigInput;
  /** Look up dependencies on the registry (off by default: it tells the registry what a private repo uses). */
  online?: boolean;
  /** With online: transitive lockfile entries too, not only direct dependencies. */
  deep?: boolean;
  /** Where online look-ups are cached; no cache when unset. */
  cacheDir?: string;
  /** Registry facts recorded earlier (a snapshot), used instead of asking the registry. */
  registryFacts?: RegistryFacts;
  /**
   * Folder where the analysis of each source file is kept by content (see docs/architecture.md, "Result cache"), so
   * that a later scan of the same bytes on this machine does not parse them again; unset = no cache. The CLI passes
   * `~/.cache/lurescan/analysis` unless `--no-cache`.
   */
  analysisCacheDir?: string;
  /** Largest size of that folder, bytes (default 512 MiB); past it, the least recently used entries are deleted. */
  analysisCacheMaxBytes?: number;
  /**
   * Fetch and scan the tarball of every npm dependency the target would install (direct ones; with `deep`, every
   * lockfile entry too) and report their findings with the target's. Implies `online`. Off by default.
   */
  deps?: boolean;
  /** With deps: only dependencies this returns true for are fetched (the Action's diff mode: those a change adds). */
  depsOnly?: (pkg: Package) => boolean;
  /** With deps: caps and the popular-package skip. */
  depsLimits?: Partial<DepsLimits>;
}

/** Budgets of a `deps` scan. A cap reached makes the result incomplete, never silently partial. */
export interface DepsLimits {
  /** Tarballs fetched at once. */
  concurrency: number;
  /** Tarballs scanned at once. */
  scanConcurrency: number;
  /** Total tarball bytes (downloaded and cached) per scan. */
  maxBytes: number;
  /** Wall-clock time for fetching and scanning dependencies, ms. */
  maxMs: number;
  /** A version of a popular package published more than this many days before the scan is not downloaded. */
  establishedDays: number;
}

export const DEFAULT_DEPS_LIMITS: Readonly<DepsLimits> = Object.freeze({
  concurrency: 8,
  scanConcurrency: 2,
  maxBytes: 256 * 1024 * 1024,
  maxMs: 5 * 60_000,
  establishedDays: 30,
});

/** The analysis result cache: its default size bound. */
export const ANALYSIS_CACHE_DEFAULTS = Object.freeze({ maxBytes: 512 * 1024 * 1024 });

/** Online look-ups: parallel requests, and how long a cached packument is trusted. */
export const REGISTRY_DEFAULTS = Object.freeze({ concurrency: 8, cacheTtlMs: 24 * 3_600_000, newPackageDays: 30, fewVersions: 2 });

export interface ProgressEvent {
  phase: 'acquire' | 'inventory' | 'rules' | 'dependencies' | 'done';
  done?: number;
  total?: number;
  /**
   * The size of the tree's files in bytes, with `total` its number of entries: for the inventory, the whole tree (with
   * the archives inside it expanded); while a folder is listed (phase `acquire`), what the walk has listed so far.
   */
  bytes?: number;
  message?: string;
}

export interface ResolvedOptions {
  ref?: string;
  limits: Limits;
  rules?: Set<string>;
  excludeRules: Set<string>;
  onProgress: (event: ProgressEvent) => void;
  tempDir?: string;
}

export function resolveOptions(options: ScanOptions = {}): ResolvedOptions {
  return {
    ref: options.ref,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    rules: options.rules ? new Set(options.rules) : undefined,
    excludeRules: new Set(options.excludeRules ?? []),
    onProgress: options.onProgress ?? (() => {}),
    tempDir: options.tempDir,
  };
}

/** CLI default: warn still exits 0. */
export const DEFAULT_FAIL_ON: FailOn = 'block';

/** scanMany: targets scanned at once. */
export const DEFAULT_SCAN_MANY_CONCURRENCY = 4;

/** `lurescan org`: defaults for scanning every repository of an organisation. */
export interface OrgLimits {
  /** Repositories scanned at once. */
  concurrency: number;
  /** Attempts per repository before it is reported as `error`. */
  attempts: number;
  /** Back-off before the second attempt, ms; doubles each time. */
  retryBaseMs: number;
}

export const DEFAULT_ORG_LIMITS: Readonly<OrgLimits> = Object.freeze({
  concurrency: 8,
  attempts: 3,
  retryBaseMs: 2_000,
});
