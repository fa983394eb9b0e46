import { debug } from "./debug.js";
/** Small text helpers shared by the CLI, the reporters and the templates. */

/** `1 postmortem`, `1,204 postmortems`. */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;
}

/** A frontmatter value as a list of trimmed strings: a string is a one-item list; other types are dropped. */
export function toList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.map((item) => (typeof item === "string" || typeof item === "number" ? String(item).trim() : "")).filter(Boolean);
}

/** Decodes a percent-encoded URL part, or returns it as written when it is malformed (`%zz`). */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    debug("decode", "a malformed percent-encoding is kept as written", error);
    return text;
  }
}

/** A frontmatter value as text when it is a string, number or boolean, else "" (`String()` of a mapping such as `{toString: 1}` throws). */
export function scalarText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/** The text before the first `separator`, all of it when there is none (`split(separator)[0]` without the `undefined`). */
export function textBefore(text: string, separator: string | RegExp): string {
  const at = typeof separator === "string" ? text.indexOf(separator) : text.search(separator);
  return at < 0 ? text : text.slice(0, at);
}

/** `512 bytes`, `40 KB`, `1.5 MB`. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Number((n / 1024 / 1024).toFixed(1))} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}
