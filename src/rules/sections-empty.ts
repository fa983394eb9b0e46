import { lintRule } from "./rule.js";
import { scanOf } from "./section-scan.js";

/** `sections/empty`: a configured section has something under its heading. */
export const sectionsEmpty = lintRule({ id: "sections/empty", severity: "error", lenientInDrafts: true, needsBody: true }, (context, report) => {
  for (const mark of scanOf(context).marks) {
    if (mark.hasContent) continue;
    report({
      reason: `Unexpected empty section \`${mark.text}\``,
      place: mark.place,
      hint: `Write the ${mark.spec.name.toLowerCase()} under its heading, or "None" if there is truly nothing.`,
    });
  }
});
