/**
 * The Action: inputs → scan → annotations, job summary, PR comment, outputs, exit status. run() never throws;
 * a failure is reported through core.setFailed. Nothing from the scanned code is executed.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { scanWorkspace } from '../scan.js';
import { resolveOptions } from '../options.js';
import { acquireLocal } from '../acquire/local.js';
import { loadSignatures } from '../signatures/load.js';
import { verdictOf, verdictRank } from '../engine/verdict.js';
import { renderJson } from '../reporters/json.js';
import { renderSarif } from '../reporters/sarif.js';
import { inlineCode, renderMarkdown } from '../reporters/markdown.js';
import { renderAnnotations } from '../reporters/github.js';
import { escapeControl } from '../reporters/escape.js';
import { applyConfig, todayUtc } from '../config/apply.js';
import { createClient, type GitHubClient } from '../github/client.js';
import { explainApiError } from '../github/errors.js';
import { ACTION_DEFAULTS, parseInputs, type ActionInputs } from './inputs.js';
import { readContext, type RunContext } from './context.js';
import { resolveConfig } from './config.js';
import { changedFilesFor, type DiffPlan } from './changes.js';
import { selectForDiff } from './diff.js';
import { reachedFrom } from './reach.js';
import { publishComment } from './comment.js';
import type { ScanResult } from '../types.js';
import type { FailOn } from '../options.js';

/** Replace the token wherever it might have slipped into a message. */
function redact(s: string, token: string): string {
  return token ? s.split(token).join('***') : s;
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let token = '';
  try {
    const inputs = parseInputs(env);
    token = inputs.token;
    if (token) core.setSecret(token);
    await runWith(inputs, readContext(env), env);
  } catch (err) {
    core.setFailed(`lurescan: ${redact(escapeControl((err as Error).message ?? String(err)), token)}`);
  }
}

