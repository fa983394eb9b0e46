import { scanSections, type SectionScan } from "../util/sections.js";
import { lintRule, type RuleContext } from "./rule.js";

// Rules share one scan of the body per postmortem.
const scans = new WeakMap<RuleContext["pm"], SectionScan>();
function scanOf({ pm, config }: RuleContext): SectionScan {
  let scan = scans.get(pm);
  if (!scan) scans.set(pm, (scan = scanSections(pm.tree, config.sections)));
  return scan;
}

/** `sections/missing`: every configured section has a `##` heading (its name or an alias). */
export const sectionsMissing = lintRule({ id: "sections/missing", severity: "error", lenientInDrafts: true }, (context, report) => {
  const scan = scanOf(context);
  const order = context.config.sections;
  order.forEach((spec, index) => {
    if (scan.marks.some((mark) => mark.spec === spec)) return;
    const wrongLevel = scan.misleveled.find((h) => h.spec === spec);
    // Point where the section belongs: at the first present section that should follow it.
    const next = scan.marks.find((mark) => order.indexOf(mark.spec) > index);
    const aliases = spec.aliases.length ? ` (or ${spec.aliases.map((a) => `\`${a}\``).join(", ")})` : "";
    report({
      reason: `Missing section \`## ${spec.name}\``,
      place: wrongLevel?.place ?? next?.place ?? scan.end,
      hint: wrongLevel
        ? `Make this ${"#".repeat(wrongLevel.depth)} heading a level-2 heading: \`## ${spec.name}\`.`
        : `Add a \`## ${spec.name}\` section${aliases}${next ? ` before \`${next.text}\`` : " at the end"}.`,
    });
  });
});

/** `sections/empty`: a configured section has something under its heading. */
export const sectionsEmpty = lintRule({ id: "sections/empty", severity: "error", lenientInDrafts: true }, (context, report) => {
  for (const mark of scanOf(context).marks) {
    if (mark.hasContent) continue;
    report({ reason: `Unexpected empty section \`${mark.text}\``, place: mark.place, hint: `Write the ${mark.spec.name.toLowerCase()} under its heading, or "None" if there is truly nothing.` });
  }
});

/** `sections/duplicate`: each configured section appears once. */
export const sectionsDuplicate = lintRule({ id: "sections/duplicate", severity: "error", lenientInDrafts: true }, (context, report) => {
  const seen = new Map<string, { line: number }>();
  for (const mark of scanOf(context).marks) {
    const first = seen.get(mark.spec.name);
    if (!first) {
      seen.set(mark.spec.name, mark.place);
      continue;
    }
    report({ reason: `Unexpected second \`${mark.spec.name}\` section (\`${mark.text}\`), the first is on line ${first.line}`, place: mark.place, hint: "Merge the two sections, or rename one with a heading that is not a section name." });
  }
});

/** `sections/bold-heading`: a bold paragraph (`**Timeline:**`) stands in for a section heading. */
export const sectionsBoldHeading = lintRule({ id: "sections/bold-heading", severity: "warning" }, (context, report) => {
  for (const mark of scanOf(context).marks) {
    if (mark.kind !== "bold") continue;
    report({ reason: `Unexpected bold text \`${mark.text}:\` as the \`${mark.spec.name}\` heading, expected \`## ${mark.text}\``, place: mark.place, hint: `Make it a heading, \`## ${mark.text}\`, so it gets an anchor and a place in the contents.` });
  }
});
