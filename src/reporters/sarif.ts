/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. Pure: ScanResult → string.
 * tool.driver.rules comes from rule meta (never re-derived here); every result carries a physical location
 * and a stable partial fingerprint so code scanning tracks an alert across pushes.
 */
import type { Log, ReportingDescriptor, Result, Notification } from 'sarif';
import type { Finding, Location, ScanResult, Severity } from '../types.js';
import type { RuleMeta } from '../rules/define-rule.js';
import { ruleDocUrl } from '../rules/define-rule.js';
import { RULES } from '../rules/index.js';
import { jsonForTerminal, wellFormed } from './escape.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Key of our fingerprint in partialFingerprints; bump the version when fingerprintOf changes meaning. */
export const FINGERPRINT_KEY = 'lurescanFingerprint/v1';

export interface SarifOptions {
  /** Rule metadata to describe; defaults to every registered rule. */
  rules?: readonly RuleMeta[];
  /**
   * Folder of the scanned root relative to the repository root (e.g. 'packages/app'), so that
   * artifact URIs are repository-relative as code scanning expects. Empty for the repository root.
   */
  pathPrefix?: string;
  /** runs[].automationDetails.id: separates several lurescan analyses of one repository. */
  category?: string;
}

type Level = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): Level {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

/** GitHub reads properties['security-severity'] (a number as a string, 0.0–10.0) to rank security alerts. */
export function securitySeverity(severity: Severity): string {
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' }[severity];
}

function descriptor(meta: RuleMeta): ReportingDescriptor {
  return {
    id: meta.id,
    name: toPascal(meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    helpUri: ruleDocUrl(meta.id),
    help: { text: `${meta.description}\n\nRemediation: ${meta.remediation}`, markdown: `${meta.description}\n\n**Remediation:** ${meta.remediation}\n\n[Rule documentation](${ruleDocUrl(meta.id)})` },
    defaultConfiguration: { level: sarifLevel(meta.severity) },
    properties: {
      tags: ['security', 'supply-chain', ...(meta.tags ?? []), ...meta.techniques],
      precision: meta.confidence === 'high' ? 'high' : meta.confidence === 'medium' ? 'medium' : 'low',
      'security-severity': securitySeverity(meta.severity),
    },
  };
}

function toPascal(id: string): string {
  return id.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/** A repository-relative URI: forward slashes, each segment percent-encoded (spaces, '#', '%' in names). */
export function artifactUri(file: string, prefix = ''): string {
  const joined = [prefix, file].filter((p) => p && p !== '.').join('/').replace(/\\/g, '/');
  // wellFormed: encodeURIComponent throws URIError on an unpaired surrogate (found by the reporter fuzzer).
  return joined.split('/').filter((s) => s !== '' && s !== '.').map((s) => encodeURIComponent(wellFormed(s))).join('/');
}

/** `assets/setup.zip!/install.js:3`: where a finding inside a nested archive is, said in words. */
function nestedWhere(l: Location): string {
  return `${l.file}${l.line ? `:${l.line}` : ''}`;
}

function result(f: Finding, ruleIndex: number, opts: SarifOptions): Result {
  // Inside an archive of the tree (Location.container): code scanning can only point at the archive file itself, so
  // the result does, at its first line (the lines are the inner file's), and the message names the inner path.
  const nested = f.location.container !== undefined;
  // GitHub code scanning places a result only through region.startLine: a finding about a whole file (a binary, a
  // symlink) or inside a nested archive points at the file's first line.
  const region = !nested && f.location.line && f.location.line >= 1
    ? {
        startLine: f.location.line,
        ...(f.location.column && f.location.column >= 1 ? { startColumn: f.location.column } : {}),
        ...(f.location.snippet ? { snippet: { text: f.location.snippet } } : {}),
      }
    : { startLine: 1 };
  const r: Result = {
    ruleId: f.ruleId,
    level: sarifLevel(f.severity),
    message: { text: nested ? `In ${nestedWhere(f.location)}: ${messageText(f)}` : messageText(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(f.location.container ?? f.location.file, opts.pathPrefix), uriBaseId: '%SRCROOT%' },
          region,
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: {
      severity: f.severity,
      confidence: f.confidence,
      ...(f.techniques?.length ? { techniques: f.techniques } : {}),
      ...(f.evidence.length ? { evidence: f.evidence.map((e) => ({ kind: e.kind, value: e.value, ...(e.location ? { location: e.location } : {}) })) } : {}),
      ...(nested ? { nestedPath: f.location.file } : {}),
    },
  };
  if (ruleIndex >= 0) r.ruleIndex = ruleIndex;
  const related = f.evidence.filter((e) => e.location?.file && e.location.file !== f.location.file);
  if (related.length) {
    r.relatedLocations = related.slice(0, 20).map((e, i) => {
      const l = e.location!;
      return {
        id: i + 1,
        message: { text: l.container !== undefined ? `${e.kind} (in ${nestedWhere(l)}): ${e.value}` : `${e.kind}: ${e.value}` },
        physicalLocation: {
          artifactLocation: { uri: artifactUri(l.container ?? l.file, opts.pathPrefix), uriBaseId: '%SRCROOT%' },
          region: { startLine: l.line && l.line >= 1 && l.container === undefined ? l.line : 1 },
        },
      };
    });
  }
  return r;
}

function messageText(f: Finding): string {
  const parts = [f.message];
  const decoded = f.evidence.filter((e) => e.kind === 'decoded' || e.kind === 'indicator').slice(0, 3);
  for (const e of decoded) parts.push(`${e.kind}: ${e.value}`);
  if (f.remediation) parts.push(`Remediation: ${f.remediation}`);
  return parts.join('\n');
}

export function buildSarif(scan: ScanResult, opts: SarifOptions = {}): Log {
  const metas = [...(opts.rules ?? RULES.map((r) => r.meta))];
  // A finding from a rule not in the list (a plugin, a newer engine) still gets a descriptor from its own data.
  for (const f of scan.findings) {
    if (!metas.some((m) => m.id === f.ruleId)) {
      metas.push({ id: f.ruleId, title: f.ruleId, description: f.message, severity: f.severity, confidence: f.confidence, techniques: f.techniques ?? [], remediation: f.remediation ?? '' });
    }
  }
  const index = new Map(metas.map((m, i) => [m.id, i]));
  const notifications: Notification[] = scan.diagnostics.map((d) => ({
    level: d.incomplete ? 'warning' : 'note',
    message: { text: d.remediation ? `${d.message}. ${d.remediation}` : d.message },
    descriptor: { id: d.code },
    ...(d.file ? { locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(d.file, opts.pathPrefix), uriBaseId: '%SRCROOT%' } } }] } : {}),
  }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lurescan',
            semanticVersion: scan.tool.version,
            version: scan.tool.version,
            informationUri: 'https://github.com/lurescan/lurescan',
            rules: metas.map(descriptor),
          },
        },
        ...(opts.category ? { automationDetails: { id: opts.category.endsWith('/') ? opts.category : `${opts.category}/` } } : {}),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the scanned repository' } } },
        ...(scan.provenance.commit && scan.provenance.url
          ? { versionControlProvenance: [{ repositoryUri: scan.provenance.url, revisionId: scan.provenance.commit, ...(scan.provenance.ref ? { branch: scan.provenance.ref } : {}) }] }
          : {}),
        results: scan.findings.map((f) => result(f, index.get(f.ruleId) ?? -1, opts)),
        properties: { verdict: scan.verdict, complete: scan.complete, signatures: scan.signatures.version },
      },
    ],
  };
}

export function renderSarif(scan: ScanResult, opts: SarifOptions = {}): string {
  return `${jsonForTerminal(JSON.stringify(buildSarif(scan, opts), null, 2))}\n`;
}
