/**
 * argv → options → scan → reporter → exit code. This file and bin/lurescan.cjs are the only places that touch
 * process.stdout, process.exit and the environment.
 *
 * Start-up: only what defines the commands is imported here (commander, the version, the option definitions).
 * Each action imports what it runs — the scanner, the rules, the reporters, the registry and GitHub clients — when
 * it runs, so `--version`, `--help` and `rules` do not load the parsers and clients a scan needs
 * (docs/BENCHMARKS.md, "CLI start-up"). Keep it that way: a static import of a heavy module here costs every command.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VERSION } from '../version.js';
import { UsageError } from '../usage-error.js';
import type { Config } from '../config/schema.js';
import type { FailOn, ProgressEvent } from '../options.js';
import { escapeControl } from '../reporters/escape.js';
import { defaultSignatureCacheDir, registerSignaturesCommand } from './signatures.js';
import { addReportOptions, cacheDirs, emitResult, EXIT_CODES, registryInput } from './emit.js';
import { registerPackageCommand } from './package.js';
import { registerOrgCommand } from './org.js';
import { heapByTreeSize, releaseYoungGeneration } from './heap.js';

export const EXIT = EXIT_CODES;

const HELP_AFTER = `
What it does:
  Reads the code without running it (no install, no checkout, no hooks) and says
  BLOCK (do not open, install or run), WARN (read by hand first) or PASS, with file:line evidence.

Examples:
  $ lurescan https://github.com/someone/take-home-test      scan a repository before cloning it
  $ lurescan git@github.com:someone/app.git --ref dev       a branch, tag or commit
  $ lurescan ~/Downloads/assignment.zip                      a zip or tarball you were sent
  $ lurescan ./project --format json --output report.json    machine-readable report
  $ lurescan ./project --fail-on warn                        exit 1 on warn too (for scripts and CI)
  $ lurescan rules                                           list every rule
  $ lurescan explain lifecycle-script                        what a rule looks for and why

Exit codes:
  0  verdict below --fail-on (default: block, so warn exits 0)
  1  verdict at or above --fail-on
  2  usage error or the target could not be read
  3  the scan was incomplete and --strict was given
`;

interface MainIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

function progressPrinter(io: MainIo): (e: ProgressEvent) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (e.phase === 'done') {
      io.stderr('\r\x1b[K');
      return;
    }
    if (now - last < 100 && (e.phase === 'rules' || e.phase === 'dependencies' || (e.phase === 'acquire' && e.total !== undefined))) return;
    last = now;
    const msg =
      e.phase === 'acquire' ? (e.total !== undefined ? `listing ${escapeControl(e.message ?? '')}: ${e.total} entries` : `fetching ${escapeControl(e.message ?? '')}`) :
      e.phase === 'inventory' ? (e.total !== undefined ? `reading ${e.total} files` : escapeControl(e.message ?? '')) :
      e.phase === 'dependencies' ? `dependencies ${e.done}/${e.total} ${escapeControl(e.message ?? '')}` :
      `rules ${e.done}/${e.total} ${e.message ?? ''}`;
    io.stderr(`\r\x1b[Klurescan: ${msg.slice(0, 100)}`);
  };
}

async function ruleDocPath(id: string): Promise<string> {
  const { packageRoot } = await import('../signatures/load.js');
  return path.join(packageRoot(), 'docs', 'rules', `${id}.md`);
}

/**
 * The one way out of the process for text: every credential lurescan holds (environment tokens, npm settings, URL
 * credentials on the command line) is collected here, before anything runs, and removed from everything written to
 * stdout, stderr and report files, whatever produced it — a report, an error, a server's echo.
 */
