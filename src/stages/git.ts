import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { isInside } from "../util/inside.js";
import { debug } from "../util/debug.js";

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

/** What reading git gave: the history (none outside a git checkout) and notes for the build's summary. */
export interface GitReading {
  readonly history: GitHistory | undefined;
  /** One per `.git` found inside the content folder, which is never used. */
  readonly notes: readonly string[];
}

/** What git says of the files, as far as the pages show it: part of the `build` key (see cache/keys.ts). */
export function historyState({ history }: GitReading): object | undefined {
  return history && { shallow: history.shallow, top: history.top, files: [...history.files] };
}

/** The notes of reading git: `.git` folders ignored, a shallow history. */
export function readingNotes({ history, notes }: GitReading): string[] {
  const shallow =
    "The git history is shallow, so last-updated dates and contributors come from the fetched commits only: fetch the whole history (actions/checkout: fetch-depth: 0).";
  return history?.shallow ? [...notes, shallow] : [...notes];
}

/** The project's repository: its work tree and its git directory (a folder, or a `gitdir:` file for a worktree). */
interface Repository {
  readonly top: string;
  readonly gitDir: string;
}

// Record and field separators that no name or date contains.
const RECORD = "\u001e";
const FIELD = "\u001f";

/**
 * Reads the last-updated date and contributors of every file under `contentDir` with one
 * `git log` call in the repository of the project `root`. Outside a git checkout, or without
 * git installed, the history is undefined: the archive is built without it, quietly.
 *
 * Content is untrusted and git runs programs that a repository's config names, so the
 * repository is found from the project root (never discovered from the content folder, which
 * could hold a planted `HEAD`, `objects/`, `refs/` and `config`), and a `.git` inside the
 * content folder is never used: each one found gets a note.
 */
export async function readGitHistory(contentDir: string, root: string): Promise<GitReading> {
  const realRoot = await fs.realpath(root).catch(() => path.resolve(root));
  const realContent = await fs.realpath(contentDir).catch(() => undefined);
  const repo = await findRepository(realRoot);
  const notes =
    realContent === undefined
      ? []
      : (await strayGitDirs(realContent, repo?.gitDir)).map(
          (found) =>
            `Ignored ${path.relative(realRoot, found).split(path.sep).join("/")}: a .git inside the content folder is never used (its settings could run programs on the build machine).`,
        );
  if (!repo || realContent === undefined || !isInside(realContent, repo.top)) return { history: undefined, notes };
  return { history: await readHistory(repo, path.relative(repo.top, realContent).split(path.sep).join("/") || "."), notes };
}

/** The history of the files under `pathspec` (the content folder, relative to the repository's top, with `/`). */
async function readHistory(repo: Repository, pathspec: string): Promise<GitHistory | undefined> {
  let shallow: boolean;
  try {
    shallow = (await runGit(repo, ["rev-parse", "--is-shallow-repository"])).trim() === "true";
  } catch (error) {
    debug("git", "git rev-parse failed: no history", error);
    return undefined;
  }
  let log: string;
  try {
    // The format shows no signature (%G…) and --name-only makes no diff: no textconv or external diff
    // would run, and the options say so for good measure.
    log = await runGit(repo, [
      "log",
      "--no-show-signature",
      "--no-ext-diff",
      "--no-textconv",
      `--format=${RECORD}%cs${FIELD}%aN`,
      "--name-only",
      "--no-renames",
      "--",
      pathspec,
    ]);
  } catch (error) {
    debug("git", "git log failed (a repository without a commit yet?)", error);
    // A repository without a commit yet.
    return { files: new Map(), shallow, top: repo.top };
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
    files.set(path.join(repo.top, name), { updated, contributors, repoPath: name });
  }
  return { files, shallow, top: repo.top };
}

/**
 * The repository holding the project: the first `<folder>/.git` from the (real) project root
 * up. Only an entry named `.git` counts, which no commit can add, so files a pull request adds
 * (a `HEAD`, `objects/`, `refs/` beside the config) are never taken for a repository.
 */
