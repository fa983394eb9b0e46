/** `2021-05/09-negative-coin-values.md` → `09-negative-coin-values`. */
export const baseName = (relPath: string) => relPath.replace(/^.*\//, "").replace(/\.(md|markdown)$/i, "");

/** A file name that says nothing: a UUID, a hash or a number (an export's `0149…-d83.md`). */
const MEANINGLESS_NAME = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{8,}|\d+)$/i;

/** Whether the file's name says nothing of its postmortem (see MEANINGLESS_NAME): its title comes from its text. */
export const namedById = (relPath: string) => MEANINGLESS_NAME.test(baseName(relPath));
