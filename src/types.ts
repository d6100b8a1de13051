/**
 * The vocabulary of lurescan. Read this file first: every other module speaks in these types.
 */

/** How bad a finding is if it is true. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
/** How sure the rule is that the finding is true. */
export type Confidence = 'high' | 'medium' | 'low';
/** block: do not open, install or run. warn: review by hand first. pass: nothing that needs a person. */
export type Verdict = 'block' | 'warn' | 'pass';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const VERDICTS: readonly Verdict[] = ['block', 'warn', 'pass'];

/** What to scan. Building a target does no I/O. */
export type ScanTarget =
  | { kind: 'path'; path: string }
  | {
      kind: 'git';
      url: string;
      ref?: string;
      allowFileProtocol?: boolean;
      /** HTTP Authorization header value for http(s) fetches; handed to git through its environment, never argv. */
      authorization?: string;
    }
  | { kind: 'archive'; path: string }
  | { kind: 'npm'; spec: string; registry?: string };

/** Where the scanned bytes came from, so a report can be tied to exactly what was read. */
export interface Provenance {
  /** A git URL, an archive path or a folder path, as given. */
  source: string;
  url?: string;
  ref?: string;
  commit?: string;
  /** sha256 of the archive file, hex. */
  archiveSha256?: string;
  /** Subresource-integrity string the registry published for a package tarball (verified before scanning). */
  integrity?: string;
  /** Git: the UTC offsets written in the commit's author and committer lines (e.g. '+0900'). T19 context. */
  commitTimezones?: { author?: string; committer?: string };
}

export type FileKind = 'file' | 'symlink' | 'other';

/** One entry of a scanned tree. Reads are lazy and bounded by the workspace's limits. */
export interface WorkspaceFile {
  /** Path relative to the workspace root, always with forward slashes. */
  readonly path: string;
  readonly size: number;
  readonly kind: FileKind;
  /** For symlinks: the link text, never followed. */
  readonly linkTarget?: string;
  /** Git file mode where known (e.g. '100755'). */
  readonly mode?: string;
  /**
   * Set when the entry comes from an archive found inside the scanned tree: the path of that outermost archive
   * (`assets/setup.zip` for `assets/setup.zip!/install.js`). Unset for the tree's own files.
   */
  readonly container?: string;
  /**
   * Set when the entry is another entry presented at the path it takes: through a link (`.vscode -> config/editor`
   * presents `config/editor/tasks.json` as `.vscode/tasks.json`) or under the name an extractor or a platform gives it
   * (`.VSCode/Tasks.json` on macOS and Windows, `.vscode./tasks.json` on Windows). Its bytes are that entry's.
   */
  readonly alias?: WorkspaceAlias;
  /**
   * The file's bytes, or undefined when the file is over the size limit or unreadable (a diagnostic says why).
   * Typed `Uint8Array` so that the published types need no `@types/node`; at run time it is a Node `Buffer`.
   */
  bytes(): Promise<Uint8Array | undefined>;
  /** The file decoded as UTF-8 (BOM removed, UTF-16 with BOM decoded), or undefined when bytes() is. */
  text(): Promise<string | undefined>;
}

/** How a workspace entry came to be presented at a path it is not stored under (see {@link WorkspaceFile.alias}). */
export interface WorkspaceAlias {
  /** The path of the entry whose content this is: the link's target, or the name as stored. */
  of: string;
  /** `link` (a symlink or an archive hard link), `name` (the name as an extractor or a case-insensitive platform reads it). */
  how: 'link' | 'name';
  /** One sentence for evidence: why the content is at this path. */
  note: string;
  /** For `link`: the path of the link that presents it (a change to the link changes what is at this path). */
  link?: string;
}

/** A read-only file tree plus where it came from. */
export interface Workspace {
  readonly root: string;
  readonly provenance: Provenance;
  readonly files: readonly WorkspaceFile[];
  /** Problems met while acquiring: skipped entries, caps reached. */
  readonly diagnostics: Diagnostic[];
  get(path: string): WorkspaceFile | undefined;
  dispose(): Promise<void>;
}

export interface Location {
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** The offending line or a short excerpt, trimmed to a bounded length. */
  snippet?: string;
  /**
   * When `file` is inside an archive found in the scanned tree (`assets/setup.zip!/install.js`): the path of the
   * outermost archive (`assets/setup.zip`), the file a consumer that can only point at real files (SARIF, GitHub
   * annotations, diff mode) points at instead. Set by the engine from {@link WorkspaceFile.container}.
   */
  container?: string;
  /**
   * The line of `container` that brought the file in, where there is one: for a file of an npm dependency scanned with
   * `--deps` (`node_modules/x/index.js`, container `package.json`), the manifest or lockfile line that names the package.
   */
  containerLine?: number;
}

/** One piece of evidence: a decoded string, a matched indicator, a step of a chain. */
export interface Evidence {
  kind: 'command' | 'decoded' | 'indicator' | 'chain' | 'trait' | 'file' | 'package' | 'note';
  value: string;
  location?: Location;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  location: Location;
  evidence: Evidence[];
  remediation?: string;
  /** Stable across runs and unrelated edits: rule, file and the normalised matched content. */
  fingerprint: string;
  /** Technique ids from THREATS (T01…T21). */
  techniques?: string[];
}

