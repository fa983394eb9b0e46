import type { Root as MdastRoot } from "mdast";
import { toString } from "mdast-util-to-string";
import { textBefore } from "../util/format.js";
import { sectionBody, type Found } from "./found.js";
import { splitNames, trimChars } from "./labelled-lines.js";

const AUTHORS_HEADING = /^\s*(authors?|written by|responders?|incident responders|participants)\s*:?\s*$/i;

/**
 * `authors`: the people an Authors or Responders section names: its first list, one person an
 * item (`- Jane Doe (incident commander)` → `Jane Doe`), or its first paragraph, comma-separated.
 */
export function authorsFromSection(tree: MdastRoot): Found<string[]> | undefined {
  const section = sectionBody(tree, (heading) => AUTHORS_HEADING.test(toString(heading)));
  if (!section) return undefined;
  for (const node of section.nodes) {
    if (node.type === "list") {
      const names = node.children.map((item) => personOf(textBefore(toString(item.children[0] ?? item), "\n"))).filter(Boolean);
      if (names.length > 0) return { value: names, place: node.position?.start };
    }
    if (node.type === "paragraph") {
      const names = splitNames(toString(node).replace(/\n/g, ", "));
      if (names.length > 0) return { value: names, place: node.position?.start };
    }
  }
  return undefined;
}

/** `Jane Doe (incident commander)`, `Jane Doe - SRE`, `Jane Doe: comms` → `Jane Doe`. */
function personOf(line: string): string {
  const cuts = [line.indexOf("("), line.indexOf(":"), ...[" - ", " – ", " — "].map((dash) => line.indexOf(dash))].filter((i) => i > 0);
  return trimChars(cuts.length > 0 ? line.slice(0, Math.min(...cuts)) : line, "@ \t", " \t");
}
