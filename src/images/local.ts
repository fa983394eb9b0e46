import fs from "node:fs";
import path from "node:path";
import type { ResolvedConfig } from "../config.js";
import { debug } from "../util/debug.js";
import { formatBytes, safeDecode, textBefore } from "../util/format.js";
import { isInside } from "../util/inside.js";
import { fail, ok, type Result } from "../util/result.js";

/**
 * The file a local image path names, or the problem with it: relative to the postmortem, or
 * from the content folder, then `public/`, for a path starting with `/`. It must stay inside
 * those folders or `images.roots` (inside the project), and so must a symlink's target.
 */
export function localImagePath(src: string, postmortemPath: string, config: ResolvedConfig): Result<string> {
  const written = safeDecode(textBefore(src, /[?#]/));
  // A postmortem checked from outside the content folder may use images beside it, no further.
  const own = path.dirname(postmortemPath);
  const content = postmortemPath !== config.contentDir && isInside(postmortemPath, config.contentDir) ? config.contentDir : own;
  const inside = (file: string, dir: string) => file !== dir && isInside(file, dir);
  // Folders of `images.roots` (a docs site's `_static/`), never outside the project.
  const extra = config.images.roots.filter((dir) => isInside(dir, config.root));
  const candidates = written.startsWith("/")
    ? [
        { file: path.join(content, written), dir: content },
        { file: path.join(config.publicDir, written), dir: config.publicDir },
      ]
    : [{ file: path.resolve(own, written), dir: content }];
  const allowed = candidates
    .filter(({ file, dir }) => inside(file, dir) || (!written.startsWith("/") && extra.some((root) => inside(file, root))))
    .map(({ file }) => file);
  const [first] = allowed;
  if (first === undefined) {
    return fail({
      reason: `Unexpected image path \`${src}\` outside the content folder`,
      ruleId: "image/outside",
      hint: "Keep images inside the content folder (or public/ for paths starting with /), or add their folder, inside the project, to images.roots.",
      severity: "error",
    });
  }
  const found = allowed.find((file) => fs.existsSync(file));
  // A symlink must not carry a file from elsewhere on the machine into the archive.
  if (found && !linksInside(found, [content, config.publicDir], extra, config.root)) {
    return fail({
      reason: `Unexpected image \`${src}\` that links outside the content folder`,
      ruleId: "image/outside",
      hint: "Copy the image into the content folder instead of linking to it.",
      severity: "error",
    });
  }
  // A missing file is `image/missing`'s to report, once it is read.
  return ok(found ?? first);
}

/** True when the real path of `file` lies in one of the folders, or of the roots inside the project, once links are followed. */
function linksInside(file: string, folders: readonly string[], roots: readonly string[], projectRoot: string): boolean {
  const inside = (child: string, dir: string) => child !== dir && isInside(child, dir);
  const real = fs.realpathSync(file);
  const project = fs.realpathSync(projectRoot);
  const ownRoots = roots
    .filter((dir) => fs.existsSync(dir))
    .map((dir) => fs.realpathSync(dir))
    .filter((dir) => dir === project || inside(dir, project));
  const allowed = [...folders.filter((dir) => fs.existsSync(dir)).map((dir) => fs.realpathSync(dir)), ...ownRoots];
  return allowed.some((dir) => inside(real, dir));
}

/**
 * The bytes of a local image file, measured before it is read: a huge file (a run of one byte
 * compresses 1000:1 in git) never fills memory. `written` is the path as the postmortem has it.
 */
export function readLocalImage(file: string, written: string, maxBytes: number): Result<Uint8Array> {
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
  if (size !== undefined && size > maxBytes) {
    return fail({
      reason: `Unexpected image \`${written}\` of ${formatBytes(size)}, expected at most ${formatBytes(maxBytes)} (images.maxBytes)`,
      ruleId: "image/too-large",
      hint: "Save it smaller (a PNG or JPEG of the screen is enough), or raise images.maxBytes in the config.",
      severity: "error",
    });
  }
  try {
    return ok(fs.readFileSync(file));
  } catch (error) {
    debug("images", "a local image could not be read", error);
    return fail({
      reason: `Missing image \`${written}\``,
      ruleId: "image/missing",
      hint: "Check the path: it is relative to this file; a path starting with / is looked up in the content folder, then public/.",
      severity: "error",
    });
  }
}
