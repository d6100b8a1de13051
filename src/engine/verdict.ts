/**
 * From findings to a verdict. The rule, in one place:
 *  - block: any critical finding with high confidence; or findings of high or critical severity with high
 *    confidence from two or more different rules (real lures layer triggers; two independent strong signals
 *    are as good as one certain one).
 *  - warn: any finding of medium severity or above.
 *  - pass: nothing above low.
 */
import type { Finding, Verdict } from '../types.js';

export function verdictOf(findings: Finding[]): Verdict {
  if (findings.some((f) => f.severity === 'critical' && f.confidence === 'high')) return 'block';
  const strongRules = new Set(findings.filter((f) => (f.severity === 'high' || f.severity === 'critical') && f.confidence === 'high').map((f) => f.ruleId));
  if (strongRules.size >= 2) return 'block';
  if (findings.some((f) => f.severity === 'critical' || f.severity === 'high' || f.severity === 'medium')) return 'warn';
  return 'pass';
}

export function verdictRank(v: Verdict | 'never'): number {
  return { pass: 0, warn: 1, block: 2, never: 3 }[v];
}
