import type { Rule } from "./rule.js";
import { dates, timestampOrder } from "./dates.js";
import { fieldTypes } from "./field-types.js";
import { postmortemLinks } from "./links.js";
import { requiredFields } from "./required-fields.js";
import { sectionsBoldHeading, sectionsDuplicate, sectionsEmpty, sectionsMissing } from "./sections.js";
import { services } from "./services.js";
import { severity } from "./severity.js";
import { status } from "./status.js";

/** Every per-file rule, in the order their messages read best. */
export const rules: readonly Rule[] = [
  requiredFields,
  fieldTypes,
  dates,
  timestampOrder,
  severity,
  services,
  status,
  sectionsMissing,
  sectionsEmpty,
  sectionsDuplicate,
  sectionsBoldHeading,
  postmortemLinks,
];

export { checkUniqueSlugs } from "./unique-slugs.js";
export { lintRule, type Rule, type RuleContext } from "./rule.js";
