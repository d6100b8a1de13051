/**
 * Action inputs → typed settings. Every default lives here (action.yml only describes the inputs); the
 * one exception is `token`, whose default `${{ github.token }}` only a workflow expression can supply.
 */
import path from 'node:path';
import * as core from '@actions/core';
import type { FailOn } from '../options.js';

export type Mode = 'diff' | 'full';
export type CommentPolicy = 'always' | 'on-failure' | 'never';

export interface ActionInputs {
  /** Absolute folder to scan. */
  path: string;
  mode: Mode;
  /** Whether mode came from the input or from the event (diff on pull requests). */
  modeExplicit: boolean;
  /** Undefined when neither the input nor the config file says; then ACTION_DEFAULTS.failOn. */
  failOn?: FailOn;
  commentSummaryInPr: CommentPolicy;
  /** Absolute path for the SARIF file. */
  sarifFile: string;
  token: string;
  /** Absolute path, or undefined for none. */
  configFile?: string;
  baseRef?: string;
  headRef?: string;
  /** Most annotations to emit. */
  annotations: number;
  /** Fetch and scan the npm dependencies the tree would install (in diff mode: those the change adds or changes). */
  deps: boolean;
}

export const ACTION_DEFAULTS = {
  path: '.',
  failOn: 'block' as FailOn,
  commentSummaryInPr: 'on-failure' as CommentPolicy,
  /** Relative to RUNNER_TEMP, so the report never lands in the tree that later steps scan or commit. */
  sarifFile: 'lurescan.sarif',
  reportJson: 'lurescan-report.json',
  annotations: 50,
  /** Dependencies are fetched only when asked: it tells the registry what the repository uses. */
  deps: false,
  /** GitHub shows at most this many characters in a comment. */
  commentMaxLength: 60_000,
  /** The job summary is limited to 1 MiB per step. */
  summaryMaxLength: 900_000,
} as const;

export const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

export class InputError extends Error {}

/** Reads one input; the runner passes `fail-on` as the environment variable INPUT_FAIL-ON. */
export type InputReader = (name: string) => string;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InputError(`input '${name}' must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

export function parseInputs(env: NodeJS.ProcessEnv, get: InputReader = (name) => core.getInput(name)): ActionInputs {
  const input = (name: string) => get(name).trim();
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const temp = env.RUNNER_TEMP || workspace;
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const modeRaw = input('mode');
  const failOnRaw = input('fail-on');
  const annotationsRaw = input('annotations');
  const annotations = annotationsRaw === '' ? ACTION_DEFAULTS.annotations : Number(annotationsRaw);
  if (!Number.isInteger(annotations) || annotations < 0) throw new InputError(`input 'annotations' must be a whole number ≥ 0 (got '${annotationsRaw}')`);
  const configRaw = input('config-file');
  const sarifRaw = input('sarif-file');
  return {
    path: path.resolve(workspace, input('path') || ACTION_DEFAULTS.path),
    mode: modeRaw ? oneOf('mode', modeRaw, ['diff', 'full'] as const) : PULL_REQUEST_EVENTS.has(eventName) ? 'diff' : 'full',
    modeExplicit: modeRaw !== '',
    failOn: failOnRaw ? oneOf('fail-on', failOnRaw, ['block', 'warn', 'never'] as const) : undefined,
    commentSummaryInPr: oneOf('comment-summary-in-pr', input('comment-summary-in-pr') || ACTION_DEFAULTS.commentSummaryInPr, ['always', 'on-failure', 'never'] as const),
    sarifFile: sarifRaw ? path.resolve(workspace, sarifRaw) : path.join(temp, ACTION_DEFAULTS.sarifFile),
    token: input('token'),
    configFile: configRaw ? path.resolve(workspace, configRaw) : undefined,
    baseRef: input('base-ref') || undefined,
    headRef: input('head-ref') || undefined,
    annotations,
    deps: booleanInput('deps', input('deps'), ACTION_DEFAULTS.deps),
  };
}

function booleanInput(name: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (/^(?:true|yes|on|1)$/i.test(value)) return true;
  if (/^(?:false|no|off|0)$/i.test(value)) return false;
  throw new InputError(`input '${name}' must be true or false (got '${value}')`);
}
