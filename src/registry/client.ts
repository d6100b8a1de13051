/**
 * The registry client: packuments and tarballs through npm-registry-fetch (so .npmrc auth, scoped registries,
 * proxies and CAs work as they do for npm), spec resolution with npm-package-arg and semver, integrity checks with
 * ssri. Every failure becomes a RegistryError with a code and a message a person can act on.
 */
import npmFetch from 'npm-registry-fetch';
import npa from 'npm-package-arg';
import semver from 'semver';
import ssri from 'ssri';
import type { RegistryOptions } from './config.js';
import { DEFAULT_LIMITS } from '../options.js';
import { BodyTooLarge, fetchBounded } from './bounded-body.js';
import { redactCredentialShapes } from '../secrets/shape.js';
import { SecretSet } from '../secrets/secret-set.js';
import { addNpmSettings } from '../secrets/collect.js';

/**
 * `refused`: a 401/403 when no credentials for that registry were sent (npm answers 403 "This package version is not
 * available." for versions it withdrew; that is the registry's word, not a token problem). `unauthorized`: the same
 * status when a token or password for the registry was configured.
 */
export type RegistryErrorCode = 'not-found' | 'unauthorized' | 'refused' | 'unreachable' | 'bad-response' | 'integrity' | 'no-matching-version' | 'bad-spec' | 'too-large' | 'unsupported';

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    /** What the registry said in the error body, bounded and without control characters. */
    readonly registryMessage?: string,
  ) {
    super(message);
  }
}

export interface ResolvedSpec {
  name: string;
  /** What the user asked for: a version, range or tag. */
  requested: string;
}

/** Parse `name`, `name@1.2.3`, `name@^1`, `name@next`, `@scope/name@x`, `npm:<spec>`. */
export function parseSpec(input: string): ResolvedSpec {
  const spec = input.startsWith('npm:') ? input.slice(4) : input;
  if (/^(?:pypi|pip|gem|cargo|go):/i.test(spec)) throw new RegistryError('unsupported', `${input}: only npm packages can be scanned by name so far (npm:<name>[@version])`);
  let parsed;
  try {
    parsed = npa(spec);
  } catch (err) {
    throw new RegistryError('bad-spec', `${input}: not a package spec (${(err as Error).message})`);
  }
  if (!parsed.name || !parsed.registry) {
    throw new RegistryError('bad-spec', `${input}: expected <name>[@version|@range|@tag]; git URLs, paths and tarball URLs are scanned as repositories or archives instead`);
  }
  return { name: parsed.name, requested: parsed.rawSpec && parsed.rawSpec !== '*' ? parsed.rawSpec : 'latest' };
}

