import path from "node:path";
import type { DocFacts } from "./read.js";
import { headingKey, roleOf } from "./sections.js";
import { safeDecode, scalarText } from "../util/format.js";
import { mustGroup } from "../util/lookup.js";

/** Why a Markdown file is not a postmortem; `postmortem` when it is one. */
export type DocKind = "postmortem" | "readme" | "changelog" | "license" | "contributing" | "template" | "toctree" | "index" | "unlike";

/** How each kind is named in `init`'s report. */
export const KIND_LABELS: Readonly<Record<DocKind, string>> = {
  postmortem: "a postmortem",
  readme: "a readme",
  changelog: "a changelog",
  license: "a licence",
  contributing: "contribution guidelines",
  template: "a template",
  toctree: "a toctree page",
  index: "an index page",
  unlike: "unlike the postmortems: no summary, timeline, cause or actions section, date or shared frontmatter",
};

const BY_NAME: ReadonlyArray<[RegExp, DocKind]> = [
  [/^readme$/i, "readme"],
  [/^(changelog|changes|history|news|releases?)$/i, "changelog"],
  [/^(licen[cs]e|copying|notice)$/i, "license"],
  [/^(contributing|code[-_]of[-_]conduct|security|support|governance|codeowners)$/i, "contributing"],
  [/template/i, "template"],
];

// Placeholders a template leaves for its author to fill in.
const PLACEHOLDERS = /YYYY-MM-DD|\bHH:MM\b|\{\{[^}]*\}\}|<\s*(?:insert|your|describe|add|name|date|link)\b[^>]*>|\[(?:TODO|TBD|insert[^\]]*|describe[^\]]*)\]/i;

/**
 * Tells a postmortem from the other Markdown an archive keeps beside it: readmes, changelogs,
 * licences, contribution guides by their names; templates by name or by their placeholders and
 * `<!-- … -->` prompts; Sphinx and MkDocs toctree and nav pages, and pages that mostly link to
 * the others (`others`: the paths of the other Markdown files), by their text.
 */
export function classify(doc: DocFacts, others: ReadonlySet<string>): DocKind {
  const stem = path.posix.basename(doc.relPath).replace(/\.(md|markdown)$/i, "");
  for (const [pattern, kind] of BY_NAME) if (pattern.test(stem)) return kind;
  const body = doc.body;
  if (/^```+\s*\{toctree\}|^\.\. toctree::|^:::\s*\{toctree\}/m.test(body)) return "toctree";
  const prompts = body.match(/<!--[\s\S]*?-->/g)?.length ?? 0;
  const placeholders = PLACEHOLDERS.test(body) || PLACEHOLDERS.test(JSON.stringify(doc.data));
  if ((placeholders || prompts >= 2) && isMostlyBlank(doc)) return "template";
  if (isLinkList(doc, others)) return "index";
  return "postmortem";
}

/** A template's sections hold prompts, not text: few words outside headings, comments and placeholders. */
function isMostlyBlank(doc: DocFacts): boolean {
  const prose = doc.body
    .replace(/<!--[\s\S]*?-->/g, " ")
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join(" ")
    .replace(PLACEHOLDERS, " ");
  const words = prose.match(/[\p{L}\p{N}]{2,}/gu)?.length ?? 0;
  // A filled-in postmortem tells a story; a template holds a sentence of prompt per section.
  return words < 60 + 25 * doc.headings.length;
}

/** An index or nav page: its lines are mostly links, several of them to the other Markdown files. */
function isLinkList(doc: DocFacts, others: ReadonlySet<string>): boolean {
  const dir = path.posix.dirname(doc.relPath);
  let toOthers = 0;
  for (const match of doc.body.matchAll(/\]\(\s*<?([^)\s>#]+\.(?:md|markdown|html?))(?:#[^)\s]*)?>?(?:\s+"[^"]*")?\s*\)/gi)) {
    const target = path.posix.normalize(path.posix.join(dir, safeDecode(mustGroup(match, 1))));
    if (others.has(target) || others.has(target.replace(/\.html?$/i, ".md"))) toOthers++;
  }
  if (toOthers < 2) return false;
  const lines = doc.body.split("\n").filter((line) => line.trim() !== "" && !/^\s*#/.test(line));
  const linkLines = lines.filter((line) => /^\s*(?:[-*+]|\d+[.)]|\|)?.*\]\([^)]+\)/.test(line));
  // A list of links, each with a line of description at most: not a story that cites others.
  const words =
    lines
      .join(" ")
      .replace(/\]\([^)]*\)/g, "]")
      .match(/[\p{L}\p{N}]{2,}/gu)?.length ?? 0;
  return linkLines.length >= lines.length * 0.5 && words <= 25 * lines.length;
}

/**
 * True when a file looks like a postmortem: a section playing a role (summary, timeline, cause,
 * actions), a date in its path, two or more of the frontmatter keys most files share
 * (`commonKeys`), or an incident word in its title or name. A guide or a glossary kept beside
 * the postmortems has none of these.
 */
export function looksLikePostmortem(doc: DocFacts, commonKeys: ReadonlySet<string>): boolean {
  if (doc.headings.some((heading) => roleOf(headingKey(heading)) !== undefined)) return true;
  if (doc.pathDate !== undefined) return true;
  if (Object.keys(doc.data).filter((key) => commonKeys.has(key)).length >= 2) return true;
  return /incident|outage|post-?mortem|downtime|root cause|\brca\b|\bsev\d/i.test(`${doc.h1 ?? ""} ${scalarText(doc.data.title)} ${doc.relPath}`);
}
