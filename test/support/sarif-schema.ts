/**
 * The official SARIF 2.1.0 JSON schema (OASIS, sarif-schema-2.1.0.json), taken from an npm package since tests
 * never reach the internet. @datadog/datadog-ci-plugin-sarif (pinned, no dependencies) ships it inlined in its
 * bundle as an object literal; we parse that literal with a real parser and convert it to JSON without
 * evaluating any code.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseExpression } from '@babel/parser';
import type { Expression, ObjectExpression } from '@babel/types';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

function literal(node: Expression): unknown {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return node.value;
    case 'NullLiteral':
      return null;
    case 'UnaryExpression':
      if (node.operator === '-' && node.argument.type === 'NumericLiteral') return -node.argument.value;
      break;
    case 'ArrayExpression':
      return node.elements.map((e) => literal(e as Expression));
    case 'ObjectExpression':
      return object(node);
  }
  throw new Error(`sarif schema: unexpected ${node.type} in the schema literal`);
}

function object(node: ObjectExpression): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of node.properties) {
    if (p.type !== 'ObjectProperty' || p.computed) throw new Error('sarif schema: unexpected property form');
    const key = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'StringLiteral' ? p.key.value : undefined;
    if (key === undefined) throw new Error('sarif schema: unexpected key');
    out[key] = literal(p.value as Expression);
  }
  return out;
}

let cached: Record<string, unknown> | undefined;

export function sarifSchema(): Record<string, unknown> {
  if (cached) return cached;
  const pkgDir = path.dirname(require.resolve('@datadog/datadog-ci-plugin-sarif/package.json'));
  const bundle = readFileSync(path.join(pkgDir, 'dist', 'bundle.js'), 'utf8');
  const region = bundle.indexOf('//#region src/json-schema/sarif-schema-2.1.0.json');
  const start = bundle.indexOf('var sarif_schema_2_1_0_default = ', region);
  if (region < 0 || start < 0) throw new Error('sarif schema: not found in @datadog/datadog-ci-plugin-sarif (version changed?)');
  const end = bundle.indexOf('//#endregion', start);
  const text = bundle.slice(start + 'var sarif_schema_2_1_0_default = '.length, end).trim().replace(/;$/, '');
  const schema = literal(parseExpression(text)) as Record<string, unknown>;
  if (schema.title !== 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema') throw new Error('sarif schema: unexpected title');
  cached = schema;
  return schema;
}

/** Validate a SARIF log; returns ajv's errors as readable strings (empty when valid). */
export function validateSarif(log: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(sarifSchema());
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
