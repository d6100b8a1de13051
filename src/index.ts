/** lurescan's public API. */
export { scan, scanWorkspace, VERSION } from './scan.js';
export { parseTarget, UsageError } from './target.js';
export { loadSignatures } from './signatures/load.js';
export { renderJson } from './reporters/json.js';
export { renderText } from './reporters/text.js';
export { renderSarif, buildSarif } from './reporters/sarif.js';
export { renderMarkdown } from './reporters/markdown.js';
export { renderAnnotations } from './reporters/github.js';
export { loadConfigFile, parseConfigText, ConfigError } from './config/load.js';
export { applyConfig } from './config/apply.js';
export type { Config, Suppression } from './config/schema.js';
export { defineRule } from './rules/define-rule.js';
export type { Rule, RuleMeta, RuleContext, FindingInput } from './rules/define-rule.js';
export { RULES } from './rules/index.js';
export { DEFAULT_LIMITS } from './options.js';
export type { ScanOptions, Limits, FailOn, ProgressEvent } from './options.js';
export type * from './types.js';
