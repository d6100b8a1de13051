/**
 * `lurescan signatures stats` and `lurescan signatures update [--from FILE|URL]`. Registered on the main program by
 * registerSignaturesCommand; errors are thrown and main() maps them to exit codes.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { osvZipUrl, OSV_ECOSYSTEMS } from '../signatures/osv-feed.js';
import type { IndexReader } from '../signatures/package-db.js';
import { escapeControl } from '../reporters/escape.js';

export interface SignaturesIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

/** $LURESCAN_SIGNATURES_DIR, else $XDG_CACHE_HOME/lurescan/signatures, else ~/.cache/lurescan/signatures. */
export function defaultSignatureCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.LURESCAN_SIGNATURES_DIR) return path.resolve(env.LURESCAN_SIGNATURES_DIR);
  return path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(env.HOME ?? os.homedir(), '.cache'), 'lurescan', 'signatures');
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

interface IndexStats {
  name: string;
  file: string;
  bytes?: number;
  generated: string;
  records: number;
  packages: Record<string, number>;
  campaigns: number;
}

function statsOf(idx: IndexReader, file: string): IndexStats {
  const packages: Record<string, number> = {};
  for (const eco of ['npm', 'PyPI'] as const) if (idx.names[eco] !== undefined) packages[eco] = idx.names[eco]!;
  return { name: idx.name, file, bytes: sizeOf(file), generated: idx.generated, records: idx.records, packages, campaigns: idx.campaigns.length };
}

