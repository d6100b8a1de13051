/**
 * Read and validate a configuration file. Errors name the file and the key, e.g.
 * `.lurescan.yml: rules.c2-url: must be one of off, on, critical, high, medium, low, info`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../target.js';
import { RULES } from '../rules/index.js';
import { CONFIG_SCHEMA, type Config } from './schema.js';

export class ConfigError extends UsageError {}

let validate: ReturnType<Ajv['compile']> | undefined;

function keyOf(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'additionalProperties') parts.push(String((e.params as { additionalProperty: string }).additionalProperty));
  if (e.keyword === 'propertyNames') parts.push(String((e.params as { propertyName: string }).propertyName));
  if (e.keyword === 'required') parts.push(String((e.params as { missingProperty: string }).missingProperty));
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
}

function messageOf(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return 'unknown key';
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of ${(e.params as { allowedValues: string[] }).allowedValues.join(', ')}`;
    case 'pattern':
      return e.instancePath.endsWith('/expires') ? 'must be a date YYYY-MM-DD' : 'must be a kebab-case rule id';
    case 'propertyNames':
      return 'is not a valid rule id';
    default:
      return e.message ?? 'is invalid';
  }
}

/** Validate parsed data; throws ConfigError naming the first bad key. `source` names the file in messages. */
export function parseConfig(data: unknown, source: string): Config {
  if (data === null || data === undefined) return {};
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(CONFIG_SCHEMA);
  if (!validate(data)) {
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
    const first = errors.find((e) => e.keyword === 'additionalProperties' || e.keyword === 'required') ?? errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem(s))` : '';
    throw new ConfigError(`${source}: ${keyOf(first)}: ${messageOf(first)}${more}`);
  }
  const config = data as Config;
  const known = new Set(RULES.map((r) => r.meta.id));
  for (const id of Object.keys(config.rules ?? {})) {
    if (!known.has(id)) throw new ConfigError(`${source}: rules.${id}: unknown rule id (lurescan rules lists them)`);
  }
  for (const [i, s] of (config.suppressions ?? []).entries()) {
    if (!known.has(s.rule)) throw new ConfigError(`${source}: suppressions[${i}].rule: unknown rule id "${s.rule}"`);
    if (Number.isNaN(Date.parse(`${s.expires}T00:00:00Z`))) throw new ConfigError(`${source}: suppressions[${i}].expires: not a real date`);
  }
  return config;
}

/** Parse config text; the format follows the file name (.json → JSON, anything else → YAML, a superset). */
export function parseConfigText(text: string, source: string): Config {
  let data: unknown;
  try {
    data = source.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(`${source}: not valid ${source.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseConfig(data, source);
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfigText(text, file);
}

/**
 * True when `configFile` lies inside the scanned folder. Such a file was written by whoever wrote the code
 * under scan; shells load it only when the user named it explicitly, and say so.
 */
export function isInside(configFile: string, scannedRoot: string): boolean {
  const rel = path.relative(path.resolve(scannedRoot), path.resolve(configFile));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
