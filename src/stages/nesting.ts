import type { Point } from "unist";

/** Deepest nesting a body may have: far beyond any real postmortem, far below a stack overflow. */
export const MAX_NESTING = 100;

/**
 * The first line whose block nesting (`>` quotes, or indentation as deep as 100 list levels)
 * is beyond what Hindsight renders. Checked before parsing: the Markdown parser itself slows
 * down badly on such input, and the tree tools recurse on it.
 */
export function tooDeeplyNested(body: string, firstLine: number): Point | undefined {
  let line = firstLine;
  for (const text of body.split("\n")) {
    const prefix = /^[\s>]*/.exec(text)![0];
    const quotes = prefix.split(">").length - 1;
    const indent = prefix.replace(/>/g, "").replace(/\t/g, "    ").length;
    if (quotes > MAX_NESTING || indent > MAX_NESTING * 4) return { line, column: 1 };
    line++;
  }
  return undefined;
}
