/**
 * lurescan's public API: scan code for developer-targeted lures before anyone runs it.
 *
 * Everything exported here is covered by the API report in `etc/lurescan.api.md`; a change to it is a deliberate
 * change of the public surface. Everything else is internal and may change in any release.
 *
 * @example
 * ```ts
 * import { scan, renderSarif } from 'lurescan';
 * const result = await scan({ kind: 'path', path: './take-home-test' });
 * console.log(result.verdict, result.complete);
 * await writeFile('lurescan.sarif', renderSarif(result));
 * ```
 *
 * @packageDocumentation
 */

// Scanning
export { scan, scanMany, VERSION } from './scan.js';
export type { ScanManyEntry } from './scan.js';
export { parseTarget, UsageError } from './target.js';
export { DEFAULT_DEPS_LIMITS, DEFAULT_LIMITS } from './options.js';
export type { ScanOptions, Limits, DepsLimits, FailOn, ProgressEvent } from './options.js';

// Knowledge
export { loadSignatures } from './signatures/load.js';
export type { LoadSignaturesOptions } from './signatures/load.js';
export type * from './signatures/types.js';
export type { RegistryFacts, PackageFacts } from './registry/facts.js';
export type { RegistryConfigInput } from './registry/config.js';

// Reporters: pure ScanResult → string
export { renderJson, REPORT_SCHEMA_VERSION } from './reporters/json.js';
export { renderText } from './reporters/text.js';
export type { TextOptions } from './reporters/text.js';
export { renderSarif, buildSarif } from './reporters/sarif.js';
export type { SarifOptions } from './reporters/sarif.js';
export { renderMarkdown } from './reporters/markdown.js';
export type { MarkdownOptions } from './reporters/markdown.js';
export { renderAnnotations } from './reporters/github.js';
export type { AnnotationOptions } from './reporters/github.js';

// Configuration (.lurescan.yml): rules on/off, severities, ignored paths, expiring suppressions
export { loadConfigFile, parseConfigText, ConfigError } from './config/load.js';
export { applyConfig } from './config/apply.js';
export type { ApplyOptions } from './config/apply.js';
export type { Config, Suppression, RuleSetting } from './config/schema.js';

// Rules: the built-in list, and the way to add an organisation's own
export { defineRule, visitedTexts } from './rules/define-rule.js';
export type { Rule, RuleMeta, RuleContext, FindingInput, TextVisitor } from './rules/define-rule.js';
export { RULES } from './rules/index.js';

// The vocabulary
export type * from './types.js';
