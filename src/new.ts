import fs from "node:fs";
import path from "node:path";
import { BUILTIN_THEMES_DIR, type SeverityLevel } from "./config.js";
import { UsageError } from "./errors.js";
import { themeFile } from "./theme.js";
import { loadProjectConfig, type RunOptions } from "./project.js";
import { normalizeSeverity } from "./stages/parse.js";
import { mustAt } from "./util/lookup.js";
import { slugOrHash } from "./util/slug.js";
import { parseDate } from "./util/time.js";

/** Options of `hindsight new`. */
export interface NewOptions extends RunOptions {
  readonly title: string;
  /** A level of the scale or one of its aliases. @default the middle of the scale */
  readonly severity?: string;
  readonly services?: readonly string[];
  /** Incident start, ISO date or date-time. @default now, to the minute */
  readonly date?: string;
}

// One line for each default section, to get the author started; other sections get a generic one.
const PROMPTS: Record<string, string> = {
  "Issue Summary": "What happened, who was affected, for how long, and how it ended. Two or three sentences.",
  Timeline: "Times in UTC: - **14:05** What happened, what was noticed, what was done.",
  "Root Cause and Resolution": "Why it happened (the mechanism, not a person) and what fixed it.",
  "Corrective and Preventative Measures": "Follow-ups as a task list: - [ ] What to change @owner due:YYYY-MM-DD TICKET-1",
};

/**
 * Writes a new postmortem, `content/<yyyy>/<slug>.md`, from the template (the project's
 * `themes/<theme>/templates/postmortem.md`, else the default theme's): frontmatter filled in,
 * `status: draft`, and every configured section with a prompt. Never overwrites a file.
 */
export async function newPostmortem(options: NewOptions): Promise<string> {
  const { title, severity, services = [], date, ...run } = options;
  if (!title.trim()) throw new UsageError('A title is needed: hindsight new "Checkout timeouts after a pool change"');
  const config = await loadProjectConfig(run);
  const when = date ?? new Date().toISOString().slice(0, 16) + "Z";
  const instant = parseDate(when);
  if (!instant) throw new UsageError(`Unexpected --date ${when}, expected an ISO date or date-time such as 2025-03-12T14:05Z`);
  const level = chosenLevel(severity, config.severities);
  const file = path.join(config.contentDir, instant.iso.slice(0, 4), `${slugOrHash(title)}.md`);
  if (fs.existsSync(file)) throw new UsageError(`${path.relative(config.root, file)} already exists: choose another title, or edit that file`);

  const template = themeFile(config.themeDirs, "templates/postmortem.md") ?? path.join(BUILTIN_THEMES_DIR, "default", "templates", "postmortem.md");
  const sections = config.sections
    .map((spec) => `## ${spec.name}\n\n<!-- ${PROMPTS[spec.name] ?? `Write the ${spec.name.toLowerCase()} here.`} -->\n`)
    .join("\n");
  const values: Record<string, string> = {
    title: JSON.stringify(title.trim()),
    date: instant.iso,
    severity: level,
    // A postmortem names at least one service; a placeholder keeps the draft valid until then.
    services: JSON.stringify(services.length ? services : ["unknown"]),
    sections,
  };
  const text = fs.readFileSync(template, "utf8").replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { flag: "wx" });
  return file;
}

/** The level `--severity` names, or the middle of the scale without one; a UsageError for one not on the scale. */
function chosenLevel(severity: string | undefined, severities: readonly SeverityLevel[]): string {
  // The config requires a level at least.
  if (severity === undefined) return mustAt(severities, Math.floor((severities.length - 1) / 2), "the severity scale").id;
  const level = normalizeSeverity(severity, severities);
  if (!level) throw new UsageError(`Unexpected --severity ${severity}, expected one of ${severities.map((l) => l.id).join(", ")}`);
  return level;
}
