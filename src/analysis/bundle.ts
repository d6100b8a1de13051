/**
 * Is this file bundler or minifier output (or vendored) rather than hand-written source? Bundles get
 * bundle-appropriate rules: minification is not obfuscation and long lines are not hiding. The decision uses the
 * path, banner/runtime markers and line-length statistics; one long line appended to an otherwise ordinary file
 * does not make it a bundle, so a payload appended to hand-written code stays visible.
 */
import type { SourcePatterns } from '../signatures/types.js';

export interface BundleInfo {
  bundle: boolean;
  reason?: string;
}

const compiled = new WeakMap<SourcePatterns, RegExp[]>();

/** A path inside an installed package (`node_modules/` at any depth). */
export function inNodeModules(path: string): boolean {
  return /(?:^|\/)node_modules\//.test(path);
}

/** Lines of 500+ characters, and all lines, counted in one pass. */
export function lineStats(text: string): { lines: number; long: number; longest: number; longBytes: number } {
  let lines = 0;
  let long = 0;
  let longBytes = 0;
  let longest = 0;
  let start = 0;
  for (;;) {
    const i = text.indexOf('\n', start);
    const len = (i < 0 ? text.length : i) - start;
    lines++;
    if (len >= 500) {
      long++;
      longBytes += len;
    }
    if (len > longest) longest = len;
    if (i < 0) break;
    start = i + 1;
  }
  return { lines, long, longest, longBytes };
}

export function bundleInfo(path: string, text: string, patterns: SourcePatterns): BundleInfo {
  let res = compiled.get(patterns);
  if (!res) {
    res = patterns.bundlePaths.map((p) => new RegExp(p, 'i'));
    compiled.set(patterns, res);
  }
  if (inNodeModules(path)) return { bundle: true, reason: 'vendored under node_modules/' };
  const byPath = res.find((r) => r.test(path));
  if (byPath) return { bundle: true, reason: `bundle or build output by its path (${byPath.source})` };
  if (text.length < 2000) return { bundle: false };
  const s = lineStats(text);
  // Several long lines holding nearly all the bytes is minifier output; one or two appended long lines is not.
  const minified = s.long / s.lines >= 0.3 || (s.lines <= 3 && s.longest > 2000) || (s.long >= 4 && s.longBytes >= 0.9 * text.length);
  if (minified) return { bundle: true, reason: `minified (${s.long} of ${s.lines} lines are 500+ characters)` };
  const head = text.slice(0, 4096);
  const marker = patterns.bundleMarkers.filter((m) => head.includes(m) && m !== 'sourceMappingURL=');
  if (marker.length && text.includes('__webpack_require__')) return { bundle: true, reason: `bundler runtime (${marker[0]})` };
  return { bundle: false };
}
