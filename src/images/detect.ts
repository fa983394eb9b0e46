import { InternalError } from "../errors.js";
import { debug } from "../util/debug.js";
import { textBefore } from "../util/format.js";

/** An image type Hindsight stores: raster formats browsers show, and SVG (sanitized). */
export interface ImageType {
  readonly ext: string;
  readonly mime: string;
}

const RASTER: ReadonlyMap<string, ImageType> = new Map(
  [
    { ext: "png", mime: "image/png" },
    { ext: "jpg", mime: "image/jpeg" },
    { ext: "gif", mime: "image/gif" },
    { ext: "webp", mime: "image/webp" },
    { ext: "avif", mime: "image/avif" },
    { ext: "bmp", mime: "image/bmp" },
    { ext: "ico", mime: "image/x-icon" },
  ].map((type) => [type.mime, type]),
);
const SVG: ImageType = { ext: "svg", mime: "image/svg+xml" };

/** file-type and image-size, loaded with the first image (150 ms of imports a build without images does without). */
let loaded: { fileTypeFromBuffer: typeof import("file-type").fileTypeFromBuffer; imageSize: typeof import("image-size").imageSize } | undefined;

async function sniffers(): Promise<NonNullable<typeof loaded>> {
  if (!loaded) {
    const [{ fileTypeFromBuffer }, { imageSize }] = await Promise.all([import("file-type"), import("image-size")]);
    loaded = { fileTypeFromBuffer, imageSize };
  }
  return loaded;
}

/**
 * The image type of some bytes, from their magic bytes (file-type) or, for SVG, which has
 * none, from an `<svg` root element. Undefined when they are not an image we store.
 */
export async function detectImageType(bytes: Uint8Array): Promise<ImageType | undefined> {
  const { fileTypeFromBuffer } = await sniffers();
  const found = await fileTypeFromBuffer(bytes);
  const mime = found?.mime === "image/vnd.microsoft.icon" ? "image/x-icon" : found?.mime === "image/apng" ? "image/png" : found?.mime;
  const raster = mime ? RASTER.get(mime) : undefined;
  if (raster) return raster;
  // SVG has no magic bytes; file-type calls one with an XML prolog application/xml.
  return (!found || found.mime === "application/xml") && looksLikeSvg(bytes) ? SVG : undefined;
}

/** True when a declared MIME type (`image/jpg`, `image/svg+xml; charset=utf-8`) names the detected type. */
export function sameType(declared: string, actual: ImageType): boolean {
  const mime = textBefore(declared, ";").trim().toLowerCase();
  return mime === actual.mime || (mime === "image/jpg" && actual.mime === "image/jpeg") || (mime === "image/vnd.microsoft.icon" && actual.ext === "ico");
}

/** Width and height in CSS pixels, when the format says: of bytes whose type `detectImageType` found. */
export function dimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (!loaded) throw new InternalError("an image was measured before any image type was detected");
  try {
    const size = loaded.imageSize(bytes);
    return size.width && size.height ? { width: size.width, height: size.height } : undefined;
  } catch (error) {
    debug("images", "the image size could not be read", error);
    return undefined;
  }
}

/**
 * True when the text opens with an `<svg` root element, after an optional XML declaration,
 * comments and at most one doctype. A scan rather than a regex: a pattern with repeated
 * comment groups backtracked exponentially on adjacent comments (`<!---->` × 40, then `x`).
 */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 4096))
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  let at = skipSpace(head, 0);
  if (head.slice(at, at + 5).toLowerCase() === "<?xml") at = skipPast(head, at, ">");
  let doctype = false;
  for (;;) {
    at = skipSpace(head, at);
    if (at < 0) return false;
    if (head.startsWith("<!--", at)) at = skipPast(head, at + 4, "-->");
    else if (!doctype && head.slice(at, at + 9).toUpperCase() === "<!DOCTYPE") {
      doctype = true;
      at = skipPast(head, at, ">");
    } else return head.slice(at, at + 4).toLowerCase() === "<svg" && /^[\s>]$/.test(head.charAt(at + 4));
  }
}

/** The index of the first non-whitespace character from `at`; -1 stays -1. */
function skipSpace(text: string, at: number): number {
  while (at >= 0 && at < text.length && /\s/.test(text.charAt(at))) at++;
  return at;
}

/** The index just past the next `end` from `at`, or -1 when there is none. */
function skipPast(text: string, at: number, end: string): number {
  const found = text.indexOf(end, at);
  return found < 0 ? -1 : found + end.length;
}
