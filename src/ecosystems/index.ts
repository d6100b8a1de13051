/** Every inventory parser, in the order they run. Add new parsers here. */
import type { InventoryParser } from './types.js';
import { packageJson } from './npm/package-json.js';
import { vscodeTasks } from './editor/vscode.js';
import { devcontainer } from './editor/devcontainer.js';
import { gitHookFiles, lefthook } from './git/hooks.js';

export const PARSERS: readonly InventoryParser[] = [packageJson, vscodeTasks, devcontainer, gitHookFiles, lefthook];
