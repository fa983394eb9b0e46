import { resolveConfig, type SectionRole, type SectionSpec } from "../config.js";
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

/** The key a heading is grouped by: lower case, single spaces, cut at the first bracket or punctuation (`Timeline (all times UTC)` → `timeline`). */
export function headingKey(heading: string): string {
  const squashed = heading.toLowerCase().replace(/\s+/g, " ").trim();
  const cut = squashed.split(/\s*(?:[([{:;,.!?—–]|\s-\s)/u)[0]!.trim();
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
  const specs = ordered.map((group): SectionSpec => {
    const [name, ...aliases] = namesOf(group);
    return { name: name!, aliases, required: true, role: roles.get(group) };
  });
  // Counted the way `check` will match them, so the report says what the rules will see.
  const resolved = resolveConfig({ sections: specs.map((s) => ({ name: s.name, aliases: [...s.aliases], ...(s.role ? { role: s.role } : {}) })) }).sections;
  const counts = resolved.map(() => new Set<number>());
  const empty = resolved.map(() => new Set<number>());
  docs.forEach((doc, index) => {
    for (const heading of doc.headings) {
      const spec = matchSection(heading, resolved);
      if (spec) counts[resolved.indexOf(spec)]!.add(index);
    }
    for (const heading of doc.emptyHeadings) {
      const spec = matchSection(heading, resolved);
      if (spec) empty[resolved.indexOf(spec)]!.add(index);
    }
  });
  return specs.map((spec, i) => ({
    ...spec,
    files: counts[i]!.size,
    lacking: docs.filter((_, index) => !counts[i]!.has(index)).map((doc) => doc.relPath),
    emptyIn: docs.filter((_, index) => empty[i]!.has(index)).map((doc) => doc.relPath),
    required: counts[i]!.size >= docs.length * REQUIRED_SHARE,
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
function namesOf(group: Group): string[] {
  const best = new Map<string, [string, number]>();
  for (const [spelling, n] of group.spellings) {
    const key = headingKey(spelling);
    const held = best.get(key);
    if (!held || n > held[1] || (n === held[1] && spelling < held[0])) best.set(key, [spelling, n]);
  }
  const keys = [group.key, ...[...group.members].filter((k) => k !== group.key).sort()];
  // The config wants each name once, compared without case, spaces, `-` or `_`.
  const seen = new Set<string>();
  return keys
    .map((key) => best.get(key)?.[0] ?? key)
    .filter((name) => {
      const squashed = name.toLowerCase().replace(/[\s_-]+/g, "");
      return !seen.has(squashed) && Boolean(seen.add(squashed));
    });
}

/** A heading as written, cut where its key is cut (`Timeline (all times UTC)` → `Timeline`). */
function cutSpelling(heading: string): string {
  const squashed = heading.replace(/\s+/g, " ").trim();
  const cut = squashed
    .split(/\s*(?:[([{:;,.!?—–]|\s-\s)/u)[0]!
    .trim()
    .replace(/[\p{P}\p{S}\s]+$/u, "");
  return cut || squashed;
}

function byFiles(a: Group, b: Group): number {
  return b.files.size - a.files.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Levenshtein distance, for typing variants of one heading. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
