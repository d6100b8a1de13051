/** The contract every inventory parser follows: a cheap matches(path) and a parse that never throws. */
import type { AutoRunCommand, Diagnostic, InstallScript, Package, PackageManifest, Workspace, WorkspaceFile } from '../types.js';

export interface InventorySink {
  manifests: PackageManifest[];
  packages: Package[];
  installScripts: InstallScript[];
  autoRun: AutoRunCommand[];
  diagnostic(d: Diagnostic): void;
}

export interface InventoryParser {
  /** Equals the file's path under src/ecosystems, e.g. 'npm/package-json'. */
  id: string;
  matches(path: string): boolean;
  /** ctx.workspace lets a parser read files its format names (a requirements `-r` include, the package.json beside a yarn.lock). */
  parse(file: WorkspaceFile, text: string, sink: InventorySink, ctx?: ParseContext): void | Promise<void>;
}

export interface ParseContext {
  workspace: Workspace;
}
