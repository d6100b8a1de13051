/**
 * `lurescan org <org>` and `lurescan org merge`: argv and environment → scanOrg/mergeReports → a report and an
 * exit code. The token comes from GITHUB_TOKEN or GH_TOKEN only, and is scrubbed from everything printed.
 */
import { Command, Option } from 'commander';
import { promises as fs } from 'node:fs';
import { DEFAULT_API_URL } from '../github/api-url.js';
import type { OrgEvent } from '../org/run.js';
import type { OrgReport, OrgVerdict } from '../org/types.js';
import { DEFAULT_ORG_LIMITS } from '../options.js';
import { escapeControl } from '../reporters/escape.js';
import { UsageError } from '../usage-error.js';
import { defaultSignatureCacheDir } from './signatures.js';
import { cacheDirs } from './emit.js';
import { tightenHeap } from './heap.js';

export interface OrgIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Set by an action to the exit code main() returns. */
  setExit: (code: number) => void;
  /** Removes the credentials the process holds from a text (stdout and stderr are already filtered). */
  redact?: (s: string) => string;
}

const FORMATS = ['text', 'json', 'html', 'sarif', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

const ORG_HELP = `
Token: read from GITHUB_TOKEN or GH_TOKEN (never a flag). Private repositories on the API's host are fetched
with it; it is never printed. Without one, only public repositories are listed, at 60 API requests an hour.

Examples:
  $ GITHUB_TOKEN=… lurescan org acme --format html --output acme.html
  $ lurescan org acme --user alice --user bob --include-forks
  $ lurescan org acme --api-url https://ghe.example.com/api/v3        GitHub Enterprise Server
  $ lurescan org acme --shard 2/4 --format json --output shard-2.json one of four matrix jobs
  $ lurescan org merge shard-*.json --format sarif --output org.sarif

Every repository ends as block, warn, pass or error (not scanned, with the reason, after retries). Unchanged
repositories (same default-branch HEAD, signatures and lurescan version) are reported from the state
directory without fetching; a run that was stopped continues where it left off.

Exit codes: 0 below --fail-on · 1 a repository at or above --fail-on · 2 usage or fatal error (merge: shards
missing or duplicated) · 3 with --strict, a repository errored or was scanned incompletely
`;

/** The report in one format; the reporters (and the GitHub client and scanner below) load when a command runs, not at start-up. */
async function render(report: OrgReport, format: Format): Promise<string> {
  if (format === 'html') return (await import('../org/html.js')).renderOrgHtml(report);
  const { renderOrgJson, renderOrgMarkdown, renderOrgSarif, renderOrgText } = await import('../org/report.js');
  switch (format) {
    case 'json':
      return renderOrgJson(report);
    case 'sarif':
      return renderOrgSarif(report);
    case 'markdown':
      return renderOrgMarkdown(report);
    default:
      return renderOrgText(report);
  }
}

function exitFor(report: OrgReport, failOn: string, strict: boolean): number {
  const rank: Record<OrgVerdict | 'never', number> = { pass: 0, warn: 1, block: 2, error: -1, never: 3 };
  const worst = Math.max(0, ...report.repositories.map((e) => rank[e.verdict]));
  if (failOn !== 'never' && worst >= rank[failOn as OrgVerdict]) return 1;
  if (strict && report.repositories.some((e) => e.verdict === 'error' || !e.complete)) return 3;
  return 0;
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`${name} must be a whole number from 1 to 1000, not "${v}"`);
    return n;
  };
}

/** A person at a terminal sees repos done/total, rate and ETA on one line; CI logs get nothing unless --progress. */
function progress(io: OrgIo, redact: (s: string) => string, forced: boolean) {
  const started = Date.now();
  let lastLine = 0;
  let total = 0;
  const counts: Record<OrgVerdict, number> = { block: 0, warn: 0, pass: 0, error: 0 };
  const line = (s: string) => (io.isTTY ? io.stderr(`\r\x1b[K${s}`) : io.stderr(`${s}\n`));
  return {
    event(e: OrgEvent, quiet: boolean) {
      if (e.type === 'listed') {
        total = e.inShard;
        if (!quiet) io.stderr(`lurescan: ${e.total} repositories listed${e.inShard !== e.total ? `, ${e.inShard} in this shard` : ''}\n`);
        return;
      }
      if (e.type === 'retry' || e.type === 'warning') {
        if (quiet) return;
        const msg = e.type === 'retry' ? `${e.fullName}: attempt ${e.attempt} failed (${e.reason}); retrying in ${Math.round(e.delayMs / 100) / 10}s` : e.message;
        if (io.isTTY) io.stderr('\r\x1b[K');
        io.stderr(`lurescan: ${escapeControl(redact(msg))}\n`);
        return;
      }
      counts[e.entry.verdict]++;
      if (!forced) return;
      const now = Date.now();
      if (e.done < e.total && now - lastLine < (io.isTTY ? 200 : 5_000)) return;
      lastLine = now;
      const secs = (now - started) / 1000;
      const rate = e.done / Math.max(secs, 0.001);
      const eta = rate > 0 ? Math.round((total - e.done) / rate) : 0;
      const etaText = `${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}`;
      line(`lurescan org: ${e.done}/${total} repos · ${rate.toFixed(1)} repo/s · ETA ${etaText} · ${counts.block} block, ${counts.warn} warn, ${counts.error} error`);
    },
    end() {
      if (forced && io.isTTY) io.stderr('\n');
    },
  };
}

