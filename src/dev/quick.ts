import path from "node:path";
import type { Generated } from "../build.js";
import type { BuildSession } from "../cache/session.js";
import type { ResolvedConfig } from "../config.js";
import { ImageStore } from "../images/store.js";
import { readSource } from "../stages/discover.js";
import { shownBody } from "../stages/links.js";
import { renderPostmortemPage } from "../stages/pages.js";
import { vmClock } from "../stages/clock.js";
import { analyzeFile } from "../stages/process.js";
import type { OutputFile, RenderedPostmortem } from "../types.js";
import { debug } from "../util/debug.js";

/**
 * The page of an edited postmortem, made at once from the last build, when the edit changed
 * only what its own page shows: the body, not its metadata (which lists, indexes and related
 * postmortems show), its links, its images or its errors. Undefined when it did more, or the
 * file is not one of that build's postmortems: then only a whole rebuild can tell. The rebuild
 * that follows makes the same page again, with everything else that changed (the search index).
 */
export async function quickPage(
  file: string,
  config: ResolvedConfig,
  made: NonNullable<Generated["made"]>,
  session: BuildSession,
): Promise<OutputFile | undefined> {
  const relPath = path.relative(config.contentDir, file).split(path.sep).join("/");
  const before = made.site.postmortems.find((pm) => pm.source.relPath === relPath);
  const memo = session.records.get(relPath);
  if (!before || !memo) return undefined;
  let source;
  try {
    source = readSource(config.contentDir, relPath, config.limits.fileBytes);
  } catch (error) {
    debug("dev", `${relPath} could not be read for its quick page: the rebuild says why`, error);
    return undefined;
  }
  // Local and cached images only: a new download belongs to the rebuild.
  const record = await analyzeFile(source, config, new ImageStore(config, { mode: "build", offline: true }), vmClock(config.limits.fileMs));
  const old = memo.record;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  // The session's record must be the one the last build showed (a record with an image problem
  // is not kept in the session), and the new one like it in all but its body.
  if (!same(old.meta, before.meta)) return undefined;
  if (
    !record.body ||
    !record.contents ||
    record.messages.some((m) => m.fatal) ||
    !same(record.meta, old.meta) ||
    !same(record.links, old.links) ||
    !same(record.images, old.images) ||
    !same(record.messages, old.messages)
  ) {
    return undefined;
  }
  const page = shownBody(record.contents, { ...record.body, slug: record.meta.slug, slugs: made.slugs });
  const edited: RenderedPostmortem = { ...before, body: () => page, fragment: record.body.fragment };
  return renderPostmortemPage(made.site, made.theme, config, edited);
}
