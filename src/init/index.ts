import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { CONFIG_FILES } from "../config-load.js";
import { IOError, UsageError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { readOrError } from "../util/read-texts.js";
import { KIND_LABELS } from "./classify.js";
import { decide, type Decision } from "./decide.js";
import { readDoc, type DocFacts } from "./read.js";
import { isInside } from "../util/inside.js";

/** Options of `init`. */
export interface InitOptions {
  /** Project root: where the config is written. @default process.cwd() */
  root?: string;
  /** The content folder, relative to the root; found when not given. */
  folder?: string;
  /** Decide and return the config, write nothing. @default false */
  print?: boolean;
  /** Overwrite an existing config. @default false */
  force?: boolean;
}

/** What `init` did: the decision, the config as written (JSON text) and where. */
export interface InitResult extends Decision {
  /** The config file, pretty JSON with a final newline. */
  readonly json: string;
  /** The file written, undefined with `print`. */
  readonly file: string | undefined;
}

/** Folders never read as content: output, cache, dependencies (dot-folders are skipped too). */
const NEVER_READ = ["**/node_modules/**", "dist/**", "**/.cache/**"];
const MAX_BYTES = 1024 * 1024;

/**
 * Fits a `hindsight.config.json` to an existing archive: finds the Markdown files (under
 * `folder`, or anywhere under the root, the content folder then being the postmortems' common
 * folder), decides a config (`decide`), and writes it unless `print`. An existing config is
 * never overwritten without `force`: a UsageError.
 */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const root = path.resolve(options.root ?? process.cwd());
  const existing = CONFIG_FILES.map((name) => path.join(root, name)).find((file) => fs.existsSync(file));
  if (existing && !options.print && !options.force) {
    throw new UsageError(
      `${path.basename(existing)} already exists: nothing written. Run \`hindsight init --force\` to replace it, or \`--print\` to see the config init would write.`,
    );
  }
  const folder = options.folder === undefined ? undefined : existingFolder(root, options.folder);
  const scanDir = folder ?? root;
  const scanned = await scan(scanDir, root);
  // Without a folder given, the content folder is the one that holds every postmortem (often the root).
  const whole = decide(scanned.docs, ".");
  const contentDir = folder ?? path.join(scanDir, commonFolder(whole.postmortems));
  const within = (relPath: string) => isInside(path.join(scanDir, relPath), contentDir);
  const rebase = (relPath: string) => toPosix(path.relative(contentDir, path.join(scanDir, relPath)));
  const docs = scanned.docs.filter((d) => within(d.relPath)).map((d) => readDoc(rebase(d.relPath), d.text));
  const outside = folder === undefined ? whole.leftOut.filter((l) => !within(l.relPath)) : [];
  const notes = outside.length
    ? [`Outside the content folder, not postmortems: ${outside.map((l) => `${l.relPath} (${KIND_LABELS[l.kind]})`).join(", ")}.`]
    : [];
  notes.push(
    ...scanned.bare.filter(within).map((p) => `Not read: ${rebase(p)} (Markdown without .md or .markdown is never a postmortem; rename it to make it one).`),
  );
  const content = toPosix(path.relative(root, contentDir)) || ".";
  const decision = decide(docs, content, notes);
  if (decision.postmortems.length === 0) {
    const seen = decision.leftOut.map((l) => l.relPath).join(", ");
    throw new UsageError(
      `Found no postmortem in ${content}${seen ? ` (left out: ${seen})` : ""}: give the folder that holds them, \`hindsight init docs/incidents\`.`,
    );
  }
  const json = JSON.stringify(decision.config, null, 2) + "\n";
  if (options.print) return { ...decision, json, file: undefined };
  const file = path.join(root, "hindsight.config.json");
  try {
    writeFileAtomic(file, json);
  } catch (error) {
    throw new IOError(`Cannot write ${file}`, { cause: error });
  }
  const report =
    existing && existing !== file
      ? [...decision.report, `${path.basename(existing)} is still there, but hindsight.config.json is read first: delete the other.`]
      : decision.report;
  return { ...decision, report, json, file };
}

interface Scanned {
  docs: Array<DocFacts & { text: string }>;
  /** Files without an extension that read as Markdown (a `#` heading first). */
  bare: string[];
}

async function scan(dir: string, root: string): Promise<Scanned> {
  const ignore = dir === root ? NEVER_READ : NEVER_READ.filter((g) => !g.startsWith("dist"));
  const list = async (pattern: string) =>
    (
      await fg(pattern, { cwd: dir, caseSensitiveMatch: false, onlyFiles: true, followSymbolicLinks: false, dot: false, ignore }).catch((error: unknown) => {
        throw new IOError(`Cannot list the files of ${dir}`, { cause: error });
      })
    ).sort();
  const docs: Scanned["docs"] = [];
  for (const relPath of await list("**/*.{md,markdown}")) {
    const read = readOrError(path.join(dir, relPath), MAX_BYTES);
    if (read.ok) docs.push({ ...readDoc(relPath, read.value), text: read.value });
  }
  const bare: string[] = [];
  for (const relPath of await list("**/[!.]*")) {
    if (path.posix.extname(relPath) !== "" || /^(LICEN[CS]E|COPYING|NOTICE|AUTHORS|CODEOWNERS|Makefile|Dockerfile)$/i.test(path.posix.basename(relPath)))
      continue;
    const read = readOrError(path.join(dir, relPath), 64 * 1024);
    if (read.ok && /^\s*#{1,2} \S/.test(read.value.replace(/^\uFEFF/, ""))) bare.push(relPath);
  }
  return { docs, bare };
}

/** The folder `written` names (relative to `root`); a UsageError when there is none. */
function existingFolder(root: string, written: string): string {
  const folder = path.resolve(root, written);
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`Folder not found: ${written}`);
  return folder;
}

/** The deepest folder holding every postmortem, relative ("" when they are not in one subfolder). */
function commonFolder(postmortems: readonly DocFacts[]): string {
  const dirs = postmortems.map((d) =>
    path.posix
      .dirname(d.relPath)
      .split("/")
      .filter((p) => p !== "."),
  );
  const [first, ...rest] = dirs;
  if (first === undefined) return "";
  let common = first;
  for (const parts of rest) {
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join("/");
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
