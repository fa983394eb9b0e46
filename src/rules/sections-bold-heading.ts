import { lintRule } from "./rule.js";
import { scanOf } from "./section-scan.js";

/** `sections/bold-heading`: a bold paragraph (`**Timeline:**`) stands in for a section heading. */
export const sectionsBoldHeading = lintRule({ id: "sections/bold-heading", severity: "warning", needsBody: true }, (context, report) => {
  for (const mark of scanOf(context).marks) {
    if (mark.kind !== "bold") continue;
    report({
      reason: `Unexpected bold text \`${mark.text}:\` as the \`${mark.spec.name}\` heading, expected \`## ${mark.text}\``,
      place: mark.place,
      hint: `Make it a heading, \`## ${mark.text}\`, so it gets an anchor and a place in the contents.`,
    });
  }
});
