import type { SeverityLevel } from "../config.js";

/** Maps a written severity onto the scale: id or alias, ignoring case, spaces, `-` and `_`. */
export function normalizeSeverity(value: unknown, scale: readonly SeverityLevel[]): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const key = squash(String(value));
  const level = scale.find((s) => squash(s.id) === key || s.aliases.some((a) => squash(a) === key));
  return level?.id;
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}
