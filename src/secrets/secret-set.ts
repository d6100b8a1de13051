/**
 * Every credential lurescan knows, in one set, and the one function that removes them from a string. A value is
 * removed as written and in the forms a program or server may have wrapped it in: percent-encoded, JSON-escaped,
 * and base64 (standard and URL-safe) at each of the three byte alignments, which covers `Authorization: Basic …`
 * and a token inside a longer encoded blob. URL credentials that no one collected are removed by shape as well
 * (`shape.ts`). Values shorter than `minLength` are removed by shape only: removing every `pass` or `admin` from a
 * report would garble it and say what the password is.
 */
import { credentialsIn, REDACTED, redactCredentialShapes } from './shape.js';

export const MIN_SECRET_LENGTH = 6;

export class SecretSet {
  private readonly values = new Set<string>();
  private forms: string[] | undefined = [];

  constructor(
    values: Iterable<string | undefined> = [],
    private readonly minLength = MIN_SECRET_LENGTH,
  ) {
    for (const v of values) this.add(v);
  }

  /** A credential value (a token, a password, a whole userinfo). */
  add(value: string | undefined): this {
    const v = value?.trim();
    if (v && v.length >= this.minLength && !this.values.has(v)) {
      this.values.add(v);
      this.forms = undefined;
    }
    return this;
  }

  /** The credentials inside a URL or any text holding URLs (userinfo, password, auth query values). */
  addFromUrls(text: string | undefined): this {
    if (text) for (const v of credentialsIn(text)) this.add(v);
    return this;
  }

  /** The raw values (for a runner's log masking). */
  list(): string[] {
    return [...this.values];
  }

  get size(): number {
    return this.values.size;
  }

  private allForms(): string[] {
    if (this.forms) return this.forms;
    const forms = new Set<string>();
    for (const v of this.values) {
      forms.add(v);
      forms.add(encodeURIComponent(v));
      forms.add(JSON.stringify(v).slice(1, -1));
      const bytes = Buffer.from(v, 'utf8');
      for (let shift = 0; shift < 3; shift++) {
        const whole = bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3);
        const b64 = whole.toString('base64');
        if (b64.length < 8) continue;
        forms.add(b64);
        forms.add(whole.toString('base64url'));
      }
    }
    // Longest first, so a form is never cut in half by a shorter one that it contains.
    this.forms = [...forms].filter((f) => f.length >= this.minLength).sort((a, b) => b.length - a.length);
    return this.forms;
  }

  /** The text with every known credential (in every form above) and every credential-shaped URL part replaced. */
  redact(text: string): string {
    let out = text;
    for (const f of this.allForms()) if (out.includes(f)) out = out.split(f).join(REDACTED);
    return redactCredentialShapes(out);
  }

  /** `redact` as a free function, for callbacks. */
  readonly redactor = (text: string): string => this.redact(text);
}
