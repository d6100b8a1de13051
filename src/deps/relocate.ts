/**
 * A dependency's findings, moved into the target's result: `index.js:12` of the package becomes
 * `node_modules/<name>/index.js:12`, with `Location.container` the manifest or lockfile that brings the package in and
 * `containerLine` its line (what SARIF, GitHub annotations and diff mode point at, as for a file inside an archive of the
 * tree). The evidence chain starts at the target: the manifest line, then where the target loads the package (the
 * install/start path when it is on it), then the file in the package.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic, Evidence, Finding, Location } from '../types.js';
import type { RequireSite, StartPathSite } from '../analysis/require-sites.js';
import type { DependencyCandidate } from './select.js';

export interface Origin {
  candidate: DependencyCandidate;
  version: string;
  startPath?: StartPathSite;
  site?: RequireSite;
}

function prefixOf(o: Origin): string {
  return `node_modules/${o.candidate.installName}/`;
}

function moved(l: Location, o: Origin): Location {
  const via = o.candidate.via.where;
  return { ...l, file: `${prefixOf(o)}${l.file}`, container: via.file, ...(via.line ? { containerLine: via.line } : {}) };
}

export function chainOf(o: Origin, inner?: Location): string {
  const via = o.candidate.via;
  const steps = [`${via.where.file}${via.where.line ? `:${via.where.line}` : ''} ${via.where.snippet ?? `${via.name}@${via.version ?? via.spec ?? ''}`}`];
  if (o.startPath) steps.push(...o.startPath.chain);
  else if (o.site) steps.push(`${o.site.file}:${o.site.line} ${o.site.snippet}`);
  steps.push(`${o.candidate.name}@${o.version}${inner ? ` ${prefixOf(o)}${inner.file}${inner.line ? `:${inner.line}` : ''}` : ''}`);
  return steps.join(' → ');
}

export function relocateFinding(f: Finding, o: Origin): Finding {
  const label = `${o.candidate.name}@${o.version}`;
  const chain: Evidence = { kind: 'chain', value: chainOf(o, f.location), location: { ...o.candidate.via.where } };
  // The lockfile line too: a change that only bumps the locked version changed that file, not the manifest (diff mode).
  const locked: Evidence[] = o.candidate.lockedAt ? [{ kind: 'package', value: `${label} locked in ${o.candidate.lockedAt.file}`, location: { ...o.candidate.lockedAt } }] : [];
  const load: Evidence[] = o.startPath
    ? [{ kind: 'note', value: `loaded on the path that runs by itself (${o.startPath.chain[0]})`, location: { file: o.startPath.file, line: o.startPath.line, snippet: o.startPath.snippet } }]
    : o.site
      ? [{ kind: 'note', value: `loaded by ${o.site.file}:${o.site.line}`, location: { file: o.site.file, line: o.site.line, snippet: o.site.snippet } }]
      : [];
  return {
    ...f,
    message: `In dependency ${label}: ${f.message}`,
    location: moved(f.location, o),
    evidence: [chain, ...locked, ...load, ...f.evidence.map((e) => (e.location ? { ...e, location: moved(e.location, o) } : e))],
    fingerprint: createHash('sha256').update(`${f.fingerprint}\0${o.candidate.name}\0${o.version}`).digest('hex').slice(0, 32),
  };
}

export function relocateDiagnostic(d: Diagnostic, o: Origin): Diagnostic {
  return { ...d, message: `${o.candidate.name}@${o.version}: ${d.message}`, ...(d.file ? { file: `${prefixOf(o)}${d.file}` } : {}) };
}
