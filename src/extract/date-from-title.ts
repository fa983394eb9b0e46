import { leadingDayMatch } from "./found.js";

/**
 * `date-from-title`: the date a title starts with, followed by punctuation or a space
 * (`2017-09-27, Hub 403`, `2017-09-27: …`, `January 14, 2026 - …`), as an ISO date.
 */
export function dateFromTitle(title: string): string | undefined {
  const match = leadingDayMatch(title);
  if (!match) return undefined;
  const rest = title.slice(match.length);
  return rest === "" || /^[\s,:;|–—\-)\]]/.test(rest) ? match.iso : undefined;
}
