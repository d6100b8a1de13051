/** TOML through smol-toml (a maintained TOML 1.0 parser); a parse error becomes a diagnostic, never a throw. */
import { parse } from 'smol-toml';
import type { InventorySink } from '../types.js';

export type TomlTable = Record<string, unknown>;

export function parseToml(text: string, file: string, sink: InventorySink): TomlTable | undefined {
  try {
    return parse(text) as TomlTable;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0].slice(0, 200);
    sink.diagnostic({ code: 'parse-error', message: `${file} is not valid TOML (${msg}); its dependencies were not checked`, file, incomplete: true });
    return undefined;
  }
}

export function table(v: unknown): TomlTable | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as TomlTable) : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** 1-based line of each `[[package]]` header, in order (poetry.lock, uv.lock). */
export function arrayTableLines(text: string, header: string): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() === header) out.push(i + 1);
  return out;
}
