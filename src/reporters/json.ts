/**
 * The JSON report: the ScanResult itself with its format version, stable field order. Other tools and the Action read
 * this; schema/report.schema.json describes it and the tests validate real reports against it.
 */
import type { ScanResult } from '../types.js';
import { jsonForTerminal } from './escape.js';

/**
 * Version of the JSON report format (`schemaVersion`, first key of every report). It changes only when a field is
 * removed, renamed or changes meaning; new optional fields may appear within a version.
 */
export const REPORT_SCHEMA_VERSION = 1;

export function renderJson(result: ScanResult): string {
  const ordered = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: result.tool,
    target: result.target,
    verdict: result.verdict,
    complete: result.complete,
    provenance: result.provenance,
    stats: result.stats,
    signatures: result.signatures,
    findings: result.findings,
    diagnostics: result.diagnostics,
  };
  return `${jsonForTerminal(JSON.stringify(ordered, null, 2))}\n`;
}
