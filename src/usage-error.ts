/**
 * A mistake in what the user asked for (exit code 2 with a one-line message), as opposed to a target that could not
 * be read. Its own module so that the CLI can recognise it without loading the scanner; `target.ts` re-exports it.
 */
export class UsageError extends Error {}
