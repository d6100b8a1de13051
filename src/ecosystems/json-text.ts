/**
 * A scanned value as JSON text for a snippet. JSON.stringify recurses: a dependency spec nested thousands of arrays
 * deep overflows the stack (found by the fuzzer, at a depth that depends on how much stack the caller used).
 */
export function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Array.isArray(v) ? '[…too deeply nested]' : '{…too deeply nested}';
  }
}
