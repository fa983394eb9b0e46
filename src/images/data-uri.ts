/** A decoded `data:` URI. */
export interface DataUri {
  readonly mime: string;
  readonly bytes: Uint8Array;
}

// data:[<type>][;param…][;base64],<data>; browsers accept bare parameters such as `;utf8`.
const DATA_URI = /^data:([^,;]*)((?:;(?!base64,)[^,;]*)*)(;base64)?,(.*)$/is;

/**
 * Decodes a `data:` URI, base64 or percent-encoded (RFC 2397). Returns a reason string when
 * it is malformed.
 */
export function decodeDataUri(uri: string): DataUri | string {
  const match = DATA_URI.exec(uri.trim());
  if (!match) return "it is not of the form data:<type>;base64,<data>";
  const mime = (match[1] || "text/plain").trim().toLowerCase();
  const payload = match[4]!;
  if (match[3]) {
    const compact = payload.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return "its base64 data is corrupt";
    const bytes = Buffer.from(compact, "base64");
    return bytes.length === 0 ? "it holds no data" : { mime, bytes };
  }
  try {
    const bytes = Buffer.from(decodeURIComponent(payload), "utf8");
    return bytes.length === 0 ? "it holds no data" : { mime, bytes };
  } catch {
    return "its percent-encoded data is corrupt";
  }
}
