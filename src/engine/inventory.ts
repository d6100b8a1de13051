/** Build the Inventory: run every parser whose matches(path) accepts a file. A parser that throws is a diagnostic. */
import type { Diagnostic, Inventory, Workspace } from '../types.js';
import { PARSERS } from '../ecosystems/index.js';
import type { InventorySink } from '../ecosystems/types.js';

export async function buildInventory(ws: Workspace, diagnostics: Diagnostic[]): Promise<Inventory> {
  const sink: InventorySink = {
    manifests: [],
    packages: [],
    installScripts: [],
    autoRun: [],
    diagnostic: (d) => diagnostics.push(d),
  };
  for (const file of ws.files) {
    if (file.kind !== 'file') continue;
    const parsers = PARSERS.filter((p) => p.matches(file.path));
    if (!parsers.length) continue;
    const text = await file.text();
    if (text === undefined) continue; // the workspace already recorded why
    for (const parser of parsers) {
      try {
        await parser.parse(file, text, sink, { workspace: ws });
      } catch (err) {
        diagnostics.push({ code: 'parser-crash', message: `${parser.id} failed: ${(err as Error).message}`, file: file.path, incomplete: true });
      }
    }
  }
  return { manifests: sink.manifests, packages: sink.packages, installScripts: sink.installScripts, autoRun: sink.autoRun };
}
