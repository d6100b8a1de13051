/** GitHub's public REST API; GitHub Enterprise Server users pass their own. A module of its own so the CLI's help does not load Octokit. */
export const DEFAULT_API_URL = 'https://api.github.com';
