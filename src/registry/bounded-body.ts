/**
 * Registry answers with a size bound. npm-registry-fetch buffers whatever a server sends — a success body through
 * `res.json()`/`res.buffer()`, an error body inside the library before it throws — and has no option to stop, so a
 * registry (or anything between us and it) could send gigabytes with or without a content-length and take the
 * process down. Two guards, both per request:
 *
 *  - at the HTTP layer, before npm-registry-fetch sees the answer: a declared content-length over the cap, any body
 *    that grows past it, and an error answer's body past 16 KiB (only its status and message are used) end the
 *    response at once.
 *    Requests are recognised through the `http.client.request.start` diagnostics channel and an AsyncLocalStorage
 *    entered around the fetch, so concurrent fetches keep their own budgets and other HTTP clients are untouched;
 *  - while the success body is read here: bytes after decompression are counted (a small gzip can expand to a
 *    large body) and the request is aborted once they pass the cap.
 *
 * Either way the caller gets a {@link BodyTooLarge} and nothing past the cap is kept in memory.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(
    readonly limit: number,
    /** The size the server declared, when it declared one. */
    readonly declared?: number,
  ) {
    super(declared !== undefined ? `${declared} bytes declared, over the ${limit}-byte limit` : `over the ${limit}-byte limit; download stopped`);
  }
}

interface Budget {
  limit: number;
  /** Set when the HTTP-layer guard stopped a response. */
  stopped?: BodyTooLarge;
}

/** An error answer's body is read for the registry's message only: this much of it at most. */
const ERROR_BODY_BYTES = 16 * 1024;

const budgets = new AsyncLocalStorage<Budget>();
const watched = new WeakMap<ClientRequest, Budget>();
let subscribed = false;

function onRequest(message: unknown): void {
  const budget = budgets.getStore();
  if (budget) watched.set((message as { request: ClientRequest }).request, budget);
}

/** Fires when a response's headers have arrived, before any body is read. */
function onResponse(message: unknown): void {
  const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
  const budget = watched.get(request);
  if (!budget) return;
  const status = response.statusCode ?? 0;
  // An error answer keeps its status whatever happens to its body: npm-registry-fetch reads the body only for the
  // registry's own words ("This package version is not available.") and settles without it when the read fails. So
  // a short error body is let through and a long one is ended, with an error (not a bare destroy) so that the client
  // settles at once instead of waiting for a timeout. (A redirect's body is left to the byte count below: the client
  // has no error listener on it yet.)
  if (status >= 400) {
    const declaredError = Number(response.headers['content-length']);
    if (Number.isFinite(declaredError) && declaredError > ERROR_BODY_BYTES) {
      response.destroy(new Error(`HTTP ${status}: body not read`));
      return;
    }
    let seenError = 0;
    response.on('data', (chunk: Buffer) => {
      seenError += chunk.length;
      if (seenError > ERROR_BODY_BYTES) response.destroy(new Error(`HTTP ${status}: body not read past ${ERROR_BODY_BYTES} bytes`));
    });
    return;
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > budget.limit) {
    budget.stopped = new BodyTooLarge(budget.limit, declared);
    response.destroy(budget.stopped);
    return;
  }
  let seen = 0;
  response.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > budget.limit && !budget.stopped) {
      budget.stopped = new BodyTooLarge(budget.limit);
      response.destroy(budget.stopped);
    }
  });
}

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  diagnostics.subscribe('http.client.request.start', onRequest);
  diagnostics.subscribe('http.client.response.finish', onResponse);
}

/** What a fetch returns that this module reads: a status and a body stream. */
export interface StreamingResponse {
  headers: { get(name: string): string | null };
  body: AsyncIterable<Buffer | string> | NodeJS.ReadableStream;
}

/**
 * Run `fetch` (given an AbortSignal to pass on) and read the whole body, stopping at `limit` bytes.
 * Throws {@link BodyTooLarge} past the cap; any other failure of `fetch` is rethrown as it came.
 */
export async function fetchBounded(fetch: (signal: AbortSignal) => Promise<StreamingResponse>, limit: number): Promise<Buffer> {
  subscribe();
  const budget: Budget = { limit };
  const controller = new AbortController();
  try {
    return await budgets.run(budget, async () => {
      const res = await fetch(controller.signal);
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit, declared);
      const chunks: Buffer[] = [];
      let seen = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer | string>) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        seen += b.length;
        if (seen > limit) throw new BodyTooLarge(limit);
        chunks.push(b);
      }
      return Buffer.concat(chunks, seen);
    });
  } catch (err) {
    throw budget.stopped ?? err;
  } finally {
    // Closes the connection of an answer left half-read (over the cap, or a failure while reading).
    controller.abort();
  }
}
