/** The shape of the knowledge lurescan loads from /signatures. Rules read it; only src/signatures/ builds it. */
import type { Severity } from '../types.js';
import type { PackageDb } from './package-db.js';

export type IocType = 'domain' | 'ip' | 'ip:port' | 'url' | 'tron-address' | 'github-account';

export interface IocIndicator {
  type: IocType;
  value: string;
  context: string;
  campaign: string;
  reference: string;
}

/** A C2 URL convention (THREATS T15): matched against URLs found in commands, files and decoded strings. */
export interface UrlPattern {
  id: string;
  /** Applied to the URL without its scheme, lower-cased: host[:port]/path?query. */
  regex: string;
  severity: Severity;
  description: string;
  reference?: string;
}

export interface CommandPatterns {
  /** Commands that are ordinary at install time (husky, prisma generate, node-gyp rebuild): regexes on the whole command. */
  benignInstall: string[];
  /** Commands that start watchers or dev servers: ordinary in a folderOpen task, odd at install. */
  devServer: string[];
  /** Programs that download. */
  downloaders: string[];
  /** Programs that execute what they read on stdin. */
  shells: string[];
  /** Hosts that are free hosting or JSON paste sites, suspicious when they feed execution. */
  freeHosts: string[];
  /** Programs that fetch and run what a URL or network-share argument names (mshta, msiexec, regsvr32 …). */
  remoteRunners?: string[];
}

/** A vendor's official installer, documented as `curl … | sh` on the vendor's own host (signatures/patterns/installers.json). */
export interface VendorInstaller {
  id: string;
  vendor: string;
  /** Regexes on the URL without its scheme, lower-cased (host/path?query), anchored: the exact installer paths. */
  patterns: string[];
  /** The vendor's documentation page that gives the command: the source of the entry. */
  docs: string;
}

export interface FileMagic {
  /** Extensions (lower-case, without dot) that claim this format. */
  extensions: string[];
  format: string;
  /** Accepted leading bytes, hex. */
  magic: string[];
  /** Byte offset of the magic, default 0. */
  offset?: number;
}

export interface BinaryKinds {
  /** Extensions of prebuilt executables and bytecode that have no place in a source assignment. */
  extensions: string[];
  /** Magic numbers of native executables (ELF, PE, Mach-O), hex. */
  magic: { format: string; hex: string }[];
}

/** Knowledge for source analysis (signatures/patterns/source.json): prefilter tokens, sink names, markers. */
export interface SourcePatterns {
  /**
   * Plain substrings; a file containing none of them is not parsed. A token that starts like an identifier counts only
   * where one starts; `pythonWords` are Python tokens that also count only where the identifier ends (whole words).
   */
  prefilter: { js: string[]; python: string[]; pythonWords?: string[] };
  networkModules: string[];
  networkGlobals: string[];
  networkMethods: string[];
  childProcessFns: string[];
  vmFns: string[];
  /** PolinRider build-config payload markers. */
  polinriderMarkers: string[];
  /** Blockchain RPC / explorer hosts used as C2 dead drops from build configs. */
  blockchainRpcHosts: string[];
  secretHeaders: string[];
  /** Regexes on the path of build/config and app-entry files. */
  configFiles: string[];
  /** Regexes on the path of vendored, bundled or generated output. */
  bundlePaths: string[];
  /** Substrings in the first bytes of bundler output. */
  bundleMarkers: string[];
  walletExtensions: { id: string; name: string }[];
  browserProfileMarkers: string[];
  uploadMarkers: string[];
  pythonHiddenPaths: string[];
}

/** ClickFix pages (signatures/patterns/clickfix.json): case-insensitive regexes on text with whitespace collapsed. */
export interface ClickFixPatterns {
  /** Telling the visitor to open the Run dialog or a terminal (`Win + R`, `open Terminal`). */
  openRun: string[];
  /** The paste keystroke (`Ctrl + V`, `⌘ + V`). */
  paste: string[];
  /** Fake human verification (`verify you are human`, `I'm not a robot`, `Verification ID`). */
  verification: string[];
}

export interface Signatures {
  version: string;
  iocs: IocIndicator[];
  urlPatterns: UrlPattern[];
  commands: CommandPatterns;
  /** Official installers piped into a shell as their vendors document (uv, pnpm, rustup, Docker's get script …). */
  installers: VendorInstaller[];
  fileMagic: FileMagic[];
  binaries: BinaryKinds;
  source: SourcePatterns;
  clickfix: ClickFixPatterns;
  /** Known-malicious packages: the bundled index plus the OSV import cached by `lurescan signatures update`. */
  packages: PackageDb;
  /** The most downloaded names per ecosystem (name → downloads a month), the reference set for typosquat checks. */
  popular: PopularNames;
}

export interface PopularNames {
  npm: ReadonlyMap<string, number>;
  /** Established npm names outside the top list that look like a popular one: never reported as look-alikes. */
  npmDistinct: ReadonlySet<string>;
  /**
   * npm's high-impact packages (1,000,000+ downloads a week or 500+ dependents; signatures/popular/npm-high-impact.txt):
   * established in their own right, so never reported as look-alikes of another popular name.
   */
  npmHighImpact: ReadonlySet<string>;
}
