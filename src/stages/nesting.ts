import type { Nodes as MdastNodes, Root as MdastRoot } from "mdast";
import type { Point } from "unist";

/** The problem of a body whose markup nests too deep to render: one wording wherever it is found. */
export const TOO_DEEP = Object.freeze({
  reason: "Unexpected nesting too deep to render (emphasis, links or HTML elements inside one another)",
  ruleId: "content/too-deep",
  hint: "Flatten the nested markup; no postmortem needs it this deep.",
  severity: "error",
} as const);

/** Deepest block nesting a body may have: far beyond any real postmortem, far below a stack overflow. */
export const MAX_NESTING = 100;

/**
 * Deepest tree a body may parse into (root, list, item, paragraph, emphasis… each count). The
 * tree tools recurse (to-hast, sanitize, to-html): bounded here, they cannot overflow the stack
 * of any thread, so every build and check refuses the same files whatever runs them.
 */
export const MAX_TREE_DEPTH = 400;

// A line's prefix of containers: quotes, indentation, and list markers (`- - - a` nests three lists).
const CONTAINERS = /^(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*/;

/**
 * The first line whose block nesting (`>` quotes, list markers, or indentation as deep as 100
 * list levels) is beyond what Hindsight renders. Checked before parsing: the Markdown parser
 * itself slows down badly on such input, and the tree tools recurse on it.
 */
export function tooDeeplyNested(body: string, firstLine: number): Point | undefined {
  let line = firstLine;
  for (const text of body.split("\n")) {
    // The pattern matches at the start of every line, if only the empty prefix.
    const prefix = CONTAINERS.exec(text)?.[0] ?? "";
    let quotes = 0;
    let markers = 0;
    let indent = 0;
    for (const c of prefix) {
      if (c === ">") quotes++;
      else if (c === " ") indent++;
      else if (c === "\t") indent += 4;
      else if (c === "-" || c === "*" || c === "+" || c === "." || c === ")") markers++;
    }
    if (quotes + markers > MAX_NESTING || indent > MAX_NESTING * 4) return { line, column: 1 };
    line++;
  }
  return undefined;
}

/** The first node deeper than `MAX_TREE_DEPTH` in a parsed body (inline markup nested thousands deep), if any. */
export function tooDeepTree(tree: MdastRoot): Point | undefined {
  const stack: [MdastNodes, number][] = [[tree, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (depth > MAX_TREE_DEPTH) return node.position?.start ?? { line: 1, column: 1 };
    if ("children" in node) for (const child of node.children) stack.push([child, depth + 1]);
  }
  return undefined;
}
