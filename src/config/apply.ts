/**
 * Apply a configuration to a ScanResult: rules turned off, severity overrides, ignored paths and
 * suppressions, then the verdict again. Pure (the date is passed in). Everything the config removed is
 * counted in a diagnostic, so a report never hides that a config weakened it; an expired suppression no
 * longer suppresses and is reported.
 */
import type { Diagnostic, Finding, ScanResult } from '../types.js';
import { verdictOf } from '../engine/verdict.js';
import { globMatch } from './glob.js';
import type { Config, Suppression } from './schema.js';

export interface ApplyOptions {
  /** Today as YYYY-MM-DD (UTC); a suppression is active through its expiry day. */
  today: string;
  /** Name of the config in diagnostics, e.g. '.lurescan.yml'. */
  source: string;
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function matches(s: Suppression, f: Finding): boolean {
  if (s.rule !== f.ruleId) return false;
  if (s.fingerprint && s.fingerprint !== f.fingerprint) return false;
  if (s.path && !globMatch(s.path, f.location.file)) return false;
  return true;
}

export function applyConfig(result: ScanResult, config: Config, opts: ApplyOptions): ScanResult {
  const diagnostics: Diagnostic[] = [...result.diagnostics];
  const rules = config.rules ?? {};
  const ignore = config['ignore-paths'] ?? [];
  const suppressions = config.suppressions ?? [];
  const used = new Array<boolean>(suppressions.length).fill(false);
  let off = 0;
  let ignored = 0;
  let suppressed = 0;
  const findings: Finding[] = [];
  for (const original of result.findings) {
    const setting = rules[original.ruleId];
    if (setting === 'off') {
      off++;
      continue;
    }
    if (ignore.some((g) => globMatch(g, original.location.file))) {
      ignored++;
      continue;
    }
    const f = setting && setting !== 'on' ? { ...original, severity: setting } : original;
    let active = false;
    for (const [i, s] of suppressions.entries()) {
      if (!matches(s, f)) continue;
      used[i] = true;
      if (s.expires >= opts.today) active = true;
    }
    if (active) {
      suppressed++;
      continue;
    }
    findings.push(f);
  }
  for (const [i, s] of suppressions.entries()) {
    const what = `suppression ${i + 1} (rule ${s.rule}${s.path ? `, path ${s.path}` : ''}${s.fingerprint ? `, fingerprint ${s.fingerprint}` : ''})`;
    if (s.expires < opts.today) {
      diagnostics.push({ code: 'suppression-expired', message: `${opts.source}: ${what} expired on ${s.expires} and no longer applies; review it ("${s.reason}")`, incomplete: false });
    } else if (!used[i]) {
      diagnostics.push({ code: 'suppression-unused', message: `${opts.source}: ${what} matched no finding; remove it`, incomplete: false });
    }
  }
  if (off || ignored || suppressed) {
    diagnostics.push({
      code: 'config-filtered',
      message: `${opts.source} removed ${off + ignored + suppressed} finding(s): ${off} from rules turned off, ${ignored} in ignored paths, ${suppressed} suppressed`,
      incomplete: false,
    });
  }
  return { ...result, findings, diagnostics, verdict: verdictOf(findings) };
}
