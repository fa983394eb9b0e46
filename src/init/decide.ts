import path from "node:path";
import fg from "fast-glob";
import type { UserConfig } from "../config.js";
import { RULE_IDS } from "../rules/ids.js";
import { plural, textBefore } from "../util/format.js";
import { classify, KIND_LABELS, looksLikePostmortem, type DocKind } from "./classify.js";
import { CORE_FIELDS, decideFields, present } from "./fields.js";
import type { DocFacts } from "./read.js";
import { decideSections } from "./sections.js";
import { decideSeverities } from "./severity.js";
import { namedById } from "../util/file-name.js";
import { isInside } from "../util/inside.js";
import { safeDecode } from "../util/format.js";

/** What `init` decided: the config to write and the reasons, one line each, to print. */
export interface Decision {
  readonly config: UserConfig;
  readonly report: readonly string[];
  readonly postmortems: readonly DocFacts[];
  readonly leftOut: ReadonlyArray<{ relPath: string; kind: DocKind }>;
}

/**
 * Decides a config for the Markdown files of a content folder (`docs`, paths relative to it,
 * sorted), `content` being that folder as written in the config. Pure: same files, same config.
 */
export function decide(docs: readonly DocFacts[], content: string, notes: readonly string[] = []): Decision {
  const all = new Set(docs.map((d) => d.relPath));
  const kinds = docs.map((doc) => ({ doc, kind: classify(doc, new Set([...all].filter((p) => p !== doc.relPath))) }));
  // Among the rest, a file with nothing of a postmortem is left out when most files look like one.
  const candidates = kinds.filter((k) => k.kind === "postmortem");
  const keyUse = new Map<string, number>();
  for (const { doc } of candidates) for (const key of Object.keys(doc.data)) keyUse.set(key, (keyUse.get(key) ?? 0) + 1);
  const commonKeys = new Set([...keyUse].filter(([, uses]) => uses >= candidates.length / 2).map(([key]) => key));
  const unlike = candidates.filter((k) => !looksLikePostmortem(k.doc, commonKeys));
  const alike = candidates.length - unlike.length;
  if (alike >= 3 && alike >= candidates.length * 0.6) for (const k of unlike) k.kind = "unlike";
  const postmortems = kinds.filter((k) => k.kind === "postmortem").map((k) => k.doc);
  const leftOut = kinds.filter((k) => k.kind !== "postmortem").map((k) => ({ relPath: k.doc.relPath, kind: k.kind }));
  const n = postmortems.length;
  const report: string[] = [];
  const say = (line: string) => report.push(line);

  say(`Content folder: ${content} — ${plural(docs.length, "Markdown file")}, ${plural(n, "postmortem")}.`);
  if (leftOut.length > 0) {
    say(`Left out ${plural(leftOut.length, "file")}: ${leftOut.map((l) => `${l.relPath} (${KIND_LABELS[l.kind]})`).join(", ")}.`);
  }
  for (const note of notes) say(note);
  const { include, exclude } = globsFor(
    postmortems.map((d) => d.relPath),
    leftOut.map((l) => l.relPath),
  );
  if (include) say(`Include: ${include.join(", ")} (every postmortem's name starts so, and some other file's does not).`);

  const sections = decideSections(postmortems);
  if (sections.length === 0) {
    say(
      n > 0 && postmortems.every((d) => d.headings.length === 0)
        ? "Sections: none (no postmortem has a `##` heading): the section check is off."
        : "Sections: none shared by 20 % of the postmortems or more: the section check is off.",
    );
  } else {
    say(`Sections (\`##\` headings of ${plural(n, "postmortem")}; required from 80 %, recognised from 20 %):`);
    for (const s of sections) {
      const aliases = s.aliases.length ? ` (aliases: ${s.aliases.join(", ")})` : "";
      const role = s.role ? `, role ${s.role}` : "";
      say(`  ${s.name}: ${s.files} of ${plural(n, "file")} → ${s.required ? "required" : "recognised, not required"}${role}${aliases}`);
    }
    for (const s of sections) {
      const missing = s.required ? s.lacking : [];
      if (missing.length)
        say(
          `  ! ${plural(missing.length, "postmortem")} ${missing.length === 1 ? "lacks" : "lack"} ${s.name}, check warns about ${missing.length === 1 ? "it" : "them"}: ${missing.join(", ")} (add the section, or set \`required: false\`).`,
        );
      if (s.emptyIn.length)
        say(
          `  ! ${plural(s.emptyIn.length, "postmortem")} ${s.emptyIn.length === 1 ? "has" : "have"} ${s.name} empty, check warns about ${s.emptyIn.length === 1 ? "it" : "them"}: ${s.emptyIn.join(", ")} (write something under it, or remove the heading).`,
        );
    }
  }

  const fields = decideFields(postmortems);
  const withFrontmatter = postmortems.filter((d) => d.hasFrontmatter).length;
  say(
    withFrontmatter === 0
      ? "Frontmatter: none."
      : `Frontmatter in ${withFrontmatter} of ${n} files; keys: ${fields.keys
          .slice(0, 12)
          .map(([k, c]) => `${k} ${c}`)
          .join(", ")}${fields.keys.length > 12 ? ", …" : ""}.`,
  );
  for (const [field, key] of Object.entries(fields.map)) say(`  ${field} is read from \`${key}\` (fields.map).`);
  say(`Fields (required when every postmortem has one):`);
  for (const field of CORE_FIELDS) {
    const { frontmatter, text } = fields.supply[field];
    const from =
      [frontmatter ? `${frontmatter} in frontmatter` : "", text ? `${text} from ${field === "title" ? "the `#` heading" : "a date in the file name"}` : ""]
        .filter(Boolean)
        .join(", ") || "none";
    say(`  ${field}: ${frontmatter + text} of ${plural(n, "file")} (${from}) → ${fields.required.includes(field) ? "required" : "not required"}`);
  }
  if (fields.outOfRange.length)
    say(
      `  ! ${plural(fields.outOfRange.length, "postmortem")} ${fields.outOfRange.length === 1 ? "has a date" : "have dates"} outside the years 0001 to 9999, which check refuses: ${fields.outOfRange.join(", ")}.`,
    );
  const titleKey = fields.map.title ?? "title";
  const untitled = postmortems.filter((doc) => namedById(doc.relPath) && !present(doc.data[titleKey]) && doc.h1 === undefined).length;
  if (untitled > 0) {
    say(`  ${plural(untitled, "postmortem")} named by an id (a UUID, a hash or a number) and with no title: each is titled by its first sentence.`);
  }
  if (fields.rules["title/fallback"]) say("  title/fallback off: the `#` heading is this archive's title, a warning on every file would say nothing new.");
  if (fields.supply.date.text > 0) say("  A date in a file name is read as the date, noted as an info message (extract/date-from-path).");

  const severityKey = fields.map.severity ?? "severity";
  const severityValues = postmortems.flatMap((d) =>
    typeof d.data[severityKey] === "string" || typeof d.data[severityKey] === "number" ? [String(d.data[severityKey])] : [],
  );
  const labelled = postmortems.flatMap((d) => (d.labelledSeverity !== undefined && severityValues.length === 0 ? [d.labelledSeverity] : []));
  const { levels, unknown } = decideSeverities(severityValues, labelled);
  if (labelled.length)
    say(
      `Severity: none in frontmatter; ${plural(labelled.length, "postmortem")} ${labelled.length === 1 ? "writes" : "write"} it in the text (${[...new Set(labelled.map((v) => v.split(/[\s(,;-]/)[0]))].sort().join(", ")}): read onto SEV1…SEV5 by the labelled-lines extractor${levels ? ", the words it did not know added as aliases" : ""}.`,
    );
  if (unknown.length === 0 && severityValues.length)
    say(
      `Severities: the values used (${[...new Set(severityValues)].sort().join(", ")}) are read onto SEV1…SEV5${levels ? ", those it did not know added as aliases" : ""}.`,
    );
  else if (levels && unknown.length)
    say(`Severities: the values used are the scale, known words worst first, then ${unknown.join(", ")} (reorder them worst first by hand).`);
  const extra = fields.taxonomies.filter((t) => !["services", "severity", "tags"].includes(t));
  if (extra.length) say(`Taxonomies: ${extra.map((t) => `${t} (${fields.keys.find(([k]) => k === t)?.[1] ?? 0} files)`).join(", ")} get index pages.`);

  const rules = sortKeys(Object.fromEntries(Object.entries(fields.rules).filter(([id]) => RULE_IDS.includes(id))));
  const overrides = overridesFor(sections);
  for (const o of overrides) {
    const ids = Object.keys(o.rules).join(" and ");
    say(
      `Overrides: ${ids} ${Object.keys(o.rules).length === 1 ? "is a warning" : "are warnings"} for the ${plural(o.files.length, "postmortem")} named above, so that the archive builds as it is; everywhere else ${Object.keys(o.rules).length === 1 ? "it stays an error" : "they stay errors"}. Fix ${o.files.length === 1 ? "it" : "them"}, then remove the override.`,
    );
  }
  const roots = imageRoots(postmortems, content);
  for (const [root, files] of roots)
    say(`Images: ${plural(files, "postmortem")} ${files === 1 ? "uses" : "use"} images in ${root}/, outside the content folder: allowed with images.roots.`);
  const config: UserConfig = {
    content,
    ...(include ? { include } : {}),
    ...(exclude.length ? { exclude } : {}),
    fields: { required: fields.required, ...(Object.keys(fields.map).length ? { map: sortKeys(fields.map) } : {}) },
    sections: sections.map((s) => ({
      name: s.name,
      ...(s.aliases.length ? { aliases: [...s.aliases] } : {}),
      ...(s.required ? {} : { required: false }),
      ...(s.role ? { role: s.role } : {}),
    })),
    ...(levels ? { severities: levels.map((l) => (l.aliases.length ? { id: l.id, aliases: l.aliases } : l.id)) } : {}),
    taxonomies: fields.taxonomies,
    ...(roots.size ? { images: { roots: [...roots.keys()] } } : {}),
    // Only ids this version knows: an unknown one is a config error.
    ...(Object.keys(rules).length ? { rules } : {}),
    ...(overrides.length ? { overrides } : {}),
  };
  return { config, report, postmortems, leftOut };
}

/**
 * Rule settings for the few postmortems that lack a section most have, or leave one empty: a
 * warning for them alone (ESLint's `overrides`), so that the archive builds as it is while the
 * check still holds every other file to the sections. One entry per set of rules, files sorted.
 */
function overridesFor(sections: ReturnType<typeof decideSections>): { files: string[]; rules: Record<string, "warn"> }[] {
  const byFile = new Map<string, Set<string>>();
  const add = (file: string, id: string) => byFile.set(file, (byFile.get(file) ?? new Set()).add(id));
  for (const s of sections) {
    if (s.required) for (const file of s.lacking) add(file, "sections/missing");
    for (const file of s.emptyIn) add(file, "sections/empty");
  }
  const groups = new Map<string, string[]>();
  for (const [file, ids] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const key = [...ids].sort().join(",");
    groups.set(key, [...(groups.get(key) ?? []), fg.escapePath(file)]);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, files]) => ({ files, rules: Object.fromEntries(key.split(",").map((id) => [id, "warn" as const])) }));
}