export function registerSignaturesCommand(program: Command, io: SignaturesIo): void {
  const cmd = program.command('signatures').description('show or update the signature database (known-malicious packages, IOCs, patterns)');

  cmd
    .command('stats')
    .description('what is loaded: package records per ecosystem and source, IOC counts, version, dates, load time')
    .option('--format <format>', 'text or json', 'text')
    .option('--signatures-dir <dir>', 'where `signatures update` keeps the OSV import (default $LURESCAN_SIGNATURES_DIR or ~/.cache/lurescan/signatures)')
    .option('--offline', 'the bundled set only, ignoring the OSV cache', false)
    .action(async (opts: { format: string; signaturesDir?: string; offline: boolean }) => {
      const [{ BUNDLED_INDEX, CACHE_INDEX, loadSignatures, packageRoot }, { readCacheMeta }] = await Promise.all([import('../signatures/load.js'), import('../signatures/update.js')]);
      const offline = opts.offline || program.getOptionValueSource('offline') === 'cli';
      const cacheDir = offline ? undefined : path.resolve(opts.signaturesDir ?? defaultSignatureCacheDir(io.env));
      const t0 = performance.now();
      const sigs = loadSignatures(undefined, { cacheDir });
      const indexes = sigs.packages.indexes();
      const ms = performance.now() - t0;
      const files = [path.join(packageRoot(), 'signatures', BUNDLED_INDEX), ...(cacheDir ? [path.join(cacheDir, CACHE_INDEX)] : [])];
      const stats = indexes.map((idx) => statsOf(idx, idx.name === 'bundled' ? files[0] : files[1] ?? ''));
      const iocTypes: Record<string, number> = {};
      for (const i of sigs.iocs) iocTypes[i.type] = (iocTypes[i.type] ?? 0) + 1;
      const meta = cacheDir ? readCacheMeta(cacheDir) : undefined;
      const out = {
        version: sigs.version,
        offline: !cacheDir,
        cacheDir: cacheDir ?? null,
        packageIndexes: stats,
        osvImport: meta ? { imported: meta.imported, sources: meta.sources, skipped: meta.skipped } : null,
        iocs: { total: sigs.iocs.length, campaigns: new Set(sigs.iocs.map((i) => i.campaign)).size, byType: iocTypes },
        urlPatterns: sigs.urlPatterns.length,
        popularNames: { npm: sigs.popular.npm.size, npmKnownDistinct: sigs.popular.npmDistinct.size, npmHighImpact: sigs.popular.npmHighImpact.size },
        loadMs: Math.round(ms * 10) / 10,
        errors: sigs.packages.errors,
      };
      // The main program has its own --format; depending on where it is written commander gives it to either.
      const format = opts.format !== 'text' ? opts.format : program.getOptionValueSource('format') === 'cli' ? String(program.opts().format) : 'text';
      if (format === 'json') {
        io.stdout(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const lines = [`lurescan signatures ${sigs.version}`, '', 'Known-malicious packages (OSV-shaped records):'];
      for (const s of stats) {
        const ecos = Object.entries(s.packages).map(([e, n]) => `${e} ${n.toLocaleString('en-US')}`).join(', ');
        lines.push(
          `  ${s.name === 'bundled' ? 'bundled  ' : 'OSV cache'}  ${s.records.toLocaleString('en-US')} records (${ecos} names), ${s.campaigns} campaigns, ` +
            `${s.name === 'bundled' ? 'compiled' : 'imported'} ${s.generated.slice(0, 10)}, ${escapeControl(s.file)}${s.bytes !== undefined ? ` (${kib(s.bytes)})` : ''}`,
        );
      }
      if (!cacheDir) lines.push('  OSV cache  not used (--offline)');
      else if (!stats.some((s) => s.name === 'osv')) lines.push(`  OSV cache  none in ${escapeControl(cacheDir)} (run \`lurescan signatures update\`)`);
      if (meta) lines.push(`             from ${meta.sources.map(escapeControl).join(', ')}; skipped ${meta.skipped.notMalicious} non-MAL, ${meta.skipped.invalid} invalid, ${meta.skipped.otherEcosystem} other-ecosystem records`);
      for (const e of sigs.packages.errors) lines.push(`  ! ${escapeControl(e.file)}: ${escapeControl(e.message)}`);
      lines.push('', `IOCs: ${out.iocs.total} in ${out.iocs.campaigns} campaigns (${Object.entries(iocTypes).map(([t, n]) => `${t} ${n}`).join(', ')})`);
      lines.push(`URL patterns: ${out.urlPatterns}; popular npm names: ${out.popularNames.npm} (+${out.popularNames.npmKnownDistinct} known distinct, ${out.popularNames.npmHighImpact} high-impact established)`);
      lines.push(`Package indexes loaded in ${out.loadMs} ms`);
      io.stdout(`${lines.join('\n')}\n`);
    });

  cmd
    .command('update')
    .description(`import OSV malicious-package records (MAL- ids, ${OSV_ECOSYSTEMS.join(' and ')}) into the local cache that scans merge with the bundled set`)
    .option('--from <file-or-url...>', `OSV all.zip files or URLs (default: ${OSV_ECOSYSTEMS.map(osvZipUrl).join(' and ')})`)
    .option('--signatures-dir <dir>', 'where to keep the import (default $LURESCAN_SIGNATURES_DIR or ~/.cache/lurescan/signatures)')
    .action(async (opts: { from?: string[]; signaturesDir?: string }) => {
      const { updateSignatureCache } = await import('../signatures/update.js');
      const cacheDir = path.resolve(opts.signaturesDir ?? defaultSignatureCacheDir(io.env));
      const t0 = performance.now();
      const r = await updateSignatureCache({ from: opts.from, cacheDir, onProgress: (m) => io.stderr(`lurescan: ${escapeControl(m)}\n`) });
      const ecos = Object.entries(r.counts).map(([e, n]) => `${e} ${n}`).join(', ');
      io.stdout(
        `Imported ${r.records.toLocaleString('en-US')} MAL- records (${ecos || 'none'}) into ${escapeControl(r.indexFile)} (${kib(r.indexBytes)}) in ${Math.round(performance.now() - t0)} ms.\n` +
          `Skipped: ${r.skipped.notMalicious} non-MAL, ${r.skipped.otherEcosystem} other ecosystems, ${r.skipped.invalid} invalid, ${r.skipped.unreadable} unreadable.\n` +
          r.invalidSamples.map((s) => `  invalid: ${escapeControl(s)}\n`).join('') +
          'Scans now merge it with the bundled set; `lurescan --offline` uses the bundled set only.\n',
      );
    });
}