export interface Diagnostic {
  /** Stable code, e.g. 'file-too-large', 'parse-error', 'symlink-skipped'. */
  code: string;
  message: string;
  file?: string;
  /** True when content was left unread or unanalysed: the scan is then incomplete. */
  incomplete: boolean;
  /**
   * What to do about it, in lurescan's own words: never text from the scanned content (which goes in `message`), so
   * that reporters can render its `code` spans as code.
   */
  remediation?: string;
}

export type PackageEcosystem = 'npm' | 'PyPI';

export interface Package {
  ecosystem: PackageEcosystem;
  /** The package that gets installed: for an npm alias, the package after `npm:`, not the name it is installed under. */
  name: string;
  /**
   * The name an npm alias installs `name` under (its key in package.json, its folder in node_modules) when that differs
   * from `name`: `"lodash": "npm:is-buffer-validator@^1"` is name `is-buffer-validator`, alias `lodash`, spec `^1`.
   * Where one lockfile entry serves several aliases (yarn, pnpm), the one a direct dependency uses, else the first.
   */
  alias?: string;
  /** An exact version when locked, else the requested range/spec. */
  version?: string;
  /** The requested range of `name` (for an alias, the part after `npm:name@`). */
  spec?: string;
  direct: boolean;
  /**
   * For a direct lockfile entry, the projects that ask for it as the lockfile records them: folders relative to the
   * lockfile's folder ('.' for the root; pnpm importers, npm/bun workspace entries, yarn berry workspace locators).
   * Undefined where the format does not record which project asks (yarn v1, package-lock v1).
   */
  importers?: string[];
  scope?: 'prod' | 'dev' | 'optional' | 'peer' | 'unknown';
  resolved?: string;
  integrity?: string;
  /** The chain of names from a direct dependency down to this one, where the lockfile says. */
  path?: string[];
  where: Location;
  /** Id of the parser that produced it, e.g. 'npm/package-lock'. */
  source: string;
}

/** A command that something runs on its own: a lifecycle script, an editor task, a hook. */
export interface AutoRunCommand {
  /** What triggers it, e.g. 'npm:postinstall', 'vscode:folderOpen', 'devcontainer:initializeCommand', 'git-hook:pre-commit'. */
  trigger: string;
  /** The surface kind, used by rules to pick severities. */
  surface: 'lifecycle' | 'editor-task' | 'devcontainer' | 'git-hook' | 'npm-script';
  command: string;
  where: Location;
  /** True when the trigger fires without the user asking (install, folder open, container create, commit). */
  automatic: boolean;
  /** Extra facts, e.g. hidden presentation for tasks. */
  attributes?: Record<string, string | boolean>;
}

export interface InstallScript extends AutoRunCommand {
  surface: 'lifecycle';
  /** The package.json that declares it. */
  manifest: string;
  hook: string;
}

export interface PackageManifest {
  file: string;
  name?: string;
  version?: string;
  main?: string;
  bin: Record<string, string>;
  scripts: Record<string, { command: string; line: number }>;
  dependencies: Package[];
  workspaces: string[];
}

export interface Inventory {
  manifests: PackageManifest[];
  packages: Package[];
  installScripts: InstallScript[];
  autoRun: AutoRunCommand[];
}

export interface ScanStats {
  files: number;
  bytes: number;
  ms: number;
  rules: number;
  /** With `deps`: what happened to the dependencies the target would install. */
  dependencies?: DependencyStats;
  /**
   * True when the rules' findings and diagnostics were reused from the result cache: this exact tree content was
   * scanned before by the same code, signatures and options (`analysisCacheDir`; engine/scan-memo.ts).
   */
  reused?: boolean;
}

/** The dependencies a `deps` scan considered: scanned, skipped (by reason), failed, and what it cost. */
export interface DependencyStats {
  /** Distinct packages (name and version) the target would install: direct ones; every lockfile entry with `deep`. */
  considered: number;
  /** Tarballs fetched (or read from the cache) and scanned. */
  scanned: number;
  /**
   * Not downloaded, by reason: `established-popular` (a popular package's version published long enough ago),
   * `not-from-registry` (git, file, workspace specs), `unserved` (the registry no longer serves it: see the registry
   * rules), `not-changed` (diff mode: the change does not add or change it), `budget` (a bytes or time cap was reached).
   */
  skipped: Record<string, number>;
  /** Could not be fetched or read (each has a diagnostic). */
  failed: number;
  /** Tarball bytes downloaded. */
  bytesFetched: number;
  /** Tarball bytes read from the cache instead of downloaded. */
  bytesCached: number;
  /** Time spent choosing, fetching and scanning dependencies, ms. */
  ms: number;
}

export interface ScanResult {
  target: string;
  provenance: Provenance;
  verdict: Verdict;
  /** False when anything was skipped or could not be analysed: never read an incomplete pass as clean. */
  complete: boolean;
  findings: Finding[];
  diagnostics: Diagnostic[];
  stats: ScanStats;
  signatures: { version: string };
  /** Version of lurescan that produced the result. */
  tool: { name: 'lurescan'; version: string };
}