/**
 * Globs that take the postmortems and leave the others out: an `include` when every
 * postmortem's name begins with the same letters and some other file's does not
 * (`PM2021-001 - …`), else `exclude` globs, one per file or `**\/NAME` for a name found in
 * several folders.
 */
export function globsFor(postmortems: readonly string[], others: readonly string[]): { include: string[] | undefined; exclude: string[] } {
  // Letters only: a shared date prefix (`2024-…`) says nothing about next year's postmortems.
  const prefix = textBefore(commonPrefix(postmortems.map((p) => path.posix.basename(p))), /[^A-Za-z]/);
  let include: string[] | undefined;
  let remaining = [...others];
  if (prefix.length >= 2 && postmortems.length > 0) {
    const outside = others.filter((p) => !path.posix.basename(p).startsWith(prefix));
    if (outside.length > 0) {
      const exts = [...new Set(postmortems.map((p) => path.posix.extname(p).toLowerCase()))].sort();
      include = exts.map((ext) => `**/${prefix}*${ext}`);
      remaining = others.filter((p) => path.posix.basename(p).startsWith(prefix));
    }
  }
  const byName = new Map<string, string[]>();
  for (const p of remaining) byName.set(path.posix.basename(p), [...(byName.get(path.posix.basename(p)) ?? []), p]);
  const exclude = [...byName.entries()].flatMap(([name, paths]) => (paths.length > 1 ? [`**/${fg.escapePath(name)}`] : paths.map((p) => fg.escapePath(p))));
  return { include, exclude: [...new Set(exclude)].sort() };
}

