/**
 * Files a change reaches without touching them: a changed package.json script, editor task or hook that runs
 * an unchanged file (`node scripts/setup.js`) puts that file in scope for diff mode. Uses the same command
 * follower the rules use, on the already-read workspace; nothing is executed.
 */
import path from 'node:path';
import type { Workspace } from '../types.js';
import type { Signatures } from '../signatures/types.js';
import { buildInventory } from '../engine/inventory.js';
import { followCommand } from '../analysis/follow.js';

export async function reachedFrom(ws: Workspace, changed: Set<string>, signatures: Signatures): Promise<Set<string>> {
  const reached = new Set<string>();
  if (changed.size === 0) return reached;
  const inventory = await buildInventory(ws, []);
  const commands: { command: string; file: string }[] = [];
  for (const c of inventory.autoRun) if (changed.has(c.where.file)) commands.push({ command: c.command, file: c.where.file });
  for (const m of inventory.manifests) {
    if (!changed.has(m.file)) continue;
    for (const s of Object.values(m.scripts)) commands.push({ command: s.command, file: m.file });
  }
  const ctx = { workspace: ws, inventory, signatures, text: async (p: string) => ws.get(p)?.text() };
  for (const { command, file } of commands) {
    const dir = path.posix.dirname(file);
    const followed = await followCommand(command, dir === '.' ? '' : dir, ctx);
    for (const f of followed.files) reached.add(f);
  }
  return reached;
}
