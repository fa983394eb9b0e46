import { createHash } from "node:crypto";
import type { Fragment } from "../shared/search/format.js";
import type { PostmortemMeta } from "../types.js";
import { postmortemPath } from "../util/urls.js";
import { taxonomyValues } from "./terms.js";

// Enough for the longest real postmortems seen (26 KB of Markdown), so that a match anywhere in one has an excerpt.
const EXCERPT_CHARS = 30_000;

/**
 * A postmortem's search fragment (what a result shows of it), from its own file alone: made in
 * the worker that processes it, for its hash, and again when the fragment file is written.
 */
export function fragmentOf(m: PostmortemMeta, text: string, taxonomies: readonly string[]): string {
  const services = new Set(m.services);
  const fragment: Fragment = {
    url: postmortemPath(m.slug),
    title: m.title,
    severity: m.severity ?? null,
    services: m.services,
    date: m.date ?? null,
    summary: m.summary ?? null,
    text: text.length > EXCERPT_CHARS ? text.slice(0, EXCERPT_CHARS) : text,
    terms: taxonomyValues(m, taxonomies).filter((value) => !services.has(value) && value !== m.incidentId),
  };
  return JSON.stringify(fragment);
}

/** The hash a fragment is named by (its first `FRAGMENT_NAME` characters); `salt` tells apart two whose names would collide. */
export function fragmentHash(contents: string, salt = 0): string {
  return createHash("sha256")
    .update(salt ? `${salt}\0${contents}` : contents)
    .digest("base64url");
}
