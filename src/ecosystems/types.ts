/** The contract every inventory parser follows: a cheap matches(path) and a parse that never throws. */
import type { AutoRunCommand, Diagnostic, InstallScript, Package, PackageManifest, WorkspaceFile } from '../types.js';

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
  parse(file: WorkspaceFile, text: string, sink: InventorySink): void | Promise<void>;
}