/**
 * Folders of the project, outside the content folder, that relative images point into
 * (a docs site's `../_static/images/`), with how many postmortems use each: `images.roots`.
 * An image that leaves the project is left to `check` to refuse.
 */
export function imageRoots(postmortems: readonly DocFacts[], content: string): Map<string, number> {
  const users = new Map<string, Set<string>>();
  const inContent = (p: string) => isInside(p, content, "/");
  for (const doc of postmortems) {
    for (const match of doc.body.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/gi)) {
      const src = textBefore(match[1] ?? match[2] ?? "", /[?#]/);
      if (src === "" || src.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(src)) continue;
      const target = path.posix.normalize(path.posix.join(content, path.posix.dirname(doc.relPath), safeDecode(src)));
      if (!isInside(target, ".", "/") || inContent(target)) continue;
      const dir = path.posix.dirname(target);
      users.set(dir, (users.get(dir) ?? new Set()).add(doc.relPath));
    }
  }
  // A folder inside another one found is covered by it.
  const byDir = [...users].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const roots = new Map<string, Set<string>>();
  for (const [dir, used] of byDir) {
    const outer = [...roots.keys()].find((root) => isInside(dir, root, "/"));
    const files = roots.get(outer ?? dir) ?? new Set<string>();
    for (const file of used) files.add(file);
    roots.set(outer ?? dir, files);
  }
  return new Map([...roots].map(([dir, files]) => [dir, files.size]));
}

function commonPrefix(names: readonly string[]): string {
  const [first, ...rest] = names;
  if (first === undefined) return "";
  let prefix = first;
  for (const name of rest) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
