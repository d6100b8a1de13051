/**
 * The shipped JSON Schemas of lurescan's reports (schema/report.schema.json, schema/org-report.schema.json), compiled
 * once with ajv's draft 2020-12 class in strict mode, so that a schema keyword ajv does not know fails too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ROOT } from '../helpers.js';

export const REPORT_SCHEMA = path.join(ROOT, 'schema', 'report.schema.json');
export const ORG_REPORT_SCHEMA = path.join(ROOT, 'schema', 'org-report.schema.json');

let compiled: { report: ValidateFunction; org: ValidateFunction } | undefined;

function validators(): { report: ValidateFunction; org: ValidateFunction } {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const report = JSON.parse(readFileSync(REPORT_SCHEMA, 'utf8')) as { $id: string };
  const org = JSON.parse(readFileSync(ORG_REPORT_SCHEMA, 'utf8')) as { $id: string };
  ajv.addSchema(report).addSchema(org);
  compiled = { report: ajv.getSchema(report.$id)!, org: ajv.getSchema(org.$id)! };
  return compiled;
}

function errorsOf(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** ajv's errors for a scan report (the parsed JSON text), as readable strings; empty when it is valid. */
export function validateReport(report: unknown): string[] {
  return errorsOf(validators().report, report);
}

/** The same for an org report (`lurescan org … --format json`, `org merge`). */
export function validateOrgReport(report: unknown): string[] {
  return errorsOf(validators().org, report);
}
