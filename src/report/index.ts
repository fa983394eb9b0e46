import type { VFile } from "vfile";
import { UsageError } from "../errors.js";
import { formatGithub } from "./github.js";
import { formatJson } from "./json.js";
import { formatStylish } from "./stylish.js";

/** The report formats of `--format`. */
export const FORMATS = ["stylish", "json", "github"] as const;
export type Format = (typeof FORMATS)[number];

/** Checks a `--format` value. */
export function toFormat(value: string | undefined): Format {
  if (value === undefined) return "stylish";
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`Unknown format: ${value} (expected ${FORMATS.join(", ")})`);
}

/** Formats every file's messages in the given format. */
export function formatMessages(files: readonly VFile[], format: Format, options: { cwd?: string; color?: boolean } = {}): string {
  if (format === "json") return formatJson(files, options);
  if (format === "github") return formatGithub(files, options);
  return formatStylish(files, options);
}

export { formatGithub, formatJson, formatStylish };
