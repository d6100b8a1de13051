/** The JSON report: the ScanResult itself, stable field order. Other tools and the Action read this. */
import type { ScanResult } from '../types.js';
import { jsonForTerminal } from './escape.js';

export function renderJson(result: ScanResult): string {
  const ordered = {
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
