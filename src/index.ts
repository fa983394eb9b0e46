/** Hindsight's programmatic API: the CLI is a thin layer over these. */
export { build, type BuildOptions, type BuildResult, type StageTiming } from "./build.js";
export { defineConfig, resolveConfig, type ResolvedConfig, type UserConfig, type SeverityLevel, type SectionSpec } from "./config.js";
export { HindsightError, UsageError, IOError } from "./errors.js";
export { formatStylish } from "./report/stylish.js";
export type * from "./types.js";
