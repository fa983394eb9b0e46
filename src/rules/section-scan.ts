import { scanSections, type SectionScan } from "../util/sections.js";
import type { RuleContext } from "./rule.js";

// The section rules share one scan of the body per postmortem.
const scans = new WeakMap<RuleContext["pm"], SectionScan>();

/** The configured sections found in a postmortem's body, scanned once for all section rules. */
export function scanOf({ pm, config }: RuleContext): SectionScan {
  let scan = scans.get(pm);
  if (!scan) scans.set(pm, (scan = scanSections(pm.tree, config.sections)));
  return scan;
}
