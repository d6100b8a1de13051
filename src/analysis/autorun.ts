/**
 * Judging a command that runs by itself. Lifecycle scripts, editor tasks, devcontainer hooks and git hooks all
 * come through here, so one command gets one judgement whatever surface carries it. Each surface only adds its
 * own facts (install time, folder open, hidden terminal, host vs container).
 */
import type { AutoRunCommand, Confidence, Evidence, Severity } from '../types.js';
import type { FindingInput } from '../rules/define-rule.js';
import { followCommand, type FollowContext, type FollowedTrait } from './follow.js';
import { maxSeverity, rank } from './urls.js';

export interface AutoRunJudgement {
  severity: Severity;
  confidence: Confidence;
  /** The strongest reason, for the message. */
  headline: string;
  traits: FollowedTrait[];
  benign: boolean;
  devServer: boolean;
  evidence: Evidence[];
}

/** Traits whose presence alone says the command is hostile, whatever runs it. */
const INTRINSIC = new Set(['pipe-to-shell', 'download-exec', 'encoded-powershell', 'disguised-file', 'runs-binary']);

function bump(s: Severity): Severity {
  return s === 'info' || s === 'low' ? 'medium' : s === 'medium' ? 'high' : 'critical';
}

export async function judgeAutoRun(cmd: AutoRunCommand, ctx: FollowContext, install = false): Promise<AutoRunJudgement> {
  const baseDir = typeof cmd.attributes?.baseDir === 'string' ? cmd.attributes.baseDir : '';
  const followed = await followCommand(cmd.command, baseDir, ctx);
  // A job the same script waits for (`cmd &` … `wait`) is concurrency, not a process that outlives the trigger.
  const waited = cmd.attributes?.waits === true;
  const traits = followed.traits.filter((t) => t.kind !== 'benign' && !(waited && t.kind === 'background'));
  let severity = maxSeverity(traits.map((t) => t.severity));
  const notable = traits
    .filter((t) => rank(t.severity) >= rank('medium'))
    .sort((a, b) => rank(b.severity) - rank(a.severity) || Number(INTRINSIC.has(b.kind)) - Number(INTRINSIC.has(a.kind)));
  let headline = notable[0]?.detail ?? '';
  const intrinsic = traits.some((t) => INTRINSIC.has(t.kind) || (t.kind === 'url' && t.severity === 'critical'));
  const background = traits.some((t) => t.kind === 'background' || t.kind === 'hidden-window');

  // A vendor's official installer (uv, rustup, Docker's get script …) is ordinary inside a dev container, whose hooks
  // exist to set the container up. Run by itself on the developer's own machine (install hook, folder open, git hook,
  // initializeCommand) it still installs software nobody asked for: worth a review, not a block.
  const installer = traits.find((t) => t.kind === 'vendor-installer');
  const inContainer = cmd.surface === 'devcontainer' && cmd.attributes?.host !== true;
  if (installer && cmd.automatic && !inContainer && rank(severity) < rank('medium')) {
    severity = 'medium';
    headline = `${installer.detail}: it installs software on this machine ${install ? 'at install time' : 'without being asked'}`;
  } else if (installer && !headline) headline = installer.detail;

  if (cmd.automatic) {
    if (background) {
      severity = 'critical';
      headline = `${traits.find((t) => t.kind === 'background' || t.kind === 'hidden-window')!.detail}: a process that outlives ${install ? 'the install' : 'its trigger'} with no window`;
    }
    if (install && followed.devServer && rank(severity) < rank('high')) {
      severity = 'high';
      headline = 'installing starts the application itself: an install should not run the app';
    }
    if (cmd.surface === 'editor-task') {
      const hidden = cmd.attributes?.hidden;
      if (!followed.benign && rank(severity) < rank('medium')) {
        severity = 'medium';
        headline ||= followed.devServer ? 'starts a dev server or watcher when the folder is opened' : 'runs a command when the folder is opened';
      }
      if (hidden && !followed.benign && !(followed.devServer && !notable.length)) {
        severity = bump(severity);
        headline = `${headline}; the terminal is hidden (${hidden})`;
      }
    }
  } else if (!intrinsic && rank(severity) > rank('high')) {
    // A command someone must start by hand: strong shapes stay visible but do not block alone.
    severity = 'high';
  }
  if (cmd.surface === 'devcontainer' && cmd.attributes?.host !== true && !intrinsic && rank(severity) > rank('high')) {
    severity = 'high';
  }
  const confidence: Confidence = severity === 'critical' ? 'high' : rank(severity) >= rank('medium') ? 'medium' : 'low';

  const evidence: Evidence[] = [{ kind: 'command', value: cmd.command, location: cmd.where }];
  const chains = new Set<string>();
  for (const t of notable.slice(0, 8)) {
    evidence.push({ kind: 'trait', value: `${t.kind}: ${t.detail}`, location: t.file ? { file: t.file, line: t.line } : undefined });
    if (t.chain.length) chains.add(t.chain.join(' → '));
  }
  for (const c of [...chains].slice(0, 5)) evidence.push({ kind: 'chain', value: `${cmd.trigger} → ${c}` });
  for (const u of followed.urls.slice(0, 5)) evidence.push({ kind: 'indicator', value: `${u.url} (${u.description})` });
  return { severity, confidence, headline, traits, benign: followed.benign, devServer: followed.devServer, evidence };
}

/** Turn a judgement into a finding input, or undefined when there is nothing to say. */
export function autoRunFinding(cmd: AutoRunCommand, j: AutoRunJudgement, what: string, floor: Severity = 'low'): FindingInput | undefined {
  if (j.benign && rank(j.severity) < rank('medium')) return undefined;
  const severity = rank(j.severity) < rank(floor) ? floor : j.severity;
  return {
    severity,
    confidence: j.confidence,
    message: `${what} runs \`${cmd.command.length > 120 ? `${cmd.command.slice(0, 117)}…` : cmd.command}\`${j.headline ? `: ${j.headline}` : ''}`,
    location: cmd.where,
    evidence: j.evidence,
    key: `${cmd.trigger}\0${cmd.command}`,
  };
}
