import { resolveConfig, type SectionRole, type SectionSpec } from "../config.js";
import { textBefore } from "../util/format.js";
import { mustAt } from "../util/lookup.js";
import { matchSection } from "../util/sections.js";
import type { DocFacts } from "./read.js";

/** A section as `init` writes it in the config. */
export interface SectionChoice {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly required: boolean;
  readonly role: SectionRole | undefined;
  /** Postmortems with a heading that matches it. */
  readonly files: number;
  /** Paths of the postmortems without it. */
  readonly lacking: readonly string[];
  /** Paths of the postmortems where it is empty (`sections/empty` refuses that). */
  readonly emptyIn: readonly string[];
}

/** Share of postmortems a section must be in to be required. */
export const REQUIRED_SHARE = 0.8;
/** Share of postmortems a section must be in to be recognised. */
export const RECOGNISED_SHARE = 0.2;

// Headings that play a role, strongest first: a weaker one (`Lessons Learned`) takes the role
// only when no stronger one is there.
const ROLE_WORDS: ReadonlyArray<[SectionRole, number, readonly string[]]> = [
  ["summary", 0, ["summary", "issue summary", "incident summary", "executive summary", "overview", "tl;dr", "tldr", "what happened", "description"]],
  ["timeline", 0, ["timeline", "incident timeline", "timeline of events", "chronology", "sequence of events"]],
  ["cause", 0, ["root cause", "root causes", "root cause analysis", "cause", "causes", "root cause and resolution", "why did it happen", "what went wrong"]],
  ["cause", 1, ["contributing factors", "contributing factor", "analysis"]],
  [
    "actions",
    0,
    [
      "action items",
      "actions",
      "corrective and preventative measures",
      "corrective and preventative measure",
      "corrective and preventive measures",
      "corrective actions",
      "remediation",
      "follow-ups",
      "follow ups",
      "followups",
      "follow-up",
      "next steps",
      "preventive measures",
      "preventative measures",
      "how are we preventing it from happening again",
      "prevention",
    ],
  ],
  ["actions", 1, ["lessons learned", "lessons learnt", "moving forward", "future improvements"]],
];

