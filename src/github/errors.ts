/**
 * Turn GitHub API errors into messages a person can act on. Never includes request headers (the token).
 */
export interface ApiErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

export function statusOf(err: unknown): number | undefined {
  const s = (err as ApiErrorLike)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** `what` says what was attempted, e.g. 'post the PR comment'. */
export function explainApiError(err: unknown, what: string, ctx: { repo?: string; fork?: boolean } = {}): string {
  const status = statusOf(err);
  const remaining = (err as ApiErrorLike)?.response?.headers?.['x-ratelimit-remaining'];
  const base = `could not ${what}`;
  switch (status) {
    case 401:
      return `${base}: the token was rejected (401). Pass a valid token in the 'token' input (the default \${{ github.token }} works).`;
    case 403:
      if (remaining === '0' || remaining === 0) return `${base}: the API rate limit is exhausted (403); try again later or use a token with a higher limit.`;
      return (
        `${base}: the token is not allowed to (403). Give the workflow 'permissions: pull-requests: write' ` +
        `(and 'contents: read')` +
        (ctx.fork ? '; on pull requests from forks GITHUB_TOKEN is read-only, so the comment is skipped: the job summary, annotations and SARIF still carry the report' : '; on pull requests from forks the token is read-only by design') +
        '.'
      );
    case 404:
      return `${base}: not found (404)${ctx.repo ? ` for ${ctx.repo}` : ''}. Check that the token can read this repository (a private repository needs 'contents: read') and that the pull request still exists.`;
    case 422:
      return `${base}: GitHub rejected the request (422): ${(err as ApiErrorLike).message ?? ''}`.trim();
    default:
      if (status && status >= 500) return `${base}: GitHub returned ${status} after retries; the scan result is unaffected.`;
      return `${base}: ${status ? `HTTP ${status}: ` : ''}${(err as ApiErrorLike)?.message ?? String(err)}`;
  }
}
