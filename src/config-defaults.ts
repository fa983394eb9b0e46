// The config's defaults: what a project without a config file gets (README, Configuration).
import type { ImageOptions, Limits, SectionSpec, SeverityLevel } from "./config.js";

/** What a section is for: the summary, the action items and the others are read from the section playing the role. */
export const SECTION_ROLES = ["summary", "timeline", "cause", "actions"] as const;

/** The default scale's colours, worst first. */
const SEVERITY_COLORS = ["#b42318", "#c4320a", "#a15c07", "#1f6feb", "#57606a"] as const;

/** The colour of the level at `index` of a scale, worst first: the default scale's at that place, past its end its last one's. */
export function severityColor(index: number): string {
  return SEVERITY_COLORS[index] ?? SEVERITY_COLORS[4];
}

/** The default severity scale, SEV1 worst. */
const SEVERITY_ALIASES = [
  ["P1", "critical"],
  ["P2", "high", "major"],
  ["P3", "medium", "moderate"],
  ["P4", "low", "minor"],
  ["P5", "informational", "cosmetic"],
];

/** The default severity scale, SEV1 worst; `SEV-1`, `sev 1` are read as `SEV1` whatever the aliases. */
export const DEFAULT_SEVERITIES: readonly SeverityLevel[] = Object.freeze(
  SEVERITY_ALIASES.map((aliases, i) => Object.freeze({ id: `SEV${i + 1}`, label: `SEV${i + 1}`, color: severityColor(i), aliases: Object.freeze(aliases) })),
);

/** The frontmatter fields DESIGN.md gives a meaning of their own, tags aside (a taxonomy). */
export const FIELDS = Object.freeze([
  "title",
  "date",
  "severity",
  "services",
  "status",
  "summary",
  "started",
  "detected",
  "mitigated",
  "resolved",
  "duration",
  "impact",
  "authors",
  "incident_id",
  "slug",
] as const);

/** Frontmatter fields required by default. */
export const DEFAULT_REQUIRED_FIELDS: readonly string[] = Object.freeze(["title", "date", "severity", "services"]);

/** Default image options. */
export const DEFAULT_IMAGES: ImageOptions = Object.freeze({
  remote: true,
  timeoutMs: 10_000,
  maxBytes: 10 * 1024 * 1024,
  concurrency: 8,
  allowHosts: Object.freeze([]),
  roots: Object.freeze([]),
});

/** Postmortem files by default: every Markdown file of the content folder. */
export const DEFAULT_INCLUDE: readonly string[] = Object.freeze(["**/*.md", "**/*.markdown"]);

const MB = 1024 * 1024;

/** Default budgets (README, Security). */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  fileBytes: MB,
  fileMs: 10_000,
  dataBytes: 10 * MB,
  dataTotalBytes: 100 * MB,
  downloadBytes: 200 * MB,
  downloadMs: 120_000,
  terms: 100,
  outputBytes: 10 * MB,
});

/** The default required sections and their aliases (DESIGN.md). */
export const DEFAULT_SECTIONS: readonly SectionSpec[] = Object.freeze(
  [
    { name: "Issue Summary", aliases: ["Summary", "Incident Summary", "Overview"], role: "summary" as const },
    { name: "Timeline", aliases: ["Timeline of Events"], role: "timeline" as const },
    { name: "Root Cause and Resolution", aliases: ["Root Cause", "Root Causes", "Root Cause Analysis", "Cause"], role: "cause" as const },
    {
      name: "Corrective and Preventative Measures",
      aliases: ["Corrective and Preventive Measures", "Action Items", "Follow-ups", "Remediation"],
      role: "actions" as const,
    },
  ].map(({ name, aliases, role }) => Object.freeze({ name, aliases: Object.freeze(aliases), required: true, role })),
);