// Where a heading's key ends: a bracket, punctuation, or a spaced dash.
const CUT = /\s*(?:[([{:;,.!?—–]|\s-\s)/u;

/** The key a heading is grouped by: lower case, single spaces, cut at the first bracket or punctuation (`Timeline (all times UTC)` → `timeline`). */
export function headingKey(heading: string): string {
  const squashed = heading.toLowerCase().replace(/\s+/g, " ").trim();
  const cut = textBefore(squashed, CUT).trim();
  return cut.replace(/[\p{P}\p{S}\s]+$/u, "") || squashed;
}

/** The role a heading's key plays, and how strongly (0 strongest), or undefined. */
export function roleOf(key: string): { role: SectionRole; rank: number } | undefined {
  for (const [role, rank, words] of ROLE_WORDS) {
    if (words.some((word) => key === word || key.startsWith(word + " "))) return { role, rank };
  }
  return undefined;
}

interface Group {
  key: string;
  members: Set<string>;
  /** Indexes of the postmortems using one of its keys. */
  files: Set<number>;
  spellings: Map<string, number>;
  positions: number[];
}

/**
 * Fits the sections to the postmortems' `##` headings: headings grouped by key, typing
 * variants (`Atendees`) and same-role variants that never meet in one file (`Root Cause
 * Analysis`, `Root Cause`) merged as aliases; a section in ≥ 80 % of the files is required,
 * one in ≥ 20 % (or playing a role in 2 files or more) recognised. No heading at all: `[]`.
 */
export function decideSections(docs: readonly DocFacts[]): SectionChoice[] {
  const groups = new Map<string, Group>();
  docs.forEach((doc, index) => {
    doc.headings.forEach((heading, position) => {
      const key = headingKey(heading);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { key, members: new Set([key]), files: new Set(), spellings: new Map(), positions: [] }));
      group.files.add(index);
      const spelling = cutSpelling(heading);
      group.spellings.set(spelling, (group.spellings.get(spelling) ?? 0) + 1);
      group.positions.push(position / Math.max(1, doc.headings.length - 1));
    });
  });
  let list = [...groups.values()].sort(byFiles);
  list = mergeWhere(list, (a, b) => {
    const shorter = Math.min(a.key.length, b.key.length);
    const distance = editDistance(a.key, b.key);
    return (shorter >= 5 && distance <= 1) || (shorter >= 8 && distance <= 2);
  });
  list = mergeWhere(list, (a, b) => {
    const ra = roleOf(a.key);
    const rb = roleOf(b.key);
    return ra !== undefined && rb !== undefined && ra.role === rb.role && ra.rank === rb.rank;
  });
  const chosen = list.filter((g) => g.files.size >= docs.length * RECOGNISED_SHARE || (roleOf(g.key) !== undefined && g.files.size >= 2));
  // One section per role: the strongest, then the most used.
  const roleTaken = new Set<SectionRole>();
  const roleFirst = [...chosen].sort((a, b) => (roleOf(a.key)?.rank ?? 9) - (roleOf(b.key)?.rank ?? 9) || byFiles(a, b));
  const roles = new Map<Group, SectionRole>();
  for (const group of roleFirst) {
    const role = roleOf(group.key)?.role;
    if (role && !roleTaken.has(role)) {
      roleTaken.add(role);
      roles.set(group, role);
    }
  }
  const ordered = [...chosen].sort((a, b) => median(a.positions) - median(b.positions) || byFiles(a, b));
  const specs = ordered.map((group): SectionSpec => ({ ...namesOf(group), required: true, role: roles.get(group) }));
  // Counted the way `check` will match them, so the report says what the rules will see: the
  // config resolves one section per spec, in order.
  const resolved = resolveConfig({ sections: specs.map((s) => ({ name: s.name, aliases: [...s.aliases], ...(s.role ? { role: s.role } : {}) })) }).sections;
  const tallies = resolved.map((section, i) => ({ section, spec: mustAt(specs, i, "the sections"), files: new Set<number>(), empty: new Set<number>() }));
  const tallyOf = (heading: string) => {
    const section = matchSection(heading, resolved);
    return tallies.find((tally) => tally.section === section);
  };
  docs.forEach((doc, index) => {
    for (const heading of doc.headings) tallyOf(heading)?.files.add(index);
    for (const heading of doc.emptyHeadings) tallyOf(heading)?.empty.add(index);
  });
  return tallies.map(({ spec, files, empty }) => ({
    ...spec,
    files: files.size,
    lacking: docs.filter((_, index) => !files.has(index)).map((doc) => doc.relPath),
    emptyIn: docs.filter((_, index) => empty.has(index)).map((doc) => doc.relPath),
    required: files.size >= docs.length * REQUIRED_SHARE,
  }));
}

function mergeWhere(list: Group[], mergeable: (a: Group, b: Group) => boolean): Group[] {
  const result: Group[] = [];
  for (const group of list) {
    // Into the most used group it may join and never shares a file with.
    const into = result.find((big) => mergeable(big, group) && ![...group.files].some((f) => big.files.has(f)));
    if (!into) {
      result.push(group);
      continue;
    }
    for (const member of group.members) into.members.add(member);
    for (const file of group.files) into.files.add(file);
    for (const [spelling, n] of group.spellings) into.spellings.set(spelling, (into.spellings.get(spelling) ?? 0) + n);
    into.positions.push(...group.positions);
  }
  return result.sort(byFiles);
}

/** The section's name (the most used spelling of its main key) and one alias per other key. */
function namesOf(group: Group): { name: string; aliases: string[] } {
  const best = new Map<string, [string, number]>();
  for (const [spelling, n] of group.spellings) {
    const key = headingKey(spelling);
    const held = best.get(key);
    if (!held || n > held[1] || (n === held[1] && spelling < held[0])) best.set(key, [spelling, n]);
  }
  const spelling = (key: string) => best.get(key)?.[0] ?? key;
  // The config wants each name once, compared without case, spaces, `-` or `_`.
  const squash = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, "");
  const name = spelling(group.key);
  const seen = new Set([squash(name)]);
  const aliases = [...group.members]
    .filter((k) => k !== group.key)
    .sort()
    .map(spelling)
    .filter((alias) => !seen.has(squash(alias)) && Boolean(seen.add(squash(alias))));
  return { name, aliases };
}

/** A heading as written, cut where its key is cut (`Timeline (all times UTC)` → `Timeline`). */
function cutSpelling(heading: string): string {
  const squashed = heading.replace(/\s+/g, " ").trim();
  const cut = textBefore(squashed, CUT)
    .trim()
    .replace(/[\p{P}\p{S}\s]+$/u, "");
  return cut || squashed;
}

function byFiles(a: Group, b: Group): number {
  return b.files.size - a.files.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  // No values: index -1, and 0.
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** Levenshtein distance, for typing variants of one heading. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  // One row of the table at a time: the distances from a's first i characters to each prefix of b.
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let distance = b.length;
  for (let i = 0; i < a.length; i++) {
    const current = [i + 1];
    let diagonal = i;
    let left = i + 1;
    for (const [j, up] of previous.slice(1).entries()) {
      left = Math.min(up + 1, left + 1, diagonal + (a[i] === b[j] ? 0 : 1));
      current.push(left);
      diagonal = up;
    }
    previous = current;
    distance = left;
  }
  return distance;
}
