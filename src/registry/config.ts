/**
 * Registry settings the way npm reads them: .npmrc files (the user's, then the project's from where the command
 * runs — never the scanned repository's), then npm_config_* environment variables, then an explicit --registry.
 * Keys are passed to npm-registry-fetch as npm itself does: `registry`, `@scope:registry`, `//host/:_authToken`,
 * `proxy`, `https-proxy`, `noproxy`, `ca`, `cafile`, `strict-ssl`. The shells collect the texts; this module only parses.
 */
import { parse as parseIni } from 'ini';

export interface RegistryConfigInput {
  /** .npmrc file contents, lowest precedence first. */
  npmrcTexts?: string[];
  /** Environment variables (only npm_config_* are read). */
  env?: Record<string, string | undefined>;
  /** --registry, highest precedence. */
  registry?: string;
}

export type RegistryOptions = Record<string, unknown> & { registry: string };

const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

function expandEnv(v: string, env: Record<string, string | undefined>): string {
  return v.replace(/\$\{(\w+)\}/g, (_, k: string) => env[k] ?? '');
}

export function registryOptions(input: RegistryConfigInput = {}): RegistryOptions {
  const env = input.env ?? {};
  const out: Record<string, unknown> = {};
  for (const text of input.npmrcTexts ?? []) {
    let parsed: Record<string, unknown>;
    try {
      parsed = parseIni(text);
    } catch {
      continue;
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string') out[k] = expandEnv(v, env);
      else if (typeof v === 'boolean') out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(env)) {
    const m = /^npm_config_(.+)$/i.exec(k);
    if (m && v !== undefined) out[m[1].toLowerCase().replace(/_/g, '-')] = v;
  }
  if (input.registry) out.registry = input.registry;
  let registry = typeof out.registry === 'string' && out.registry ? out.registry : DEFAULT_REGISTRY;
  if (!registry.endsWith('/')) registry += '/';
  out.registry = registry;
  // npm-registry-fetch expects camel-cased network settings.
  if (typeof out['strict-ssl'] !== 'undefined') out.strictSSL = out['strict-ssl'] !== false && out['strict-ssl'] !== 'false';
  if (typeof out['https-proxy'] === 'string') out.proxy = out['https-proxy'];
  if (typeof out.noproxy === 'string') out.noProxy = out.noproxy;
  return out as RegistryOptions;
}

/** Every value in the options that is a secret, so the shells can redact it from any output. */
export function secretsOf(opts: Record<string, unknown>): string[] {
  return Object.entries(opts)
    .filter(([k, v]) => typeof v === 'string' && v.length >= 6 && /(?:_authToken|_auth|_password|token)$/i.test(k))
    .map(([, v]) => v as string);
}
