/**
 * The rule contract. A rule is declarative meta plus one check function (and, for a rule that reads the text of every
 * file of some kind, a per-file visitor the runner feeds in one pass shared with the others: eachText); it reads the
 * workspace and inventory through its context and reports findings. It never touches the file system or network itself.
 */
import type { Confidence, Diagnostic, Evidence, Inventory, Location, Severity, Workspace, WorkspaceFile } from '../types.js';
import { textIfText } from '../acquire/bytes.js';
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
  /**
   * For a rule that reads the text of every file of some kind: its per-file part, so that the engine reads each text
   * once for all such rules (one pass over the tree, src/engine/run.ts) instead of once per rule — on a tree too large
   * to keep its texts in memory, each of them read it again. check() still runs, at the rule's turn, and gets the
   * visitor that saw the texts from {@link visitedTexts}.
   */
  eachText?(ctx: RuleContext): TextVisitor;
}

/** A rule's per-file reading of texts (see Rule.eachText). */
export interface TextVisitor {
  /** Whether the rule reads this file (decided from its path, kind and size, before anything is read). */
  wants(file: WorkspaceFile): boolean;
  /** Every file's text, undecoded binaries included (`file.text()`); by default only files that look like text. */
  anyText?: boolean;
  /** The text of each file wants() took, in the workspace's order; report through the context eachText was given. */
  visit(file: WorkspaceFile, text: string): Promise<void> | void;
}

/** Visitors the engine's shared pass has run, by the context of the rule they belong to. */
const visited = new WeakMap<RuleContext, TextVisitor>();

/** Called by the engine once its shared pass has given `visitor` every text it wanted. */
export function markVisited(ctx: RuleContext, visitor: TextVisitor): void {
  visited.set(ctx, visitor);
}

/**
 * The rule's text visitor for this context after it has seen every text it wants: the one the engine's shared pass
 * ran, or else (a rule run on its own, as the tests do) a new one run over the workspace here.
 */
export async function visitedTexts<V extends TextVisitor>(ctx: RuleContext, make: (ctx: RuleContext) => V): Promise<V> {
  const done = visited.get(ctx);
  if (done) return done as V;
  const visitor = make(ctx);
  for (const file of ctx.workspace.files) {
    if (!visitor.wants(file)) continue;
    const text = visitor.anyText ? await file.text() : await textIfText(file);
    if (text !== undefined) await visitor.visit(file, text);
  }
  return visitor;
}

export function defineRule(rule: Rule): Rule {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(rule.meta.id)) throw new Error(`rule id must be kebab-case: ${rule.meta.id}`);
  return Object.freeze(rule);
}

/** Where a rule's documentation lives, derived from its id. */
export function ruleDocUrl(id: string): string {
  return `https://github.com/lurescan/lurescan/blob/main/docs/rules/${id}.md`;
}
