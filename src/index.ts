/** Hindsight's programmatic API: the CLI is a thin layer over these. */
export { build, type BuildOptions, type BuildResult, type StageTiming } from "./build.js";
export { check, type CheckOptions, type CheckResult } from "./check.js";
export { newPostmortem, type NewOptions } from "./new.js";
export { init, type InitOptions, type InitResult } from "./init/index.js";
export { defineConfig, resolveConfig, type ResolvedConfig, type UserConfig, type SeverityLevel, type SectionSpec } from "./config.js";
export { loadConfig, CONFIG_FILES } from "./config-load.js";
export { RULE_IDS } from "./rules/ids.js";
export { HindsightError, UsageError, IOError } from "./errors.js";
export { formatMessages, formatStylish, formatJson, formatGithub, type Format } from "./report/index.js";
export type { RunOptions } from "./project.js";
export type * from "./types.js";
