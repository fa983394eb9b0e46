/** Output paths of the archive's pages, relative to the output root, and links between them. */

/** Path of a postmortem's page. */
export function postmortemPath(slug: string): string {
  return `postmortems/${slug}/index.html`;
}

/** Path of a taxonomy's index page (`services/index.html`). */
export function taxonomyPath(key: string): string {
  return `${key}/index.html`;
}

/** Path of one term's page (`services/auth-service/index.html`). */
export function termPath(key: string, termId: string): string {
  return `${key}/${termId}/index.html`;
}

/**
 * The relative prefix from a page back to the output root (`../../` for
 * `postmortems/x/index.html`): every link is relative, so the archive works under any sub-path.
 */
export function rootPrefix(outputPath: string): string {
  const depth = outputPath.split("/").length - 1;
  return depth === 0 ? "./" : "../".repeat(depth);
}
