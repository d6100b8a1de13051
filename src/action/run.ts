/**
 * The Action: inputs → scan → annotations, job summary, PR comment, outputs, exit status. run() never throws;
 * a failure is reported through core.setFailed. Nothing from the scanned code is executed.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { tierUpLater } from '../cli/tiering.js';
import { capYoungGeneration } from '../cli/heap.js';
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
import { writeOutputFile } from '../output-file.js';
import { SecretSet } from '../secrets/secret-set.js';
import { addEnvironment } from '../secrets/collect.js';
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
import type { Package, ScanResult } from '../types.js';
import type { FailOn, ScanOptions } from '../options.js';
import type { RegistryConfigInput } from '../registry/config.js';

/**
 * Registry settings for `deps`: the runner user's .npmrc (actions/setup-node writes one and points
 * NPM_CONFIG_USERCONFIG at it) and npm_config_* variables; never an .npmrc inside the checked-out tree.
 */
function registrySettings(env: NodeJS.ProcessEnv): RegistryConfigInput {
  const file = env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? path.join(env.HOME || os.homedir(), '.npmrc');
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  return { npmrcTexts: text === undefined ? [] : [text], env };
}

/**
 * Every credential the job holds — the token input and credential-named or URL-borne environment variables — in one
 * set: the runner masks them in the log (setSecret), and `redact` removes them (and their encoded forms) from what
 * the runner does not mask: the SARIF and JSON files, annotations, the job summary, the PR comment and messages.
 */
function jobSecrets(env: NodeJS.ProcessEnv, token: string): SecretSet {
  const secrets = addEnvironment(new SecretSet([token], 4), env);
  for (const s of secrets.list()) core.setSecret(s);
  return secrets;
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // The Action is its own process: it lets V8 tier code up later and, on Node 24, keeps the young generation at Node
  // 20's size, as the CLI does (src/cli/tiering.ts, src/cli/heap.ts).
  tierUpLater();
  capYoungGeneration();
  let redact: (s: string) => string = (s) => s;
  try {
    const inputs = parseInputs(env);
    redact = jobSecrets(env, inputs.token).redactor;
    await runWith(inputs, readContext(env), env, redact);
  } catch (err) {
    core.setFailed(`lurescan: ${redact(escapeControl((err as Error).message ?? String(err)))}`);
  }
}

