// What the command line accepts and says about it: help texts, options, which command takes which.
// Apart from cli/run.ts, which runs the commands.

/** The top-level help. */
export const HELP = `hindsight — build a searchable static archive of incident postmortems

Usage:
  hindsight build [options]          build the archive from content/ into dist/
  hindsight check [PATH…] [options]  validate postmortems; write nothing
  hindsight dev [--port N] [--open]  build, serve on 127.0.0.1 and rebuild as files change
  hindsight new "Title" [options]    start a postmortem: content/<yyyy>/<slug>.md, a draft
  hindsight init [FOLDER] [options]  fit a config to an existing archive, then check it
  hindsight help COMMAND             options and examples of one command
  hindsight --version

Any command takes --debug (or DEBUG=hindsight): say on stderr what was deliberately ignored
(a damaged cache entry read as a miss, a failed git command).

Exit codes: 0 ok (warnings allowed), 1 content errors, 2 usage or config errors, 70 internal error.`;

const PROJECT_OPTIONS = `  --content DIR      folder of postmortems (default: content)
  --config FILE      config file (default: hindsight.config.{json,js,mjs,ts} if present)`;

/** Each command's help: what it does, its options, examples. */
export const COMMAND_HELP: Record<string, string> = {
  build: `hindsight build [options]

Checks every postmortem, then builds the archive into the output folder, swapped in whole:
a build with errors writes nothing and leaves the previous archive as it was.

Options:
${PROJECT_OPTIONS}
  --out DIR          output folder (default: dist)
  --theme NAME|DIR   theme: a folder under themes/ or a path (default: default)
  --drafts           include postmortems with status: draft
  --offline          download no image; use the cache or keep the URL
  --strict           treat warnings as errors
  --format F         messages as stylish (default), json or github
  --verbose          show the time of every stage

Examples:
  hindsight build
  hindsight build --content ../postmortems --out public_html --drafts
  hindsight build --strict --format github     # in CI: annotations on the pull request`,
  check: `hindsight check [PATH…] [options]

Validates postmortems (all of them, or the files and folders given) against the required
fields and sections; writes nothing. Exit code 1 when there is an error.

Options:
${PROJECT_OPTIONS}
  --strict           treat warnings as errors
  --format F         messages as stylish (default), json or github

Examples:
  hindsight check
  hindsight check content/2025/checkout-timeouts.md
  hindsight check --format github --strict`,
  dev: `hindsight dev [--port N] [--open] [options]

Builds the archive in memory, drafts included, and serves it on http://127.0.0.1:PORT/.
Watches content, theme, public/ and the config: each save rebuilds what changed and
reloads the open pages. Errors show in the terminal and over the page until fixed.

Options:
  --port N           port on 127.0.0.1 (default: 4000; 0 picks a free one)
  --open             open the archive in the default browser
${PROJECT_OPTIONS}
  --theme NAME|DIR   theme: a folder under themes/ or a path (default: default)
  --offline          download no image; use the cache or keep the URL

Examples:
  hindsight dev
  hindsight dev --port 8080 --open`,
  new: `hindsight new "Title" [options]

Writes content/<yyyy>/<slug>.md from the theme's template (templates/postmortem.md,
overridable in your project's themes/<name>/): frontmatter filled in, status: draft, and
every configured section with a prompt. Never overwrites a file; prints its path.

Options:
  --severity S       the severity, a level or an alias (default: the middle of the scale)
  --service X        an affected service; repeat for more
  --date D           incident start, ISO date or date-time (default: now)
${PROJECT_OPTIONS}

Examples:
  hindsight new "Checkout timeouts after a pool change" --severity SEV2 --service checkout
  hindsight new "Expired certificate on the edge" --service edge --service auth --date 2025-03-12T14:05Z`,
  init: `hindsight init [FOLDER] [options]

Reads an existing archive (the Markdown under FOLDER, or anywhere in this folder but the
output, .cache, node_modules and dot-folders), tells postmortems from readmes, templates and
index pages, and writes hindsight.config.json fitted to them: required and recognised
sections with their aliases and roles, required fields, mapped keys, the severity scale,
taxonomies, include/exclude globs. Prints what it decided and why, then runs check.
Never overwrites a config without --force. Exit code: that of check (0 or 1), 2 for usage.

Options:
  --content DIR      the content folder, as FOLDER
  --print            print the config instead of writing it
  --force            replace an existing hindsight.config.*
  --format F         check's messages as stylish (default), json or github

Examples:
  hindsight init                 # postmortems anywhere under this folder
  hindsight init docs/incidents  # the content folder is docs/incidents
  hindsight init . --print       # postmortems at the root; write nothing`,
};

/** Options of one type, for `parseArgs`, by name. */
function optionsOf<T extends "string" | "boolean", K extends string>(type: T, names: readonly K[]): Record<K, { type: T }> {
  return Object.fromEntries(names.map((name) => [name, { type }])) as Record<K, { type: T }>;
}

/** Every option of every command, for `parseArgs`. */
export const OPTIONS = {
  ...optionsOf("string", ["content", "out", "theme", "config", "format", "severity", "date", "port"]),
  ...optionsOf("boolean", ["drafts", "offline", "strict", "verbose", "open", "print", "force", "debug"]),
  service: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

const PROJECT = ["content", "config"];
/** The options each command takes; any other is a mistake worth saying. */
export const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  build: [...PROJECT, "out", "theme", "drafts", "offline", "strict", "format", "verbose"],
  check: [...PROJECT, "strict", "format"],
  dev: [...PROJECT, "theme", "offline", "port", "open"],
  new: [...PROJECT, "theme", "severity", "service", "date"],
  init: ["content", "print", "force", "format"],
};
