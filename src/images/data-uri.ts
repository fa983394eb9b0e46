import { debug } from "../util/debug.js";
import { mustGroup } from "../util/lookup.js";
import type { Problem } from "../util/messages.js";
import { fail, ok, type Result } from "../util/result.js";

/** A decoded `data:` URI. */
export interface DataUri {
  readonly mime: string;
  readonly bytes: Uint8Array;
}

// data:[<type>][;param…][;base64],<data>; browsers accept bare parameters such as `;utf8`.
const DATA_URI = /^data:([^,;]*)((?:;(?!base64,)[^,;]*)*)(;base64)?,(.*)$/is;

/**
 * Decodes a `data:` URI, base64 or percent-encoded (RFC 2397); the error is the reason it is
 * malformed, to finish the sentence "Cannot read embedded image: …".
 */
export function decodeDataUri(uri: string): Result<DataUri, string> {
  const match = DATA_URI.exec(uri.trim());
  if (!match) return fail("it is not of the form data:<type>;base64,<data>");
  const mime = (match[1] || "text/plain").trim().toLowerCase();
  const payload = mustGroup(match, 4);
  if (match[3]) {
    const compact = payload.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return fail("its base64 data is corrupt");
    const bytes = Buffer.from(compact, "base64");
    return bytes.length === 0 ? fail("it holds no data") : ok({ mime, bytes });
  }
  try {
    const bytes = Buffer.from(decodeURIComponent(payload), "utf8");
    return bytes.length === 0 ? fail("it holds no data") : ok({ mime, bytes });
  } catch (error) {
    debug("images", "a data: URI with corrupt percent-encoding", error);
    return fail("its percent-encoded data is corrupt");
  }
}

/** The error for an embedded image that cannot be stored: `reason` finishes "Cannot read embedded image: …". */
export function embeddedImageProblem(reason: string): Problem {
  return {
    reason: `Cannot read embedded image: ${reason}`,
    ruleId: "image/data-uri",
    hint: "Paste the image again, or save it as a file next to the postmortem and link it.",
    severity: "error",
  };
}

/**
 * The size in bytes a `data:` URI decodes to, from the string alone (nothing is decoded, so a
 * budget can refuse a huge one cheaply): base64 counts 3 bytes per 4 characters, padding
 * aside (whitespace in the data counts too, so a little more); percent-encoded counts each
 * `%XX` as one byte and any other character as its UTF-8 bytes. 0 when there is no data.
 */
export function dataUriSize(uri: string): number {
  const comma = uri.indexOf(",");
  if (comma < 0) return 0;
  if (uri.slice(Math.max(0, comma - 7), comma).toLowerCase() === ";base64") {
    const padding = uri.endsWith("==") ? 2 : uri.endsWith("=") ? 1 : 0;
    return Math.max(0, Math.floor(((uri.length - comma - 1) * 3) / 4) - padding);
  }
  let percents = 0;
  for (let at = uri.indexOf("%", comma); at >= 0; at = uri.indexOf("%", at + 1)) percents++;
  return Math.max(0, Buffer.byteLength(uri.slice(comma + 1), "utf8") - 2 * percents);
}
