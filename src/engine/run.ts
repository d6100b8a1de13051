/**
 * Run rules over a workspace and inventory. A rule that throws or overruns its time becomes a diagnostic, never a
 * crashed scan; findings are fingerprinted and de-duplicated.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic, Finding, Inventory, Location, Workspace, WorkspaceAlias } from '../types.js';
import type { Limits } from '../options.js';
import type { Signatures } from '../signatures/types.js';
import type { RegistryFacts } from '../registry/facts.js';
import { markVisited, type FindingInput, type Rule, type RuleContext, type TextVisitor } from '../rules/define-rule.js';
import { textIfText } from '../acquire/bytes.js';
import { rank } from '../analysis/urls.js';

/** Cap the length of text that came out of the scanned repository. */
function bound(s: string | undefined, max: number): string | undefined {
  if (s === undefined) return undefined;
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function fingerprintOf(ruleId: string, file: string, key: string): string {
  return createHash('sha256').update(`${ruleId}\0${file}\0${key.replace(/\s+/g, ' ').trim()}`).digest('hex').slice(0, 32);
}

/** A location inside an archive found in the tree names that archive too (Location.container); rules need not know. */
function withContainer<L extends Location | undefined>(workspace: Workspace, location: L): L {
  if (!location?.file) return location;
  const container = workspace.get(location.file)?.container;
  return container !== undefined ? { ...location, container } : location;
}

export async function runRules(
  rules: readonly Rule[],
  workspace: Workspace,
  inventory: Inventory,
  signatures: Signatures,
  limits: Limits,
  diagnostics: Diagnostic[],
  onRule?: (done: number, total: number, id: string) => void,
  registry?: RegistryFacts,
  /** When the judging started (maxScanMs counts from it): the source index may be built before the first rule. */
  started = Date.now(),
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const aliases = aliasesByPath(workspace);
  // Where each rule's findings and diagnostics go: straight into the scan's, except while the shared text pass runs
  // (below), when they wait in the rule's own lists until its turn, so that they come out in rule order as before.
  const outs = new Map<Rule, { findings: Finding[]; diagnostics: Diagnostic[]; failed?: string }>();
  const contextOf = (rule: Rule): RuleContext => {
    const out = { findings, diagnostics };
    outs.set(rule, out);
    return {
      workspace,
      inventory,
      signatures,
      limits,
      registry,
      text: async (p) => workspace.get(p)?.text(),
      report(input: FindingInput) {
        const severity = input.severity ?? rule.meta.severity;
        const via = aliases.get(input.location.file);
        const f: Finding = {
          ruleId: rule.meta.id,
          severity: rank(severity) > rank(rule.meta.severity) ? rule.meta.severity : severity,
          confidence: input.confidence ?? rule.meta.confidence,
          message: bound(input.message, 2000)!,
          location: withContainer(workspace, { ...input.location, snippet: bound(input.location.snippet, 400) }),
          evidence: [
            ...(input.evidence ?? []).slice(0, 50).map((e) => ({ ...e, value: bound(e.value, 1000)!, ...(e.location ? { location: withContainer(workspace, e.location) } : {}) })),
            // The content arrived at this path through a link or a name a platform reads differently: say how.
            ...(via ?? []).slice(0, 3).flatMap((a) => [
              { kind: 'file' as const, value: bound(a.note, 1000)!, location: withContainer(workspace, { file: a.of }) },
              // The link's own path too: a change that only adds or retargets the link changes what this finding is about.
              ...(a.link !== undefined ? [{ kind: 'file' as const, value: bound(`the link: ${a.link}`, 1000)!, location: withContainer(workspace, { file: a.link }) }] : []),
            ]),
          ],
          remediation: input.remediation ?? rule.meta.remediation,
          techniques: rule.meta.techniques,
          fingerprint: fingerprintOf(rule.meta.id, input.location.file, input.key ?? input.location.snippet ?? input.message),
        };
        const dedupe = `${f.fingerprint}:${f.location.line ?? ''}`;
        if (seen.has(dedupe)) return;
        seen.add(dedupe);
        outs.get(rule)!.findings.push(f);
      },
      diagnostic(d) {
        outs.get(rule)!.diagnostics.push({ ...d, incomplete: d.incomplete ?? true });
      },
    };
  };
  const contexts = new Map(rules.map((r) => [r, contextOf(r)]));
  let swept = false;
  let done = 0;
  for (const rule of rules) {
    if (rule.eachText && !swept && Date.now() - started <= limits.maxScanMs) {
      swept = true;
      const readers = rules.slice(done).filter((r) => r.eachText);
      onRule?.(done, rules.length, `reading texts for ${readers.map((r) => r.meta.id).join(', ')}`);
      await readTextsOnce(readers, contexts, outs, workspace, limits, started);
    }
    // maxScanMs: past the whole-scan budget (checked after the shared text pass too, which stops when it is reached),
    // the remaining rules are skipped and the scan says so.
    if (Date.now() - started > limits.maxScanMs) {
      const left = rules.slice(done).map((r) => r.meta.id);
      diagnostics.push({ code: 'scan-time-limit', message: `the scan took longer than ${limits.maxScanMs} ms; ${left.length} rule(s) did not run: ${left.join(', ')}`, incomplete: true });
      break;
    }
    onRule?.(done, rules.length, rule.meta.id);
    const ctx = contexts.get(rule)!;
    const out = outs.get(rule)!;
    const first = findings.length;
    // What the rule found and said in the shared text pass, in its place.
    if (out.findings !== findings) {
      findings.push(...out.findings);
      diagnostics.push(...out.diagnostics);
      out.findings = findings;
      out.diagnostics = diagnostics;
    }
    if (out.failed !== undefined) diagnostics.push({ code: 'rule-error', message: `rule ${rule.meta.id} did not finish: ${out.failed}`, incomplete: true });
    else {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve(rule.check(ctx)),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`took longer than ${limits.maxRuleMs} ms`)), limits.maxRuleMs);
          }),
        ]);
      } catch (err) {
        diagnostics.push({ code: 'rule-error', message: `rule ${rule.meta.id} did not finish: ${(err as Error).message}`, incomplete: true });
      } finally {
        clearTimeout(timer);
      }
    }
    if (aliases.size) dropEchoes(findings, first, aliases);
    done++;
  }
  onRule?.(done, rules.length, '');
  findings.sort(compareFindings);
  return findings;
}

