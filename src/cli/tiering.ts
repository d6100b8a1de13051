/**
 * When V8 optimises a function. A scan runs large hot functions (the parser, the analysers) for a second or two;
 * V8's default thresholds optimise them early and often re-optimise, and that compilation was 15–25 % of a scan's CPU.
 * Letting functions run eight times longer before each tier-up costs no wall time on a short scan and cuts the CPU
 * (docs/BENCHMARKS.md, issue 19: on the 73 corpus repositories, median ratio ~0.93 on Node 20 and ~0.88 on Node 24).
 *
 * The knob is not the same flag on every V8. Up to V8 11 (Node 20) a function's budget is bytecode run,
 * `--interrupt-budget`; V8 12 (Node 22) and later replaced that flag by invocation counts per tier, and an unknown
 * flag passed to `v8.setFlagsFromString` is not an exception but a line "Error: unrecognized flag" on stderr — which
 * every scan on Node 22 and 24 printed until the flags were chosen by version.
 *
 * The host process's choice: bin/lurescan.cjs (before any of lurescan's code loads) and the Action's `run()` call it;
 * the library never sets V8 flags for its host.
 */
import v8 from 'node:v8';

/** How many times V8's default thresholds a function runs before it tiers up. */
export const TIER_UP_FACTOR = 8;

/** V8's default `--interrupt-budget` up to V8 11 (Node 20: 66 KiB of bytecode). */
const INTERRUPT_BUDGET = 67_584;

/**
 * V8 12+ thresholds in invocations, Node 24's defaults (Node 22's are the same but for OSR: 800). Scaled together, so
 * the tiers keep their order; the counts for allocating feedback and for early optimisation stay as they are.
 */
const INVOCATION_COUNTS = {
  'invocation-count-for-maglev': 400,
  'invocation-count-for-maglev-osr': 100,
  'invocation-count-for-turbofan': 3000,
  'invocation-count-for-osr': 500,
} as const;

/**
 * The last V8 major whose flags were checked (`node --v8-options` of Node 22, 24, 25 and 26: V8 12.4, 13.6, 14.1,
 * 14.6). A later V8 gets no flags: a scan on it runs at V8's defaults rather than risk a line of noise on every run.
 */
const LAST_CHECKED_V8 = 14;

/**
 * The major version of a V8 whose flags were checked (up to {@link LAST_CHECKED_V8}), or undefined for a later or
 * unreadable one: no V8 flag is set on such a V8 (here, or by cli/heap.ts).
 */
export function checkedV8Major(v8Version: string): number | undefined {
  const major = Number.parseInt(v8Version, 10);
  return Number.isFinite(major) && major <= LAST_CHECKED_V8 ? major : undefined;
}

/**
 * TurboFan's inlining budget, half of V8's defaults (460 bytes of bytecode for one callee, 920 in all for one
 * function; the same on V8 11 to 14). A scan's hot functions are large (the parser, the analysers) and each TurboFan
 * compilation of them inlines up to the budget; halving it cut the compilers' threads' time on verdaccio's
 * `node_modules` by ~0.2 s with no slower main thread (docs/BENCHMARKS.md, the ninth round of issue 19).
 */
export const INLINING_BUDGET = { 'max-inlined-bytecode-size': 230, 'max-inlined-bytecode-size-cumulative': 460 } as const;

/**
 * The V8 flags that let functions run `factor` times longer before tiering up, and TurboFan's smaller inlining
 * budget, for the V8 of version `v8Version`.
 */
export function tieringFlags(v8Version: string, factor = TIER_UP_FACTOR): string[] {
  const major = checkedV8Major(v8Version);
  if (major === undefined) return [];
  const inlining = Object.entries(INLINING_BUDGET).map(([flag, size]) => `--${flag}=${size}`);
  if (major < 12) return [`--interrupt-budget=${INTERRUPT_BUDGET * factor}`, ...inlining];
  return [...Object.entries(INVOCATION_COUNTS).map(([flag, count]) => `--${flag}=${count * factor}`), ...inlining];
}

/** Set the tiering and inlining flags for the running V8 (once, before the code they are meant for runs); returns them. */
export function tierUpLater(factor = TIER_UP_FACTOR): string[] {
  const flags = tieringFlags(process.versions.v8, factor);
  for (const flag of flags) v8.setFlagsFromString(flag);
  return flags;
}
