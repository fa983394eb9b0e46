import { lintRule } from "./rule.js";
import { scanOf } from "./section-scan.js";

/** `sections/duplicate`: each configured section appears once. */
export const sectionsDuplicate = lintRule({ id: "sections/duplicate", severity: "error", lenientInDrafts: true, needsBody: true }, (context, report) => {
  const seen = new Map<string, { line: number }>();
  for (const mark of scanOf(context).marks) {
    const first = seen.get(mark.spec.name);
    if (!first) {
      seen.set(mark.spec.name, mark.place);
      continue;
    }
    report({
      reason: `Unexpected second \`${mark.spec.name}\` section (\`${mark.text}\`), the first is on line ${first.line}`,
      place: mark.place,
      hint: "Merge the two sections, or rename one with a heading that is not a section name.",
    });
  }
});
