declare module '@yarnpkg/lockfile' {
  export function parse(text: string): { type: 'success' | 'merge' | 'conflict'; object: Record<string, Record<string, unknown>> };
  export function stringify(obj: unknown): string;
  const lockfile: { parse: typeof parse; stringify: typeof stringify };
  export default lockfile;
}
