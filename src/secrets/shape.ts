/**
 * Credentials recognised by their shape: the userinfo of a URL (`scheme://user:password@host`, where the password
 * may itself hold an unencoded `@` — parsers such as git's and curl's take the authority up to the *last* `@`) and
 * the value of an authentication query parameter (`?access_token=…`, `&sig=…`). Used by the core on every string it
 * builds from a URL (errors, provenance, registry fields); the shells add redaction by value on top
 * (`secret-set.ts`), which also catches a credential a program rewrote into another shape.
 */

/**
 * `scheme://` then the authority up to its last `@`. The scheme starts only where a run of scheme characters starts
 * (no quadratic rescan of a long word), the segments before each `@` cannot overlap, and the authority stops at a path, query, fragment, whitespace, quote or angle bracket, so text after a URL is never
 * taken for part of it.
 */
const USERINFO = /(?<![\w+.-])([a-z][\w+.-]*:\/\/)(?:[^\s/?#"'<>\\`@]*@)+/gi;

/**
 * Query (or fragment) parameters that carry a credential in the APIs and storage services lurescan may meet. The
 * value ends before `&`, `#`, whitespace, a quote or a bracket, and never with the punctuation of a sentence around it.
 * (A literal, not built from a list, so the ReDoS audit reads it.)
 */
const AUTH_QUERY =
  /([?&;#](?:access_token|refresh_token|id_token|token|auth|authorization|auth_token|api_key|apikey|api-key|key|sig|signature|password|passwd|pwd|secret|client_secret|private_token|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|npm_token)=)[^\s"#&'<>\\`]*[^\s"#&'),.:;<>\\`]/gi;

export const REDACTED = '***';

/** Replace URL userinfo and authentication query values in any text. */
export function redactCredentialShapes(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text.replace(USERINFO, `$1${REDACTED}@`).replace(AUTH_QUERY, `$1${REDACTED}`);
}

/** Remove the credentials of one URL before it is shown. */
export function redactUrl(url: string): string {
  return redactCredentialShapes(url);
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The credential values a text's URLs carry, raw and percent-decoded: each userinfo whole, its password, a user
 * name that stands alone (a token used as the user, `https://<token>@host/`), and authentication query values.
 * A program that rewrites the URL in its own message (git prints `user:password@host` without the scheme for
 * git://) still prints these values, so they are redacted by value too.
 */
export function credentialsIn(text: string): string[] {
  const out = new Set<string>();
  const add = (v: string) => {
    if (!v) return;
    out.add(v);
    out.add(decoded(v));
  };
  for (const m of text.matchAll(USERINFO)) {
    const userinfo = m[0].slice(m[1].length, -1);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      add(userinfo);
      add(userinfo.slice(colon + 1));
    } else if (userinfo.length >= 8) add(userinfo); // a token as the user; `git@` is only a user name
  }
  for (const m of text.matchAll(AUTH_QUERY)) add(m[0].slice(m[1].length));
  out.delete('');
  return [...out];
}
