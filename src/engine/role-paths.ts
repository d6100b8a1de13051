/**
 * Which paths have a role: a parser reads them (`package.json`, `.vscode/tasks.json`, `.devcontainer/…`,
 * `.husky/pre-commit`, lockfiles) or a rule keys on them by name. The workspace asks this when it presents a file at
 * the path an extractor or a case-insensitive platform gives it (`.VSCode/Tasks.json` → `.vscode/tasks.json`), so that
 * matching is case- and platform-insensitive here, once, instead of in every rule's pattern.
 */
import { PARSERS } from '../ecosystems/index.js';

/**
 * Paths rules look up by name themselves rather than through the inventory. A rule that keys on a new file name
 * adds it here (test/acquire-roles.test.ts).
 */
const RULE_PATHS: readonly RegExp[] = [
  /(?:^|\/)\.vscode\/settings\.json$/, // editor-automatic-tasks
  /(?:^|\/)\.git\/config$/, // git-config-exec
  /(?:^|\/)\.(?:npmrc|yarnrc(?:\.yml)?)$/, // lockfile-integrity (registry settings beside a lockfile)
];

export function isRolePath(p: string): boolean {
  return PARSERS.some((parser) => parser.matches(p)) || RULE_PATHS.some((re) => re.test(p));
}
