/**
 * URL extraction and classification against the C2 grammar and the IOC list (THREATS T15).
 */
import type { Severity } from '../types.js';
import type { IocIndicator, Signatures, UrlPattern } from '../signatures/types.js';

export interface UrlVerdict {
  url: string;
  severity: Severity;
  /** Why: pattern id, 'ioc', 'ip-literal' or 'free-host'. */
  reason: string;
  description: string;
  ioc?: IocIndicator;
}

// Bounded character classes only: linear on any input.
const URL_RE = /\b(?:https?|wss?|ftp):\/\/[^\s'"`<>|;(){}[\]\\]{1,2048}/gi;

export function extractUrls(text: string, max = 200): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL_RE)) {
    let u = m[0];
    while (u.length && '.,:'.includes(u[u.length - 1])) u = u.slice(0, -1);
    out.push(u);
    if (out.length >= max) break;
  }
  return out;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/;

/**
 * Dotted quads that name no unicast host: an octet over 255 (`256.0.0.1`), multicast (224/4), reserved (240/4) and
 * the broadcast address. URL-parser tests are full of them; nothing can be fetched from them.
 */
export function isNotAHost(host: string): boolean {
  if (!IPV4.test(host)) return false;
  const octets = host.split('.').map(Number);
  return octets.some((o) => o > 255) || octets[0] >= 224;
}

/** RFC 5737 documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24): examples in docs and tests, never routed. */
export function isDocumentationIp(host: string): boolean {
  return /^(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/.test(host);
}

/** Loopback, private, link-local, unspecified and documentation ranges: not where a C2 lives. */
export function isNonPublicIp(host: string): boolean {
  const m = IPV4.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

interface CompiledSignatures {
  patterns: { p: UrlPattern; re: RegExp }[];
  domains: Map<string, IocIndicator>;
  hostPorts: Map<string, IocIndicator>;
  urlPrefixes: IocIndicator[];
  freeHosts: string[];
}

const compiled = new WeakMap<Signatures, CompiledSignatures>();

function compile(sigs: Signatures): CompiledSignatures {
  let c = compiled.get(sigs);
  if (c) return c;
  c = {
    patterns: sigs.urlPatterns.map((p) => ({ p, re: new RegExp(p.regex) })),
    domains: new Map(),
    hostPorts: new Map(),
    urlPrefixes: [],
    freeHosts: sigs.commands.freeHosts,
  };
  for (const i of sigs.iocs) {
    const v = i.value.toLowerCase();
    if (i.type === 'domain' || i.type === 'ip') c.domains.set(v, i);
    else if (i.type === 'ip:port') c.hostPorts.set(v, i);
    else if (i.type === 'url') c.urlPrefixes.push({ ...i, value: v });
  }
  compiled.set(sigs, c);
  return c;
}

/** host[:port]/path?query, lower-cased, without scheme or credentials. */
export function urlBody(url: string): { body: string; host: string; hostPort: string } | undefined {
  const scheme = url.indexOf('://');
  if (scheme <= 0 || !/^[a-z]+$/i.test(url.slice(0, scheme))) return undefined;
  const rest = url.slice(scheme + 3);
  let end = rest.length;
  for (const ch of ['/', '?', '#']) {
    const i = rest.indexOf(ch);
    if (i >= 0 && i < end) end = i;
  }
  const authority = rest.slice(0, end);
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
  if (!hostPort || /\s/.test(hostPort)) return undefined;
  const host = hostPort.replace(/:\d+$/, '');
  return { body: `${hostPort}${rest.slice(end)}`.toLowerCase(), host, hostPort };
}

function hostMatches(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** Classify one URL; undefined when it is unremarkable. */
export function classifyUrl(url: string, sigs: Signatures): UrlVerdict | undefined {
  const parts = urlBody(url);
  if (!parts) return undefined;
  const c = compile(sigs);
  if (isNonPublicIp(parts.host) || isNotAHost(parts.host) || parts.host === 'localhost') return undefined;
  const iocHit =
    c.hostPorts.get(parts.hostPort) ??
    c.urlPrefixes.find((i) => parts.body.startsWith(i.value)) ??
    [...c.domains.values()].find((i) => hostMatches(parts.host, i.value.toLowerCase()));
  if (iocHit) {
    return { url, severity: 'critical', reason: 'ioc', description: `known indicator (${iocHit.campaign}): ${iocHit.context}`, ioc: iocHit };
  }
  let best: UrlVerdict | undefined;
  for (const { p, re } of c.patterns) {
    if (re.test(parts.body) && (!best || rank(p.severity) > rank(best.severity))) {
      best = { url, severity: p.severity, reason: p.id, description: p.description };
    }
  }
  if (best) return best;
  // A documentation address with no C2 convention is an example (the grammar above still catches lures that use one).
  if (isDocumentationIp(parts.host)) return { url, severity: 'low', reason: 'ip-literal', description: 'URL with a documentation-range IP address (RFC 5737) as its host, in no C2 convention' };
  if (IPV4.test(parts.host)) return { url, severity: 'high', reason: 'ip-literal', description: 'URL with a bare public IP address as its host' };
  const free = c.freeHosts.find((h) => hostMatches(parts.host, h));
  if (free) return { url, severity: 'low', reason: 'free-host', description: `free hosting or paste host (${free})` };
  return undefined;
}

export function rank(s: Severity): number {
  return { info: 0, low: 1, medium: 2, high: 3, critical: 4 }[s];
}

export function maxSeverity(list: Severity[], floor: Severity = 'info'): Severity {
  let best = floor;
  for (const s of list) if (rank(s) > rank(best)) best = s;
  return best;
}
