import { createHash } from "node:crypto";

/** Hex SHA-256 of a string or bytes. */
export function hashText(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A short content hash for immutable asset file names. */
export function shortHash(data: string | Uint8Array): string {
  return hashText(data).slice(0, 10);
}