async function emit(io: OrgIo, text: string, output: string | undefined, quiet: boolean, summary: string): Promise<void> {
  if (output) {
    const { writeOutputFile } = await import('../output-file.js');
    await writeOutputFile(output, io.redact ? io.redact(text) : text, { label: `--output ${output}` });
    if (!quiet) io.stderr(`lurescan: ${summary} — report written to ${output}\n`);
  } else io.stdout(text);
}

function summaryOf(r: OrgReport): string {
  const t = r.totals;
  return `${t.repos} repositories: ${t.block} block, ${t.warn} warn, ${t.pass} pass, ${t.error} error`;
}

export function registerOrgCommand(program: Command, io: OrgIo): void {
  const org = program
    .command('org')
    .description('scan every repository of a GitHub organisation (and listed users); `org merge` combines shard reports')
    .argument('<org>', 'organisation login (use --user alone with "-" to scan only users)')
    .option('--user <login...>', 'also scan the repositories this user owns (repeatable)')
    .option('--api-url <url>', `GitHub REST API base URL; GitHub Enterprise Server: https://HOST/api/v3 (default: $GITHUB_API_URL or ${DEFAULT_API_URL})`)
    .option('--concurrency <n>', 'repositories scanned at once', positiveInt('--concurrency'), DEFAULT_ORG_LIMITS.concurrency)
    .option('--attempts <n>', 'attempts per repository before it is reported as error', positiveInt('--attempts'), DEFAULT_ORG_LIMITS.attempts)
    .option('--retry-base-ms <ms>', 'back-off before the second attempt (doubles each time)', (v) => Math.max(0, Number(v) || 0), DEFAULT_ORG_LIMITS.retryBaseMs)
    .option('--include-forks', 'scan forks too', false)
    .option('--include-archived', 'scan archived repositories too', false)
    .option('--state-dir <dir>', 'where finished repositories are remembered (default: the user cache directory)')
    .option('--no-state', 'neither read nor write the state directory: scan everything')
    .option('--cache-dir <dir>', "lurescan's cache folder, where each source file's analysis is kept by content (default: $XDG_CACHE_HOME/lurescan or ~/.cache/lurescan)")
    .option('--no-cache', 'neither read nor write the analysis cache')
    .option('--shard <i/n>', 'scan only shard i of n (stable by repository name); combine with `org merge`')
    .addOption(new Option('--format <format>', 'report format').choices([...FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <verdict>', 'exit 1 when a repository is at or above this').choices(['block', 'warn', 'never']).default('block'))
    .option('--strict', 'exit 3 when a repository errored or was scanned incompletely', false)
    .option('--offline', 'known-malicious packages from the bundled signatures only, not the OSV import of `lurescan signatures update`', false)
    .option('--progress', 'show progress even when stderr is not a terminal or CI is set', false)
    .option('-q, --quiet', 'no progress, warnings or summary on stderr', false)
    .addHelpText('after', ORG_HELP)
    .action(async (orgLogin: string, opts) => {
      tightenHeap();
      const [{ createClient }, { scanOrg, redactor }, { defaultStateDir, StateStore }] = await Promise.all([
        import('../github/client.js'),
        import('../org/run.js'),
        import('../org/state.js'),
      ]);
      const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN || undefined;
      const redact = redactor(token);
      const apiUrl = String(opts.apiUrl ?? io.env.GITHUB_API_URL ?? DEFAULT_API_URL);
      let parsed: URL;
      try {
        parsed = new URL(apiUrl);
      } catch {
        throw new UsageError(`--api-url must be an http(s) URL, not "${redact(apiUrl)}"`);
      }
      if (!/^https?:$/.test(parsed.protocol)) throw new UsageError('--api-url must be an http(s) URL');
      if (parsed.username || parsed.password) throw new UsageError('--api-url must not carry credentials; put the token in GITHUB_TOKEN');
      const users: string[] = opts.user ?? [];
      const orgName = orgLogin === '-' ? undefined : orgLogin;
      if (!orgName && !users.length) throw new UsageError('give an organisation, or "-" with at least one --user');
      const shard = opts.shard ? await parseShardOrUsage(opts.shard) : undefined;
      // Refused now rather than after scanning every repository (written with the same checks at the end).
      if (opts.output) await (await import('../output-file.js')).checkOutputTarget(opts.output, { label: `--output ${opts.output}` });
      const quiet = !!opts.quiet;
      if (!token && !quiet) io.stderr('lurescan: no GITHUB_TOKEN or GH_TOKEN: listing public repositories only, at the unauthenticated rate limit\n');
      const warn = (m: string) => {
        if (!quiet) io.stderr(`lurescan: ${escapeControl(redact(m))}\n`);
      };
      // Octokit's request log reports every non-2xx answer as an error, including the 304s that conditional HEAD
      // requests are meant to get: those are the good news, not a problem.
      const error = (m: string) => {
        if (!/ - 304 with id /.test(m)) warn(m);
      };
      const client = createClient({ token: token ?? '', baseUrl: apiUrl, log: { debug: () => {}, info: () => {}, warn, error }, maxRateLimitRetries: 4 });
      const state = opts.state === false ? undefined : new StateStore(opts.stateDir ?? defaultStateDir(io.env), `${parsed.host}${parsed.pathname}`);
      const showProgress = !quiet && (opts.progress || (io.isTTY && !io.env.CI));
      const p = progress(io, redact, showProgress);
      let report: OrgReport;
      try {
        report = await scanOrg({
          client,
          apiUrl,
          org: orgName,
          users,
          includeForks: opts.includeForks,
          includeArchived: opts.includeArchived,
          shard,
          state,
          token,
          limits: { concurrency: opts.concurrency, attempts: opts.attempts, retryBaseMs: opts.retryBaseMs },
          scanOptions: { signatureCacheDir: opts.offline ? undefined : defaultSignatureCacheDir(io.env), analysisCacheDir: cacheDirs(opts.cacheDir, opts.cache !== false, io.env).analysisCacheDir },
          onEvent: (e) => p.event(e, quiet),
        });
      } catch (err) {
        // The cause is dropped on purpose: Octokit errors carry the request, whose headers hold the token.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(redact(`could not list repositories: ${(err as Error).message ?? String(err)}`));
      } finally {
        p.end();
      }
      await emit(io, redact(await render(report, opts.format)), opts.output, quiet, summaryOf(report));
      io.setExit(exitFor(report, opts.failOn, opts.strict));
    });

  org
    .command('merge')
    .description('combine shard reports (JSON from --shard i/n) into one report; fails when a shard or repository is missing or duplicated')
    .argument('<shard-results...>', 'JSON reports written by `lurescan org … --shard i/n --format json`')
    .addOption(new Option('--format <format>', 'report format').choices([...FORMATS]).default('json'))
    .option('-o, --output <file>', 'write the merged report to a file instead of stdout')
    .addOption(new Option('--fail-on <verdict>', 'exit 1 when a repository is at or above this').choices(['block', 'warn', 'never']).default('block'))
    .option('--strict', 'exit 3 when a repository errored or was scanned incompletely', false)
    .option('-q, --quiet', 'no summary on stderr', false)
    .action(async (files: string[], opts) => {
      const { mergeReports, isOrgReport } = await import('../org/merge.js');
      const reports: OrgReport[] = [];
      for (const f of files) {
        let data: unknown;
        try {
          data = JSON.parse(await fs.readFile(f, 'utf8'));
        } catch (err) {
          throw new UsageError(`${f}: not a readable JSON report (${(err as Error).message})`);
        }
        if (!isOrgReport(data)) throw new UsageError(`${f}: not a lurescan org report (write shards with --format json)`);
        reports.push(data);
      }
      const { report, problems, notes } = mergeReports(reports);
      for (const n of notes) if (!opts.quiet) io.stderr(`lurescan: note: ${escapeControl(n)}\n`);
      await emit(io, await render(report, opts.format), opts.output, !!opts.quiet, summaryOf(report));
      if (problems.length) {
        for (const pr of problems) io.stderr(`lurescan: merge: ${escapeControl(pr)}\n`);
        io.setExit(2);
        return;
      }
      io.setExit(exitFor(report, opts.failOn, opts.strict));
    });
}

async function parseShardOrUsage(spec: string) {
  const { parseShard } = await import('../org/shard.js');
  try {
    return parseShard(spec);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