/** The error text of a registry's JSON (or short plain-text) error body: `{"error": "..."}`, `{"message": "..."}`. */
function bodyMessage(body: unknown): string | undefined {
  let text: unknown = body;
  if (Buffer.isBuffer(body)) text = body.toString('utf8');
  if (typeof text === 'string') {
    try {
      text = JSON.parse(text);
    } catch {
      // plain text
    }
  }
  if (text && typeof text === 'object') {
    const o = text as Record<string, unknown>;
    text = [o.error, o.message, o.reason].find((v) => typeof v === 'string' && v.trim());
  }
  if (typeof text !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean ? (clean.length > 200 ? `${clean.slice(0, 200)}…` : clean) : undefined;
}

/** True when the options carry a token, password or basic auth that npm-registry-fetch would send to this registry. */
function hasCredentials(registry: string, opts: Record<string, unknown> | undefined): boolean {
  try {
    const u = new URL(registry);
    if (u.username || u.password) return true;
  } catch {
    return false;
  }
  if (!opts) return false;
  let host: string;
  try {
    const u = new URL(registry);
    host = `//${u.host}${u.pathname}`;
  } catch {
    return false;
  }
  return Object.entries(opts).some(([k, v]) => {
    if (typeof v !== 'string' || !v) return false;
    if (/^(?:_authToken|_auth|token)$/.test(k)) return true;
    const m = /^(\/\/.*?):(?:_authToken|_auth|_password|username|certfile|keyfile)$/.exec(k);
    return !!m && host.startsWith(m[1].endsWith('/') ? m[1] : `${m[1]}/`);
  });
}

function wrap(err: unknown, what: string, configured: string, opts?: Record<string, unknown>): RegistryError {
  const registry = redactCredentialShapes(configured);
  const e = err as { code?: string; statusCode?: number; message?: string; body?: unknown };
  const status = e.statusCode;
  const said = bodyMessage(e.body);
  if (status === 404 || e.code === 'E404') return new RegistryError('not-found', `${what}: not found on ${registry}${said ? ` (HTTP 404: "${said}")` : ''}`, said);
  if (status === 401 || status === 403 || e.code === 'E401' || e.code === 'E403') {
    const code = status ?? e.code?.slice(1);
    if (hasCredentials(configured, opts)) {
      return new RegistryError('unauthorized', `${what}: the registry ${registry} refused access (HTTP ${code}${said ? `: "${said}"` : ''}); check the token for this registry in your .npmrc`, said);
    }
    // No credentials went with the request: the registry is declining to serve this, and its own words say why.
    return new RegistryError('refused', `${what}: ${registry} refused to serve it (HTTP ${code}${said ? `: "${said}"` : ''})`, said);
  }
  if (e.code === 'EINTEGRITY') return new RegistryError('integrity', `${what}: the tarball does not match the integrity the registry published; refusing to scan a substituted file`);
  if (e.code === 'EJSONPARSE' || err instanceof SyntaxError || (e.code === 'FETCH_ERROR' && /json/i.test(e.message ?? ''))) return new RegistryError('bad-response', `${what}: the registry answered with invalid JSON`);
  if (status && status >= 400) return new RegistryError('bad-response', `${what}: the registry answered HTTP ${status}`);
  return new RegistryError('unreachable', `${what}: cannot reach ${registry} (${redactCredentialShapes(e.code ?? e.message ?? 'network error')})`);
}

export type Packument = Record<string, unknown> & {
  name?: string;
  'dist-tags'?: Record<string, string>;
  versions?: Record<string, { dist?: { tarball?: string; integrity?: string; shasum?: string; unpackedSize?: number } } & Record<string, unknown>>;
  time?: Record<string, string>;
};

const FETCH_DEFAULTS = { timeout: 30_000, retry: { retries: 1, minTimeout: 200, maxTimeout: 1000 } };

export async function fetchPackument(name: string, opts: RegistryOptions, maxBytes: number = DEFAULT_LIMITS.maxPackumentBytes): Promise<Packument> {
  const registry = npmFetch.pickRegistry(name, opts);
  let doc: Record<string, unknown>;
  try {
    const body = await fetchBounded((signal) => npmFetch(`/${name.replace('/', '%2f')}`, { ...FETCH_DEFAULTS, ...opts, spec: name, headers: { accept: 'application/json' }, signal }), maxBytes);
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new RegistryError('too-large', `${name}: the registry's answer (packument) is too large: ${err.message}`);
    throw wrap(err, name, registry, opts);
  }
  if (!doc || typeof doc !== 'object' || typeof doc.versions !== 'object') {
    throw new RegistryError('bad-response', `${name}: the registry's answer has no versions`);
  }
  return doc as Packument;
}

/** The version `npm install name@requested` would pick. */
export function resolveVersion(p: Packument, spec: ResolvedSpec): string {
  const versions = Object.keys(p.versions ?? {});
  const tags = p['dist-tags'] ?? {};
  if (tags[spec.requested]) return tags[spec.requested];
  if (semver.valid(spec.requested) && versions.includes(spec.requested)) return spec.requested;
  const range = semver.validRange(spec.requested);
  if (range) {
    // npm prefers the `latest` tag when it satisfies the range.
    if (tags.latest && semver.satisfies(tags.latest, range)) return tags.latest;
    const best = semver.maxSatisfying(versions, range);
    if (best) return best;
  }
  throw new RegistryError('no-matching-version', `${spec.name}@${spec.requested}: no published version matches (${versionHint(versions, spec.requested)})`);
}

/**
 * The published versions nearest to the one asked for, in semver order: three below and three above where it would
 * sit (for a range, its lowest admitted version; for a tag, the newest versions).
 */
export function versionHint(versions: string[], requested: string): string {
  const sorted = versions.filter((v) => semver.valid(v)).sort(semver.compare);
  if (!sorted.length) return 'no versions published';
  let anchor: string | null = semver.valid(requested);
  if (!anchor && semver.validRange(requested)) anchor = semver.minVersion(requested)?.version ?? null;
  if (!anchor) return `newest: ${sorted.slice(-5).join(', ')}`;
  const at = sorted.findIndex((v) => semver.gt(v, anchor));
  const i = at < 0 ? sorted.length : at;
  const near = sorted.slice(Math.max(0, i - 3), i + 3);
  return `nearest published: ${near[0] !== sorted[0] ? '…, ' : ''}${near.join(', ')}${near[near.length - 1] !== sorted[sorted.length - 1] ? ', …' : ''}`;
}

export async function fetchTarball(name: string, version: string, p: Packument, opts: RegistryOptions, maxBytes: number): Promise<{ data: Buffer; url: string; integrity: string }> {
  const dist = p.versions?.[version]?.dist;
  const registry = npmFetch.pickRegistry(name, opts);
  if (!dist?.tarball) throw new RegistryError('bad-response', `${name}@${version}: the registry lists no tarball`);
  const integrity = dist.integrity ?? (dist.shasum ? `sha1-${Buffer.from(dist.shasum, 'hex').toString('base64')}` : undefined);
  if (!integrity) throw new RegistryError('integrity', `${name}@${version}: the registry publishes no integrity hash; refusing to scan an unverifiable tarball`);
  let data: Buffer;
  try {
    data = await fetchBounded((signal) => npmFetch(dist.tarball!, { ...FETCH_DEFAULTS, ...opts, spec: name, signal }), maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new RegistryError('too-large', `${name}@${version}: the tarball is too large: ${err.message}`);
    if (err instanceof RegistryError) throw err;
    throw wrap(err, `${name}@${version} tarball`, registry, opts);
  }
  if (!ssri.checkData(data, integrity)) {
    throw new RegistryError('integrity', `${name}@${version}: the tarball does not match the integrity the registry published (${integrity.slice(0, 20)}…); refusing to scan a substituted file`);
  }
  // A registry may echo the token into the tarball URL: what is recorded (provenance) carries none of the settings' secrets.
  return { data, url: addNpmSettings(new SecretSet(), opts).redact(dist.tarball), integrity };
}
