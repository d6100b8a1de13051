// The subset of npm-registry-fetch this project uses (its @types package does not install here).
declare module 'npm-registry-fetch' {
  export interface Options {
    registry?: string;
    spec?: string;
    timeout?: number;
    retry?: { retries?: number; minTimeout?: number; maxTimeout?: number };
    headers?: Record<string, string>;
    signal?: AbortSignal;
    integrity?: string;
    [key: string]: unknown;
  }
  interface FetchResponse {
    status: number;
    headers: { get(name: string): string | null };
    buffer(): Promise<Buffer>;
    json(): Promise<unknown>;
    body: NodeJS.ReadableStream;
  }
  interface RegFetch {
    (uri: string, opts?: Options): Promise<FetchResponse>;
    json(uri: string, opts?: Options): Promise<Record<string, unknown>>;
    pickRegistry(spec: string, opts?: Options): string;
  }
  const regFetch: RegFetch;
  export default regFetch;
}
