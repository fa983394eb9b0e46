import { lintRule } from "./rule.js";
import { scanOf } from "./section-scan.js";

/** `sections/missing`: every required section has a `##` heading (its name or an alias). */
export const sectionsMissing = lintRule({ id: "sections/missing", severity: "error", lenientInDrafts: true, needsBody: true }, (context, report) => {
  const scan = scanOf(context);
  const order = context.config.sections;
  order.forEach((spec, index) => {
    if (!spec.required || scan.marks.some((mark) => mark.spec === spec)) return;
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
