/**
 * Where the shells find the credentials they hold, gathered once at start into one {@link SecretSet}: environment
 * variables named like credentials (GITHUB_TOKEN, GH_TOKEN, NPM_TOKEN, NODE_AUTH_TOKEN, npm_config__auth, …) and
 * credentials inside any variable's URL (a proxy with a password), npm settings (`_authToken`, `_auth`, `_password`
 * — the last two base64 as npm stores them, so their decoded forms too — and URLs with userinfo), and the URLs on
 * the command line (a git target, `--registry`, `--api-url`).
 */
import { SecretSet } from './secret-set.js';

/** Variable names that hold a credential: a TOKEN, SECRET, PASSWORD, API_KEY, … word, not a path or socket to one. */
const SECRET_NAME = /(?:^|_)(?:TOKEN|AUTHTOKEN|AUTH|PAT|SECRET|PASSWORD|PASSWD|PASS|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)(?:_|$)/i;
const NOT_A_SECRET = /(?:SOCK|PATH|FILE|DIR|HOME|URL|HOST|USER|USERNAME|NAME|TYPE|MODE|METHOD)$/i;

export function addEnvironment(set: SecretSet, env: NodeJS.ProcessEnv): SecretSet {
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name) && !NOT_A_SECRET.test(name)) set.add(value);
    if (value.includes('://')) set.addFromUrls(value);
  }
  return set;
}

function base64Decoded(v: string): string | undefined {
  if (!/^[\w+/=-]+$/.test(v)) return undefined;
  const text = Buffer.from(v, 'base64').toString('utf8');
  // Only printable text is a password npm would have encoded.
  return /^[\x20-\x7e]+$/.test(text) ? text : undefined;
}

/** npm settings as `registryOptions` returns them (keys like `//host/:_authToken`, `registry`, `proxy`). */
export function addNpmSettings(set: SecretSet, options: Record<string, unknown>): SecretSet {
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'string' || !value) continue;
    if (/(?:_authToken|_auth|_password|token|password)$/i.test(key)) {
      set.add(value);
      if (/(?:_auth|_password)$/i.test(key)) {
        const plain = base64Decoded(value);
        set.add(plain);
        // `_auth` is base64 of user:password.
        if (plain && /_auth$/i.test(key) && plain.includes(':')) set.add(plain.slice(plain.indexOf(':') + 1));
      }
    }
    if (value.includes('://')) set.addFromUrls(value);
  }
  return set;
}

/** Every argument that holds a URL: its credentials (a git target, `--registry`, `--api-url`, `--registry=…`). */
export function addArguments(set: SecretSet, argv: readonly string[]): SecretSet {
  for (const a of argv) if (a.includes('://')) set.addFromUrls(a);
  return set;
}