async function guardedIo(argv: string[], io: MainIo): Promise<MainIo & { redact: (s: string) => string }> {
  const [{ SecretSet }, { addArguments, addEnvironment, addNpmSettings }] = await Promise.all([import('../secrets/secret-set.js'), import('../secrets/collect.js')]);
  const secrets = addArguments(addEnvironment(new SecretSet(), io.env), argv);
  // npm settings are read only by the commands that talk to a registry (the others never send them anywhere). The
  // .npmrc of the current folder only for `package`, the one command that uses it (elsewhere it may be the scanned
  // tree's, and a lure must not choose which strings disappear from its report).
  if (argv[0] === 'package' || argv.includes('--online') || argv.some((a) => /^npm:/i.test(a))) {
    const { registryOptions } = await import('../registry/config.js');
    addNpmSettings(secrets, registryOptions(registryInput(io.env, undefined, argv[0] === 'package')));
  }
  const redact = secrets.redactor;
  return { ...io, stdout: (s) => io.stdout(redact(s)), stderr: (s) => io.stderr(redact(s)), redact };
}

export async function main(argv: string[], rawIo: MainIo): Promise<number> {
  const io = await guardedIo(argv, rawIo);
  let exitCode: number = EXIT.ok;
  const program = new Command();
  program
    .enablePositionalOptions()
    .name('lurescan')
    .description('Inspect a repository, archive or npm package for developer-targeted lures before you run it.')
    .version(VERSION, '-v, --version')
    .argument('[target]', 'a folder, a git URL (https://, ssh://, git://, git@host:owner/repo) or a .zip/.tar/.tar.gz archive')
    .option('--ref <ref>', 'branch, tag or commit to scan (git targets)');
  addReportOptions(program, 'target')
    .option('--rule <id...>', 'run only these rules')
    .option('--exclude-rule <id...>', 'skip these rules')
    .option('--config <file>', 'a .lurescan.yml/.json: rules on/off, severities, ignored paths, suppressions (never read unless named here)')
    .option('--online', "ask the npm registry about the repository's dependencies (off by default: it tells the registry what the repo uses)", false)
    .option('--deep', 'with --online or --deps: transitive lockfile entries too, not only direct dependencies', false)
    .option('--deps', "fetch and scan the code of every npm dependency the target would install (implies --online; nothing is installed or run)", false)
    .option('--registry <url>', 'npm registry for --online and npm targets (default: from your ~/.npmrc, else registry.npmjs.org)')
    .option('--cache-dir <dir>', "lurescan's cache folder: registry answers of --online, tarballs of --deps, and each source file's analysis by content so that unchanged files are not parsed again (a tree scanned before, unchanged, gets that scan's answer back), and lurescan's own compiled code (default: $XDG_CACHE_HOME/lurescan or ~/.cache/lurescan)")
    .option('--no-cache', 'neither read nor write the cache folder: every file is analysed afresh, --online asks the registry every time, and lurescan compiles its own code afresh')
    .option('--offline', 'known-malicious packages from the bundled signatures only, not the OSV import of `lurescan signatures update`', false)
    .addOption(new Option('--color', 'force colours').conflicts('noColor'))
    .option('--no-color', 'never use colours')
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run lurescan --help for usage and examples)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (target: string | undefined, opts) => {
      if (!target) {
        io.stdout(program.helpInformation() + HELP_AFTER);
        exitCode = EXIT.usage;
        return;
      }
      const [{ scan }, { parseTarget }, { RULES }] = await Promise.all([import('../scan.js'), import('../target.js'), import('../rules/index.js')]);
      const known = new Set(RULES.map((r) => r.meta.id));
      for (const id of [...(opts.rule ?? []), ...(opts.excludeRule ?? [])]) {
        if (!known.has(id)) throw new UsageError(`unknown rule id "${id}" (lurescan rules lists them)`);
      }
      // A config is only ever the file the user names: a lure cannot ship one that silences it.
      const configFile: string | undefined = opts.config;
      const config: Config = configFile ? (await import('../config/load.js')).loadConfigFile(configFile) : {};
      const scanTarget = parseTarget(target, opts.ref);
      // Refused now rather than after a scan that may take minutes (written with the same checks at the end).
      if (opts.output) await (await import('../output-file.js')).checkOutputTarget(opts.output, { label: `--output ${opts.output}` });
      const showProgress = io.isTTY && !opts.quiet && !io.env.CI;
      const scanned = await scan(scanTarget, {
        ref: opts.ref,
        rules: opts.rule,
        excludeRules: opts.excludeRule,
        signatureCacheDir: opts.offline ? undefined : defaultSignatureCacheDir(io.env),
        onProgress: heapByTreeSize(showProgress ? progressPrinter(io) : undefined),
        // A repository scan never reads the scanned tree's .npmrc, nor the one where the command runs (often the same tree).
        registry: registryInput(io.env, opts.registry, false),
        online: opts.online || opts.deps,
        deep: opts.deep,
        deps: opts.deps,
        ...cacheDirs(opts.cacheDir, opts.cache !== false, io.env),
      }).finally(releaseYoungGeneration); // a large tree's hold (cli/heap.ts) ends with its scan
      let result = scanned;
      if (configFile) {
        const { applyConfig, todayUtc } = await import('../config/apply.js');
        result = applyConfig(scanned, config, { today: todayUtc(), source: configFile });
      }
      // An expired suppression must be seen even in the default text report, which hides non-blocking diagnostics.
      for (const d of result.diagnostics.filter((x) => x.code === 'suppression-expired')) io.stderr(`lurescan: warning: ${escapeControl(d.message)}\n`);
      const failOn = (program.getOptionValueSource('failOn') === 'cli' ? opts.failOn : (config['fail-on'] ?? opts.failOn)) as FailOn;
      exitCode = await emitResult(io, result, { ...opts, failOn });
    });

  registerPackageCommand(program, io, (code) => (exitCode = code));

  registerSignaturesCommand(program, io);

  program
    .command('rules')
    .description('list every rule: id, severity, confidence, techniques, title')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts) => {
      const { RULES } = await import('../rules/index.js');
      if (opts.format === 'json') {
        io.stdout(`${JSON.stringify(RULES.map((r) => r.meta), null, 2)}\n`);
        return;
      }
      const rows = RULES.map((r) => [r.meta.id, r.meta.severity, r.meta.confidence, r.meta.techniques.join(','), r.meta.title]);
      const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), 8));
      io.stdout(`${['ID', 'SEVERITY', 'CONF', 'TECH', 'TITLE'].map((h, i) => (i < 4 ? h.padEnd(w[i]) : h)).join('  ')}\n`);
      for (const r of rows) io.stdout(`${r.map((c, i) => (i < 4 ? c.padEnd(w[i]) : c)).join('  ')}\n`);
      io.stdout(`\n${RULES.length} rules. lurescan explain <id> prints a rule's documentation.\n`);
    });

  program
    .command('explain')
    .description("print a rule's documentation")
    .argument('<rule-id>', 'a rule id from `lurescan rules`')
    .action(async (id: string) => {
      const { RULES } = await import('../rules/index.js');
      const rule = RULES.find((r) => r.meta.id === id);
      if (!rule) throw new UsageError(`unknown rule id "${id}" (lurescan rules lists them)`);
      const docPath = await ruleDocPath(id);
      let doc: string;
      try {
        doc = readFileSync(docPath, 'utf8');
      } catch {
        doc = `# ${rule.meta.id}\n\n${rule.meta.description}\n`;
      }
      io.stdout(doc.endsWith('\n') ? doc : `${doc}\n`);
    });

  registerOrgCommand(program, { ...io, setExit: (code) => (exitCode = code) });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    // The modules an action imports on demand throw UsageError too. They share this class when Node loads them; a
    // loader that keeps separate copies for static and dynamic imports (tsx, in the tests) needs the second check.
    if (err instanceof UsageError || err instanceof (await import('../usage-error.js')).UsageError) {
      io.stderr(`lurescan: ${escapeControl(err.message)}\n(run lurescan --help for usage and examples)\n`);
      return EXIT.usage;
    }
    io.stderr(`lurescan: ${escapeControl((err as Error).message ?? String(err))}\n`);
    if (io.env.LURESCAN_DEBUG) io.stderr(`${(err as Error).stack}\n`);
    return EXIT.usage;
  }
}
