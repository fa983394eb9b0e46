import { fileTypeFromBuffer } from "file-type";
import { imageSize } from "image-size";

/** An image type Hindsight stores: raster formats browsers show, and SVG (sanitized). */
export interface ImageType {
  readonly ext: string;
  readonly mime: string;
}

const RASTER: ReadonlyMap<string, ImageType> = new Map(
  [
    ["png", "image/png"],
    ["jpg", "image/jpeg"],
    ["gif", "image/gif"],
    ["webp", "image/webp"],
    ["avif", "image/avif"],
    ["bmp", "image/bmp"],
    ["ico", "image/x-icon"],
  ].map(([ext, mime]) => [mime!, { ext: ext!, mime: mime! }]),
);
const SVG: ImageType = { ext: "svg", mime: "image/svg+xml" };

/**
 * The image type of some bytes, from their magic bytes (file-type) or, for SVG, which has
 * none, from an `<svg` root element. Undefined when they are not an image we store.
 */
export async function detectImageType(bytes: Uint8Array): Promise<ImageType | undefined> {
  const found = await fileTypeFromBuffer(bytes);
  const mime = found?.mime === "image/vnd.microsoft.icon" ? "image/x-icon" : found?.mime === "image/apng" ? "image/png" : found?.mime;
  const raster = mime ? RASTER.get(mime) : undefined;
  if (raster) return raster;
  // SVG has no magic bytes; file-type calls one with an XML prolog application/xml.
  return (!found || found.mime === "application/xml") && looksLikeSvg(bytes) ? SVG : undefined;
}

/** True when a declared MIME type (`image/jpg`, `image/svg+xml; charset=utf-8`) names the detected type. */
export function sameType(declared: string, actual: ImageType): boolean {
  const mime = declared.split(";")[0]!.trim().toLowerCase();
  return mime === actual.mime || (mime === "image/jpg" && actual.mime === "image/jpeg") || (mime === "image/vnd.microsoft.icon" && actual.ext === "ico");
}

/** Width and height in CSS pixels, when the format says. */
export function dimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  try {
    const size = imageSize(bytes);
    return size.width && size.height ? { width: size.width, height: size.height } : undefined;
  } catch {
    return undefined;
  }
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString("utf8").replace(/^\uFEFF/, "");
  // An XML declaration, comments and a doctype may come first.
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head);
}
