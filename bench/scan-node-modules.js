// Scan every top-level package of this project's node_modules as its own target (all rules) and summarise:
// verdicts, and every finding of medium or above with its rule, file:line and message. The evaluation for issue 4:
// zero blocks expected. Usage: npm run build && node bench/scan-node-modules.js [--json out.json] [--rules a,b]
import { readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { scan } = await import(path.join(ROOT, 'build/index.js'));
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const rules = args.includes('--rules') ? args[args.indexOf('--rules') + 1].split(',') : undefined;
const nm = path.join(ROOT, 'node_modules');
const pkgs = [];
for (const e of readdirSync(nm, { withFileTypes: true })) {
  if (!e.isDirectory() || e.name.startsWith('.')) continue;
  if (e.name.startsWith('@')) {
    for (const s of readdirSync(path.join(nm, e.name), { withFileTypes: true })) if (s.isDirectory()) pkgs.push(`${e.name}/${s.name}`);
  } else pkgs.push(e.name);
}
const rank = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const out = [];
const counts = { block: 0, warn: 0, pass: 0, error: 0 };
const started = Date.now();
for (const name of pkgs.sort()) {
  const dir = path.join(nm, name);
  if (!existsSync(path.join(dir, 'package.json'))) continue;
  try {
    const r = await scan({ kind: 'path', path: dir }, rules ? { rules } : {});
    counts[r.verdict]++;
    const loud = r.findings.filter((f) => rank[f.severity] >= rank.medium);
    out.push({ name, verdict: r.verdict, files: r.stats.files, ms: r.stats.ms, findings: loud.map((f) => ({ rule: f.ruleId, severity: f.severity, confidence: f.confidence, where: `${f.location.file}:${f.location.line ?? ''}`, message: f.message.slice(0, 240) })) });
    if (r.verdict !== 'pass') {
      console.log(`${r.verdict.toUpperCase()} ${name}`);
      for (const f of loud) console.log(`   ${f.severity}/${f.confidence} ${f.ruleId} ${f.location.file}:${f.location.line ?? ''} ${f.message.slice(0, 200)}`);
    }
  } catch (err) {
    counts.error++;
    out.push({ name, verdict: 'error', error: String(err) });
    console.log(`ERROR ${name}: ${err}`);
  }
}
const byRule = {};
for (const p of out) for (const f of p.findings ?? []) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
console.log(`\n${out.length} packages in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.block} block, ${counts.warn} warn, ${counts.pass} pass, ${counts.error} errors`);
console.log(`medium+ findings by rule: ${JSON.stringify(byRule)}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), counts, byRule, packages: out }, null, 2));
