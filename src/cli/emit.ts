/**
 * What every scanning command does after the scan: pick the reporter, write the report, decide the exit code.
 * Shared by `lurescan <target>` and `lurescan package`, so the two can never disagree on a contract.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScanResult } from '../types.js';
import { Option, type Command } from 'commander';
import { DEFAULT_FAIL_ON, type FailOn } from '../options.js';
import type { RegistryConfigInput } from '../registry/config.js';
import { verdictRank } from '../engine/verdict.js';

export interface EmitIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Removes the credentials the process holds from a text (stdout and stderr are already filtered). */
  redact?: (s: string) => string;
}

export interface EmitOptions {
  format?: string;
  output?: string;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  strict?: boolean;
  failOn: FailOn;
}

export const EXIT_CODES = { ok: 0, failOn: 1, usage: 2, incomplete: 3 } as const;

/** The report options every scanning command shares, so their names, choices and defaults cannot drift apart. */
export function addReportOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif', 'markdown']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <verdict>', 'exit 1 when the verdict is at or above this').choices(['block', 'warn', 'never']).default(DEFAULT_FAIL_ON))
    .option('--strict', `exit 3 when part of the ${what} could not be read or analysed`, false)
    .option('-q, --quiet', 'no progress line; print only the report', false)
    .option('--verbose', 'show low and info findings and all diagnostics in the text report', false);
}

/** The report in the chosen format; each reporter is imported when it is the one asked for (SARIF loads every rule's meta). */
async function render(result: ScanResult, opts: EmitOptions, color: boolean): Promise<string> {
  switch (opts.format) {
    case 'json':
      return (await import('../reporters/json.js')).renderJson(result);
    case 'sarif':
      return (await import('../reporters/sarif.js')).renderSarif(result);
    case 'markdown':
      return (await import('../reporters/markdown.js')).renderMarkdown(result);
    default:
      return (await import('../reporters/text.js')).renderText(result, { color, verbose: opts.verbose });
  }
}

export async function emitResult(io: EmitIo, result: ScanResult, opts: EmitOptions): Promise<number> {
  const color = opts.color === true ? true : opts.color === false || io.env.NO_COLOR ? false : io.isTTY && !opts.output;
  const report = await render(result, opts, !!color && (io.isTTY || opts.color === true));
  if (opts.output) {
    const { writeOutputFile } = await import('../output-file.js');
    await writeOutputFile(opts.output, io.redact ? io.redact(report) : report, { label: `--output ${opts.output}` });
    if (!opts.quiet) io.stderr(`lurescan: ${result.verdict} — report written to ${opts.output}\n`);
  } else io.stdout(report);
  if (opts.failOn !== 'never' && verdictRank(result.verdict) >= verdictRank(opts.failOn)) return EXIT_CODES.failOn;
  if (opts.strict && !result.complete) return EXIT_CODES.incomplete;
  return EXIT_CODES.ok;
}

function readIf(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Registry settings as npm would read them: the user's ~/.npmrc (or $npm_config_userconfig), npm_config_* variables,
 * and — only for `lurescan package`, where it is what `npm install` here would use — the .npmrc of the current folder.
 */
export function registryInput(env: NodeJS.ProcessEnv, registry: string | undefined, includeProjectNpmrc: boolean): RegistryConfigInput {
  const home = env.HOME ?? os.homedir();
  const texts = [readIf(env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? path.join(home, '.npmrc'))];
  if (includeProjectNpmrc) texts.push(readIf(path.join(process.cwd(), '.npmrc')));
  return { npmrcTexts: texts.filter((t): t is string => t !== undefined), env, registry };
}

/** lurescan's cache folder: $XDG_CACHE_HOME/lurescan, else ~/.cache/lurescan. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME ?? path.join(env.HOME ?? os.homedir(), '.cache');
  return path.join(base, 'lurescan');
}

export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(defaultCacheRoot(env), 'registry');
}

/** Where registry answers and analysis results go under a cache folder (`--cache-dir`), or nowhere (`--no-cache`). */
export function cacheDirs(root: string | undefined, enabled: boolean, env: NodeJS.ProcessEnv): { cacheDir?: string; analysisCacheDir?: string } {
  if (!enabled) return {};
  const r = path.resolve(root ?? defaultCacheRoot(env));
  return { cacheDir: path.join(r, 'registry'), analysisCacheDir: path.join(r, 'analysis') };
}
