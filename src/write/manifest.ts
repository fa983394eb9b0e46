import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { staysInside } from "../util/inside.js";
import { debug } from "../util/debug.js";

/** Name of the marker file that says a folder is a Hindsight build, safe to replace. */
export const BUILD_MARKER = ".hindsight";

/** What the marker says; it is written anew by every build that changes the folder. */
export const MARKER_TEXT = "Built by Hindsight. This folder is replaced by each build.\n";

/**
 * What the previous build wrote: each file's key and size, and the identity of the folder it
 * wrote (see `folderId`), to know the output folder is still that build.
 */
export interface Manifest {
  readonly dir: string;
  /** The public folder's files as copied: path, size and modification time. */
  readonly public?: string;
  readonly files: Record<string, readonly [key: string, size: number]>;
  /** The `build` key of what the folder was made from (see cache/keys.ts), when the build gave one. */
  readonly build?: string | undefined;
}

/** The previous build's manifest as read, with its text to tell whether it was rewritten since. */
export interface PreviousBuild {
  readonly manifest: Manifest;
  readonly text: string;
}

/** Whether a parsed manifest file has a manifest's shape (its file names are checked apart). */
function isManifest(value: unknown): value is Manifest {
  if (typeof value !== "object" || value === null) return false;
  const { dir, files } = value as Record<string, unknown>;
  if (typeof dir !== "string" || typeof files !== "object" || files === null) return false;
  // Each file's key and size, as a build writes them: a damaged entry makes the whole manifest untrusted.
  return Object.values(files).every((entry) => Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "number");
}

/** The previous build's manifest, when the output folder is still the build it describes. */
export async function previousBuild(outDir: string, manifestFile: string | undefined): Promise<PreviousBuild | undefined> {
  if (!manifestFile) return undefined;
  let text: string;
  let manifest: unknown;
  try {
    text = readFileSync(manifestFile, "utf8");
    manifest = JSON.parse(text);
  } catch (error) {
    debug("write", "no previous manifest to read: every file is made", error);
    // None (a first build, a cleared cache) or unreadable: every file is made.
    return undefined;
  }
  if (!isManifest(manifest)) return undefined;
  // A manifest that names a file outside the output folder was not written by a build: not trusted.
  if (!Object.keys(manifest.files).every((file) => staysInside(outDir, file))) return undefined;
  return (await folderId(outDir)) === manifest.dir ? { manifest, text } : undefined;
}

/**
 * A folder's identity: its inode and change time, and its marker's inode. A swap changes the
 * first, a file added or removed at its top the second, an update in place the third (the
 * marker is replaced first, since change times are too coarse to tell two updates apart).
 */
export async function folderId(dir: string): Promise<string | undefined> {
  const stat = await fs.stat(dir, { bigint: true }).catch(() => undefined);
  const marker = stat && (await fs.stat(path.join(dir, BUILD_MARKER), { bigint: true }).catch(() => undefined));
  return stat && `${stat.dev}:${stat.ino}:${stat.ctimeNs}:${marker?.ino ?? "-"}`;
}

/** Saves the manifest; a build that cannot only makes the next one slower. */
export function saveManifest(file: string, manifest: Manifest): void {
  try {
    writeFileAtomic(file, JSON.stringify(manifest));
  } catch (error) {
    debug("write", "the manifest could not be saved (the next build makes every file)", error);
    // Without it, the next build makes every file again: slower, never wrong.
  }
}

/** The lock file that orders the builds changing one output folder. */
export function lockFileOf(outDir: string): string {
  return path.join(path.dirname(outDir), `.${path.basename(outDir)}.lock`);
}