async function runWith(inputs: ActionInputs, ctx: RunContext, env: NodeJS.ProcessEnv, redact: (s: string) => string): Promise<void> {
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  const prefix = path.relative(workspace, inputs.path).split(path.sep).join('/');
  if (prefix.startsWith('..')) core.warning(`input 'path' is outside GITHUB_WORKSPACE; annotation and SARIF paths are relative to the scanned folder`);
  const pathPrefix = prefix.startsWith('..') ? '' : prefix;
  // Octokit's error log is its request log's line for every failed request (`POST /repos/…/comments - 403 …`): the
  // Action catches each of those and explains it in a warning of its own, so the raw line goes to the debug log only.
  const octokitLog = { debug: () => {}, info: () => {}, warn: (m: string) => core.warning(redact(m)), error: (m: string) => core.debug(redact(m)) };
  const gh: GitHubClient | undefined = inputs.token && ctx.repo ? createClient({ token: inputs.token, baseUrl: ctx.apiUrl, userAgent: 'lurescan-action', log: octokitLog }) : undefined;

  // 1. What changed (diff mode, and to know whether a pull request touched the config file).
  const plan: DiffPlan = await changedFilesFor(inputs, ctx, gh, pathPrefix);
  let warned = 0;
  const flushWarnings = () => {
    for (const w of plan.warnings.slice(warned)) core.warning(redact(w));
    warned = plan.warnings.length;
  };
  flushWarnings();

  // 2. Configuration, never taken from a version of the file that the change under scan wrote.
  const { config, source: configSource } = await resolveConfig(inputs, ctx, gh, plan, workspace);
  const failOn: FailOn = inputs.failOn ?? config['fail-on'] ?? ACTION_DEFAULTS.failOn;

  // 3. Scan the whole tree; diff mode narrows the findings afterwards.
  core.info(`lurescan: scanning ${escapeControl(inputs.path)} (${plan.mode} mode${plan.mode === 'diff' ? `, ${plan.changed.size} changed file(s)` : ''})`);
  // Rules the config turns off still run: applyConfig removes their findings and counts them in the report.
  // deps: in diff mode only the dependencies the change adds or changes are fetched (by name, in any changed manifest or lockfile).
  const dependencyFiles = plan.mode === 'diff' ? await plan.dependencyFiles(inputs.path) : undefined;
  const addedNames = new Set([...(dependencyFiles?.values() ?? [])].flatMap((d) => d.added.map((p) => p.name)));
  const options: ScanOptions = {
    // Each file's analysis is kept by content in the runner's user cache; `actions/cache` on that folder carries it
    // from run to run (docs/action.md). Entries are keyed by content and by the code that made them, so a restored
    // cache from another version or another repository is never misread.
    analysisCacheDir: path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'lurescan', 'analysis'),
    ...(inputs.deps
    ? {
        deps: true,
        online: true,
        registry: registrySettings(env),
        cacheDir: path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'lurescan', 'registry'),
        ...(dependencyFiles ? { depsOnly: (p: Package) => addedNames.has(p.name) } : {}),
      }
    : {}),
  };
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
    const findings = selectForDiff(result.findings, { changed: plan.changed, reached, dependencyFiles: dependencyFiles ?? (await plan.dependencyFiles(inputs.path)) });
    result = { ...result, findings, verdict: verdictOf(findings) };
    flushWarnings();
  }
  for (const d of result.diagnostics.filter((x) => x.code === 'suppression-expired')) core.warning(redact(escapeControl(d.message)));
  if (!result.complete) {
    const n = result.diagnostics.filter((d) => d.incomplete).length;
    core.warning(`lurescan: the scan is incomplete (${n} diagnostic(s)): part of the content was not read or analysed, so a pass is not a clean bill; see the job summary`);
  }
  const failed = failOn !== 'never' && verdictRank(result.verdict) >= verdictRank(failOn);

  // 4. Reports: files first, so they exist even if a later step fails.
  await fs.mkdir(path.dirname(inputs.sarifFile), { recursive: true });
  await writeOutputFile(inputs.sarifFile, redact(renderSarif(result, { pathPrefix, category: `lurescan/${pathPrefix || 'root'}` })), { label: `sarif-file ${inputs.sarifFile}`, cwd: workspace });
  const reportJson = path.join(env.RUNNER_TEMP || path.dirname(inputs.sarifFile), ACTION_DEFAULTS.reportJson);
  await writeOutputFile(reportJson, redact(renderJson(result)), { label: reportJson, cwd: workspace });

  for (const line of renderAnnotations(result, { max: inputs.annotations, pathPrefix, errorAt: failOn })) process.stdout.write(`${redact(line)}\n`);

  const note =
    plan.mode === 'diff'
      ? `Diff mode: ${plan.changed.size} changed file(s)${plan.range ? ` (${inlineCode(plan.range)})` : ''}; ${total - result.findings.length} finding(s) in unchanged code not shown.`
      : `Full scan of ${inlineCode(pathPrefix || '.')}.`;
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(redact(renderMarkdown(result, { pathPrefix, note, maxLength: ACTION_DEFAULTS.summaryMaxLength }))).addEOL().write();
    } catch (err) {
      core.warning(redact(`lurescan: could not write the job summary: ${escapeControl((err as Error).message)}`));
    }
  }

  // 5. The PR comment: a failure here is a warning, never a failed scan.
  if (ctx.pull && gh && ctx.repo) {
    try {
      const outcome = await publishComment(gh, ctx.repo, ctx.pull.number, inputs.commentSummaryInPr, failed || result.verdict !== 'pass', (marker) =>
        redact(renderMarkdown(result, { marker, pathPrefix, note, maxLength: ACTION_DEFAULTS.commentMaxLength })), pathPrefix || '.');
      core.info(`lurescan: PR comment ${outcome}`);
    } catch (err) {
      core.warning(redact(explainApiError(err, 'post the PR comment', { repo: `${ctx.repo.owner}/${ctx.repo.repo}`, fork: ctx.pull.fork })));
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

