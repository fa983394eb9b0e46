import type { Rule } from "./rule.js";
import { dates } from "./dates.js";
import { fieldTypes } from "./field-types.js";
import { ignored } from "./ignored.js";
import { postmortemLinks } from "./links.js";
import { requiredFields } from "./required-fields.js";
import { sectionsBoldHeading } from "./sections-bold-heading.js";
import { sectionsDuplicate } from "./sections-duplicate.js";
import { sectionsEmpty } from "./sections-empty.js";
import { sectionsMissing } from "./sections-missing.js";
import { services } from "./services.js";
import { severity } from "./severity.js";
import { status } from "./status.js";
import { termsLimit } from "./terms-limit.js";
import { timestampOrder } from "./timestamp-order.js";

/** Every per-file rule, in the order their messages read best. */
export const rules: readonly Rule[] = [
  requiredFields,
  fieldTypes,
  dates,
  ignored,
  timestampOrder,
  severity,
  services,
  status,
  termsLimit,
  sectionsMissing,
  sectionsEmpty,
  sectionsDuplicate,
  sectionsBoldHeading,
  postmortemLinks,
];

export { checkUniqueSlugs } from "./unique-slugs.js";
export { lintRule, type Rule, type RuleContext } from "./rule.js";
