/** Every inventory parser, in the order they run. Add new parsers here. */
import type { InventoryParser } from './types.js';
import { packageJson } from './npm/package-json.js';
import { packageLock } from './npm/package-lock.js';
import { yarnLock } from './npm/yarn-lock.js';
import { pnpmLock } from './npm/pnpm-lock.js';
import { bunLock } from './npm/bun-lock.js';
import { bunLockb } from './npm/bun-lockb.js';
import { requirementsTxt } from './pypi/requirements.js';
import { pyproject } from './pypi/pyproject.js';
import { setupCfg } from './pypi/setup-cfg.js';
import { pipfile } from './pypi/pipfile.js';
import { pipfileLock } from './pypi/pipfile-lock.js';
import { poetryLock } from './pypi/poetry-lock.js';
import { uvLock } from './pypi/uv-lock.js';
import { vscodeTasks } from './editor/vscode.js';
import { devcontainer } from './editor/devcontainer.js';
import { gitHookFiles, lefthook } from './git/hooks.js';

export const PARSERS: readonly InventoryParser[] = [
  packageJson,
  packageLock,
  yarnLock,
  pnpmLock,
  bunLock,
  bunLockb,
  requirementsTxt,
  pyproject,
  setupCfg,
  pipfile,
  pipfileLock,
  poetryLock,
  uvLock,
  vscodeTasks,
  devcontainer,
  gitHookFiles,
  lefthook,
];