async function runWith(inputs: ActionInputs, ctx: RunContext, env: NodeJS.ProcessEnv): Promise<void> {
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  const prefix = path.relative(workspace, inputs.path).split(path.sep).join('/');
  if (prefix.startsWith('..')) core.warning(`input 'path' is outside GITHUB_WORKSPACE; annotation and SARIF paths are relative to the scanned folder`);
  const pathPrefix = prefix.startsWith('..') ? '' : prefix;
  // Octokit's error log is its request log's line for every failed request (`POST /repos/…/comments - 403 …`): the
  // Action catches each of those and explains it in a warning of its own, so the raw line goes to the debug log only.
  const octokitLog = { debug: () => {}, info: () => {}, warn: (m: string) => core.warning(redact(m, inputs.token)), error: (m: string) => core.debug(redact(m, inputs.token)) };
  const gh: GitHubClient | undefined = inputs.token && ctx.repo ? createClient({ token: inputs.token, baseUrl: ctx.apiUrl, userAgent: 'lurescan-action', log: octokitLog }) : undefined;

  // 1. What changed (diff mode, and to know whether a pull request touched the config file).
  const plan: DiffPlan = await changedFilesFor(inputs, ctx, gh, pathPrefix);
  let warned = 0;
  const flushWarnings = () => {
    for (const w of plan.warnings.slice(warned)) core.warning(redact(w, inputs.token));
    warned = plan.warnings.length;
  };
  flushWarnings();

  // 2. Configuration, never taken from a version of the file that the change under scan wrote.
  const { config, source: configSource } = await resolveConfig(inputs, ctx, gh, plan, workspace);
  const failOn: FailOn = inputs.failOn ?? config['fail-on'] ?? ACTION_DEFAULTS.failOn;

  // 3. Scan the whole tree; diff mode narrows the findings afterwards.
  core.info(`lurescan: scanning ${escapeControl(inputs.path)} (${plan.mode} mode${plan.mode === 'diff' ? `, ${plan.changed.size} changed file(s)` : ''})`);
  // Rules the config turns off still run: applyConfig removes their findings and counts them in the report.
  const options = {};
  const signatures = loadSignatures();
  const ws = await acquireLocal(inputs.path, resolveOptions(options).limits);
  let result: ScanResult;
  let reached = new Set<string>();
  try {
    result = await scanWorkspace(ws, options, signatures);
    if (plan.mode === 'diff') reached = await reachedFrom(ws, plan.changed, signatures);
  } finally {
    await ws.dispose();
  }
  if (configSource) result = applyConfig(result, config, { today: todayUtc(), source: configSource });
  const total = result.findings.length;
  if (plan.mode === 'diff') {
    const findings = selectForDiff(result.findings, { changed: plan.changed, reached, dependencyFiles: await plan.dependencyFiles(inputs.path) });
    result = { ...result, findings, verdict: verdictOf(findings) };
    flushWarnings();
  }
  for (const d of result.diagnostics.filter((x) => x.code === 'suppression-expired')) core.warning(escapeControl(d.message));
  if (!result.complete) {
    const n = result.diagnostics.filter((d) => d.incomplete).length;
    core.warning(`lurescan: the scan is incomplete (${n} diagnostic(s)): part of the content was not read or analysed, so a pass is not a clean bill; see the job summary`);
  }
  const failed = failOn !== 'never' && verdictRank(result.verdict) >= verdictRank(failOn);

  // 4. Reports: files first, so they exist even if a later step fails.
  await fs.mkdir(path.dirname(inputs.sarifFile), { recursive: true });
  await fs.writeFile(inputs.sarifFile, renderSarif(result, { pathPrefix, category: `lurescan/${pathPrefix || 'root'}` }));
  const reportJson = path.join(env.RUNNER_TEMP || path.dirname(inputs.sarifFile), ACTION_DEFAULTS.reportJson);
  await fs.writeFile(reportJson, renderJson(result));

  for (const line of renderAnnotations(result, { max: inputs.annotations, pathPrefix, errorAt: failOn })) process.stdout.write(`${line}\n`);

  const note =
    plan.mode === 'diff'
      ? `Diff mode: ${plan.changed.size} changed file(s)${plan.range ? ` (${inlineCode(plan.range)})` : ''}; ${total - result.findings.length} finding(s) in unchanged code not shown.`
      : `Full scan of ${inlineCode(pathPrefix || '.')}.`;
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(renderMarkdown(result, { pathPrefix, note, maxLength: ACTION_DEFAULTS.summaryMaxLength })).addEOL().write();
    } catch (err) {
      core.warning(`lurescan: could not write the job summary: ${escapeControl((err as Error).message)}`);
    }
  }

  // 5. The PR comment: a failure here is a warning, never a failed scan.
  if (ctx.pull && gh && ctx.repo) {
    try {
      const outcome = await publishComment(gh, ctx.repo, ctx.pull.number, inputs.commentSummaryInPr, failed || result.verdict !== 'pass', (marker) =>
        renderMarkdown(result, { marker, pathPrefix, note, maxLength: ACTION_DEFAULTS.commentMaxLength }), pathPrefix || '.');
      core.info(`lurescan: PR comment ${outcome}`);
    } catch (err) {
      core.warning(redact(explainApiError(err, 'post the PR comment', { repo: `${ctx.repo.owner}/${ctx.repo.repo}`, fork: ctx.pull.fork }), inputs.token));
    }
  }

  core.setOutput('verdict', result.verdict);
  core.setOutput('findings-count', String(result.findings.length));
  core.setOutput('sarif-file', inputs.sarifFile);
  core.setOutput('report-json', reportJson);
  const summaryLine = `lurescan: ${result.verdict.toUpperCase()} — ${result.findings.length} finding(s)${result.complete ? '' : ', scan incomplete'}`;
  if (failed) core.setFailed(`${summaryLine} (fail-on: ${failOn})`);
  else core.info(summaryLine);
}

