/**
 * Stable sharding: a repository belongs to shard 1 + (first 32 bits of sha256(lower-cased full name)) mod n. The
 * same name lands in the same shard on every runner and every day, whatever else the org contains.
 */
import { createHash } from 'node:crypto';
import type { ShardSpec } from './types.js';

export function shardOf(fullName: string, count: number): number {
  const h = createHash('sha256').update(fullName.toLowerCase()).digest();
  return (h.readUInt32BE(0) % count) + 1;
}

/** Parse `i/n` (1 ≤ i ≤ n ≤ 256). Throws with a readable message otherwise. */
export function parseShard(spec: string): ShardSpec {
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 256 || index < 1 || index > count) {
    throw new Error(`--shard must be i/n with 1 ≤ i ≤ n ≤ 256 (e.g. 1/4 … 4/4), not "${spec}"`);
  }
  return { index, count };
}

export function inShard(fullName: string, shard: ShardSpec | undefined): boolean {
  return !shard || shardOf(fullName, shard.count) === shard.index;
}
