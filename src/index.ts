/** lurescan's public API. */
export { scan, scanWorkspace, VERSION } from './scan.js';
export { parseTarget, UsageError } from './target.js';
export { loadSignatures } from './signatures/load.js';
export { renderJson } from './reporters/json.js';
export { renderText } from './reporters/text.js';
export { defineRule } from './rules/define-rule.js';
export type { Rule, RuleMeta, RuleContext, FindingInput } from './rules/define-rule.js';
export { RULES } from './rules/index.js';
export { DEFAULT_LIMITS } from './options.js';
export type { ScanOptions, Limits, FailOn, ProgressEvent } from './options.js';
export type * from './types.js';