/**
 * One pass over the files for every rule that reads the text of every file of some kind (Rule.eachText): each text
 * is read and decoded once and handed to each rule that wants it. Rule by rule, a tree too large for the text cache was
 * read once per rule (four times over). What the rules report waits in their own lists until their turn; a rule whose
 * visitor throws, or spends more than maxRuleMs in all, stops receiving texts and gets its rule-error at its turn.
 * The pass ends early when the scan's time is up (the rules left are then skipped and named, as before).
 */
async function readTextsOnce(
  readers: Rule[],
  contexts: Map<Rule, RuleContext>,
  outs: Map<Rule, { findings: Finding[]; diagnostics: Diagnostic[]; failed?: string }>,
  workspace: Workspace,
  limits: Limits,
  started: number,
): Promise<void> {
  const active = readers.map((rule) => {
    const out = outs.get(rule)!;
    out.findings = [];
    out.diagnostics = [];
    const ctx = contexts.get(rule)!;
    let visitor: TextVisitor | undefined;
    try {
      visitor = rule.eachText!(ctx);
    } catch (err) {
      out.failed = (err as Error).message;
    }
    return { ctx, out, visitor, ms: 0 };
  });
  let n = 0;
  for (const file of workspace.files) {
    if ((++n & 63) === 0 && Date.now() - started > limits.maxScanMs) return;
    const wanting = active.filter((a) => a.visitor && a.out.failed === undefined && a.visitor.wants(file));
    if (!wanting.length) continue;
    const text = await textIfText(file);
    let any: string | undefined;
    for (const a of wanting) {
      const t = a.visitor!.anyText ? (any ??= text ?? (await file.text())) : text;
      if (t === undefined) continue;
      const t0 = Date.now();
      try {
        await a.visitor!.visit(file, t);
      } catch (err) {
        a.out.failed = (err as Error).message;
      }
      a.ms += Date.now() - t0;
      if (a.ms > limits.maxRuleMs && a.out.failed === undefined) a.out.failed = `took longer than ${limits.maxRuleMs} ms`;
    }
  }
  for (const a of active) if (a.visitor && a.out.failed === undefined) markVisited(a.ctx, a.visitor);
}

/** Entries presented at a path they are not stored under (links, names platforms read differently), by that path. */
function aliasesByPath(workspace: Workspace): Map<string, WorkspaceAlias[]> {
  const m = new Map<string, WorkspaceAlias[]>();
  for (const f of workspace.files) {
    if (!f.alias) continue;
    const list = m.get(f.path);
    if (list) list.push(f.alias);
    else m.set(f.path, [f.alias]);
  }
  return m;
}

/**
 * A rule that reads every file sees a linked file twice, at its own path and the link's; the second finding is an echo
 * when the same rule found the same thing at the same line of the original. What a file says only in the role the link
 * gives it (tasks under .vscode/) has no twin at the original path and stays.
 */
function dropEchoes(findings: Finding[], from: number, aliases: Map<string, WorkspaceAlias[]>): void {
  // What was found, without the path it was found at (messages often name it).
  const what = (f: Finding) => `${f.location.line ?? ''}\0${f.location.snippet ?? f.message.split(f.location.file).join('')}`;
  const own = new Set<string>();
  for (let i = from; i < findings.length; i++) own.add(`${findings[i].location.file}\0${what(findings[i])}`);
  for (let i = findings.length - 1; i >= from; i--) {
    const via = aliases.get(findings[i].location.file);
    if (via?.some((a) => own.has(`${a.of}\0${what(findings[i])}`))) findings.splice(i, 1);
  }
}

/** Report order: most severe first, then by file, line and rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    rank(b.severity) - rank(a.severity) ||
    a.location.file.localeCompare(b.location.file) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    a.ruleId.localeCompare(b.ruleId)
  );
}
