import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** What git knows of one postmortem. */
export interface GitInfo {
  /** Date of the last commit that changed the file, `YYYY-MM-DD` (the day it was committed, in the committer's zone). */
  readonly updated: string;
  /** Authors of the commits that changed it, most commits first (then by name). */
  readonly contributors: readonly string[];
  /** The file's path in the repository, with `/` (for `editUrl`). */
  readonly repoPath: string;
}

/** The history of a content folder: per file, and whether the clone is shallow (dates then lie). */
export interface GitHistory {
  /** By absolute file path. */
  readonly files: ReadonlyMap<string, GitInfo>;
  readonly shallow: boolean;
  /** The repository's root folder. */
  readonly top: string;
}

// Record and field separators that no name or date contains.
const RECORD = "\u001e";
const FIELD = "\u001f";

/**
 * Reads the last-updated date and contributors of every file under `dir` with one `git log`
 * call. Outside a git checkout, or without git installed, gives undefined: the archive is built
 * without it, quietly.
 */
export async function readGitHistory(dir: string): Promise<GitHistory | undefined> {
  const git = (...args: string[]) =>
    run("git", ["-c", "core.quotePath=false", ...args], { cwd: dir, maxBuffer: 1 << 30, encoding: "utf8", env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } });
  let top: string;
  let shallow: boolean;
  try {
    const { stdout } = await git("rev-parse", "--show-toplevel", "--is-shallow-repository");
    const [topLine, shallowLine] = stdout.trim().split("\n");
    top = topLine!;
    shallow = shallowLine === "true";
  } catch {
    return undefined;
  }
  let log: string;
  try {
    ({ stdout: log } = await git("log", `--format=${RECORD}%cs${FIELD}%aN`, "--name-only", "--no-renames", "--", "."));
  } catch {
    // A repository without a commit yet.
    return { files: new Map(), shallow, top };
  }
  const commits = new Map<string, { updated: string; authors: Map<string, number> }>();
  for (const record of log.split(RECORD)) {
    const [header, ...names] = record.split("\n");
    if (!header) continue;
    const [date, author] = header.split(FIELD) as [string, string];
    for (const name of names) {
      if (!name) continue;
      // git log is newest first: the first commit seen is the last change.
      const entry = commits.get(name) ?? { updated: date, authors: new Map<string, number>() };
      entry.authors.set(author, (entry.authors.get(author) ?? 0) + 1);
      commits.set(name, entry);
    }
  }
  const files = new Map<string, GitInfo>();
  for (const [name, { updated, authors }] of commits) {
    const contributors = [...authors].sort(([a, n], [b, m]) => m - n || (a < b ? -1 : a > b ? 1 : 0)).map(([author]) => author);
    files.set(path.join(top, name), { updated, contributors, repoPath: name });
  }
  return { files, shallow, top };
}

/** The "edit this postmortem" link: `editUrl` with `{path}` replaced by the file's path in the repository. */
export function editLink(editUrl: string | undefined, repoPath: string): string | undefined {
  return editUrl?.replaceAll("{path}", repoPath.split("/").map(encodeURIComponent).join("/"));
}
