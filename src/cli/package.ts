/** `lurescan package <spec>`: scan the exact tarball `npm install <spec>` would fetch, without installing it. */
import type { Command } from 'commander';
import type { FailOn } from '../options.js';
import { UsageError } from '../usage-error.js';
import { addReportOptions, emitResult, registryInput, type EmitIo } from './emit.js';
import { tightenHeap } from './heap.js';

const HELP = `
Examples:
  $ lurescan package left-pad                 the version \`npm install left-pad\` would get
  $ lurescan package some-helper@^1.2         a range, resolved the way npm resolves it
  $ lurescan package create-something@next    a dist-tag
  $ lurescan package @corp/tool --registry https://npm.corp.example/

The tarball is downloaded with your npm settings (~/.npmrc and the .npmrc here: registry, scoped
registries, tokens, proxy, CA), checked against the integrity the registry published, and read in
memory. Nothing is installed, extracted or run. Registry facts (package age, versions, maintainers,
install scripts new in this version, provenance, security holding versions) become findings too.
`;

export function registerPackageCommand(program: Command, io: EmitIo, setExit: (code: number) => void): void {
  const cmd = program
    .command('package')
    .description('scan an npm package before installing it (fetches the tarball, runs nothing)')
    .argument('<spec>', 'name[@version|@range|@tag], or npm:<spec>')
    .option('--registry <url>', 'registry to ask (default: from .npmrc, else registry.npmjs.org)');
  addReportOptions(cmd, 'package')
    .option('--no-color', 'never use colours')
    .addHelpText('after', HELP)
    .action(async (spec: string, opts) => {
      tightenHeap();
      // Loaded here, not at start-up: the registry client and the scanner are the heavy part of the command.
      const [{ parseSpec }, { scan }] = await Promise.all([import('../registry/client.js'), import('../scan.js')]);
      try {
        parseSpec(spec);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (opts.output) await (await import('../output-file.js')).checkOutputTarget(opts.output, { label: `--output ${opts.output}` });
      const result = await scan(
        { kind: 'npm', spec: spec.startsWith('npm:') ? spec.slice(4) : spec, registry: opts.registry },
        { registry: registryInput(io.env, opts.registry, true) },
      );
      // --no-color makes commander default `color` to true; only an explicit --no-color should decide.
      setExit(await emitResult(io, result, { ...opts, color: opts.color === false ? false : undefined, failOn: opts.failOn as FailOn }));
    });
}
