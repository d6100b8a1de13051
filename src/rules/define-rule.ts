/**
 * The rule contract. A rule is declarative meta plus one check function; it reads the workspace and inventory
 * through its context and reports findings. It never touches the file system or network itself.
 */
import type { Confidence, Diagnostic, Evidence, Inventory, Location, Severity, Workspace } from '../types.js';
import type { Limits } from '../options.js';
import type { Signatures } from '../signatures/types.js';
import type { RegistryFacts } from '../registry/facts.js';

export interface RuleMeta {
  /** kebab-case; equals the file name, the doc page and the fixture folder. */
  id: string;
  title: string;
  description: string;
  /** The most severe finding this rule reports. */
  severity: Severity;
  confidence: Confidence;
  /** THREATS technique ids, e.g. ['T03', 'T16']. */
  techniques: string[];
  remediation: string;
  references?: string[];
  tags?: string[];
}

export interface FindingInput {
  message: string;
  location: Location;
  severity?: Severity;
  confidence?: Confidence;
  evidence?: Evidence[];
  remediation?: string;
  /** What makes this finding this finding (for the fingerprint); defaults to the snippet. */
  key?: string;
}

export interface RuleContext {
  readonly workspace: Workspace;
  readonly inventory: Inventory;
  readonly signatures: Signatures;
  readonly limits: Limits;
  /** What the registry knows (npm package targets, --online scans, recorded snapshots); undefined offline. */
  readonly registry?: RegistryFacts;
  /** Text of a workspace file (bounded), or undefined when absent or unreadable. */
  text(path: string): Promise<string | undefined>;
  report(finding: FindingInput): void;
  diagnostic(d: Omit<Diagnostic, 'incomplete'> & { incomplete?: boolean }): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): Promise<void> | void;
}

export function defineRule(rule: Rule): Rule {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(rule.meta.id)) throw new Error(`rule id must be kebab-case: ${rule.meta.id}`);
  return Object.freeze(rule);
}

/** Where a rule's documentation lives, derived from its id. */
export function ruleDocUrl(id: string): string {
  return `https://github.com/lurescan/lurescan/blob/main/docs/rules/${id}.md`;
}
