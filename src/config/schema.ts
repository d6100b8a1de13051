/**
 * The configuration file (.lurescan.yml or .lurescan.json), shared by the CLI (--config) and the Action
 * (config-file). The JSON schema below is the contract; docs/action.md (Configuration) shows it in prose.
 */
import type { Severity } from '../types.js';
import type { FailOn } from '../options.js';

export type RuleSetting = 'off' | 'on' | Severity;

export interface Suppression {
  /** Rule id the suppression applies to. */
  rule: string;
  /** Glob of files it applies to; all files of the rule when absent. */
  path?: string;
  /** A finding's fingerprint, to suppress exactly one finding. */
  fingerprint?: string;
  /** Why this is safe. Required: a suppression nobody can explain is a hole. */
  reason: string;
  /** YYYY-MM-DD, last day the suppression holds. Required, so that suppressions are reviewed. */
  expires: string;
}

export interface Config {
  'fail-on'?: FailOn;
  /** Rule id → 'off', 'on' or a severity that replaces the rule's own. */
  rules?: Record<string, RuleSetting>;
  'ignore-paths'?: string[];
  suppressions?: Suppression[];
}

export const CONFIG_FILE_NAMES = ['.lurescan.yml', '.lurescan.yaml', '.lurescan.json'] as const;

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'lurescan configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    'fail-on': { enum: ['block', 'warn', 'never'] },
    rules: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' },
      additionalProperties: { enum: ['off', 'on', 'critical', 'high', 'medium', 'low', 'info'] },
    },
    'ignore-paths': { type: 'array', items: { type: 'string', minLength: 1, maxLength: 1000 }, maxItems: 1000 },
    suppressions: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'reason', 'expires'],
        properties: {
          rule: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' },
          path: { type: 'string', minLength: 1, maxLength: 1000 },
          fingerprint: { type: 'string', minLength: 1, maxLength: 200 },
          reason: { type: 'string', minLength: 3, maxLength: 2000 },
          expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
      },
    },
  },
} as const;
