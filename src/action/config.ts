/**
 * Which configuration the Action uses. Only the file named by 'config-file' is ever read (nothing is picked
 * up from the tree on its own). When a pull request changes that file, the version on the base branch is
 * used instead: a lure must not be able to ship the config that silences it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import type { GitHubClient } from '../github/client.js';
import { fileAtRef } from '../github/pulls.js';
import { explainApiError } from '../github/errors.js';
import { loadConfigFile, parseConfigText } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ActionInputs } from './inputs.js';
import type { RunContext } from './context.js';
import type { DiffPlan } from './changes.js';

export async function resolveConfig(
  inputs: ActionInputs,
  ctx: RunContext,
  gh: GitHubClient | undefined,
  plan: DiffPlan,
  workspace: string,
): Promise<{ config: Config; source?: string }> {
  if (!inputs.configFile) return { config: {} };
  const rel = path.relative(workspace, inputs.configFile).split(path.sep).join('/');
  const inRepo = !rel.startsWith('..') && !path.isAbsolute(rel);
  const name = inRepo ? rel : inputs.configFile;
  if (ctx.pull && inRepo) {
    if (!plan.changedInRepo) {
      core.warning(`config-file ${name} was ignored: the pull request's changed files could not be listed, so it cannot be shown that the PR did not write it`);
      return { config: {} };
    }
    if (plan.changedInRepo.has(rel)) {
      const base = plan.baseRef ?? ctx.pull.baseSha;
      try {
        const text = gh && ctx.repo ? await fileAtRef(gh, ctx.repo, rel, base) : undefined;
        if (text === undefined) {
          core.warning(`config-file ${name} is added by this pull request and was ignored; a config takes effect once it is on the base branch`);
          return { config: {} };
        }
        core.warning(`config-file ${name} is changed by this pull request; the base branch's version is used`);
        const source = `${name}@base`;
        return { config: parseConfigText(text, source), source };
      } catch (err) {
        if ((err as Error).name === 'ConfigError') throw err;
        core.warning(`config-file ${name} was ignored: ${explainApiError(err, 'read its base version')}`);
        return { config: {} };
      }
    }
  }
  if (!existsSync(inputs.configFile)) throw new Error(`config-file ${name} does not exist`);
  return { config: loadConfigFile(inputs.configFile), source: name };
}
