/** Every rule, in the order they run. A rule file that is not listed here does not exist for lurescan. */
import type { Rule } from './define-rule.js';
import lifecycleScript from './lifecycle-script.js';
import editorTaskAutorun from './editor-task-autorun.js';
import editorAutomaticTasks from './editor-automatic-tasks.js';
import devcontainerCommand from './devcontainer-command.js';
import gitHookCommand from './git-hook-command.js';
import gitConfigExec from './git-config-exec.js';
import disguisedFileType from './disguised-file-type.js';
import c2Url from './c2-url.js';
import prebuiltBinary from './prebuilt-binary.js';

export const RULES: readonly Rule[] = [
  lifecycleScript,
  editorTaskAutorun,
  editorAutomaticTasks,
  devcontainerCommand,
  gitHookCommand,
  gitConfigExec,
  disguisedFileType,
  c2Url,
  prebuiltBinary,
];