async function findRepository(realRoot: string): Promise<Repository | undefined> {
  for (let dir = realRoot; ; dir = path.dirname(dir)) {
    const gitDir = path.join(dir, ".git");
    if (
      await fs.stat(gitDir).then(
        () => true,
        () => false,
      )
    )
      return { top: dir, gitDir };
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Every `.git` (folder, file or symlink) under the content folder but the project's own, sorted; symlinks and node_modules are not entered, as discovery does not. */
async function strayGitDirs(contentDir: string, own: string | undefined): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      // Case-insensitive file systems take `.GIT` for `.git`.
      if (entry.name.toLowerCase() === ".git") {
        if (full !== own) found.push(full);
      } else if (entry.isDirectory() && entry.name !== "node_modules") {
        await walk(full);
      }
    }
  };
  await walk(contentDir);
  return found;
}

// Settings that could make `rev-parse` or `log` run a program, each turned off. Options given
// with `-c` win over every config file (system, global, the repository's), so these hold even
// though the project's own config is read (it is the build machine's clone, and trusted).
const NO_PROGRAM = "/dev/null/none"; // a path nothing can ever be at
const SAFE_CONFIG = [
  "log.showSignature=false", // verifying a signature runs the gpg program
  `gpg.program=${NO_PROGRAM}`,
  `gpg.openpgp.program=${NO_PROGRAM}`,
  `gpg.x509.program=${NO_PROGRAM}`,
  `gpg.ssh.program=${NO_PROGRAM}`,
  "core.fsmonitor=false", // a command that reads the index runs the monitor
  "core.hooksPath=/dev/null", // no hook (such as pre-auto-gc)
  "core.pager=cat", // with --no-pager, in case a pager.<command> asks for one
  "protocol.allow=never", // no fetch, hence no ssh, credential helper or remote helper (a partial clone's lazy fetch)
  "core.quotePath=false",
];

// Variables that point git at another repository, index or object store than the project's
// (a git hook that runs hindsight has GIT_DIR and GIT_INDEX_FILE set): `git rev-parse --local-env-vars`.
const REPOSITORY_ENV = [
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_CONFIG",
  "GIT_CONFIG_PARAMETERS",
  "GIT_CONFIG_COUNT",
  "GIT_OBJECT_DIRECTORY",
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_IMPLICIT_WORK_TREE",
  "GIT_GRAFT_FILE",
  "GIT_INDEX_FILE",
  "GIT_NO_REPLACE_OBJECTS",
  "GIT_REPLACE_REF_BASE",
  "GIT_PREFIX",
  "GIT_INTERNAL_SUPER_PREFIX",
  "GIT_SHALLOW_FILE",
  "GIT_COMMON_DIR",
];

/**
 * Runs git in the project's repository, named explicitly (`--git-dir`, `--work-tree`, run from
 * its top) so that git discovers nothing, with every setting that could run a program turned
 * off. The one place Hindsight runs git.
 */
async function runGit(repo: Repository, args: readonly string[]): Promise<string> {
  const inherited = Object.entries(process.env).filter(([name]) => !REPOSITORY_ENV.includes(name));
  const env: NodeJS.ProcessEnv = { ...Object.fromEntries(inherited), GIT_TERMINAL_PROMPT: "0", GIT_NO_LAZY_FETCH: "1" };
  const options = [
    "--no-pager",
    "--no-optional-locks",
    "--literal-pathspecs",
    `--git-dir=${repo.gitDir}`,
    `--work-tree=${repo.top}`,
    ...SAFE_CONFIG.flatMap((setting) => ["-c", setting]),
  ];
  const { stdout } = await run("git", [...options, ...args], { cwd: repo.top, env, maxBuffer: 1 << 30, encoding: "utf8" });
  return stdout;
}

/** The "edit this postmortem" link: `editUrl` with `{path}` replaced by the file's path in the repository. */
export function editLink(editUrl: string | undefined, repoPath: string): string | undefined {
  return editUrl?.replaceAll("{path}", repoPath.split("/").map(encodeURIComponent).join("/"));
}
