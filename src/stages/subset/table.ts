import type { AlignType, Table, TableCell, TableRow } from "mdast";
import type { Point } from "unist";
import { parseInline } from "./inline.js";

const DELIMITER_ROW = /^\|(?: *:?-+:? *\|)+$/;

/**
 * A GFM table whose every row starts and ends with `|` and has the header's number of cells,
 * none empty, and whose last row is followed by a blank line or the end. `undefined` for any
 * other table.
 */
export function parseTable(
  lines: readonly string[],
  from: number,
  at: (k: number, column?: number) => Point,
  end: (k: number) => Point,
): { table: Table; next: number } | undefined {
  const delimiter = lines[from + 1];
  if (delimiter === undefined || !DELIMITER_ROW.test(delimiter)) return undefined;
  const align: AlignType[] = delimiter
    .slice(1, -1)
    .split("|")
    .map((cell) => {
      const trimmed = cell.trim();
      const left = trimmed.startsWith(":");
      const right = trimmed.endsWith(":");
      return left && right ? "center" : left ? "left" : right ? "right" : null;
    });
  const header = parseRow(lines, from, align.length, at, end);
  if (!header) return undefined;
  const rows: TableRow[] = [header];
  let k = from + 2;
  for (; k < lines.length && !/^ *$/.test(lines[k] as string); k++) {
    const row = parseRow(lines, k, align.length, at, end);
    if (!row) return undefined;
    rows.push(row);
  }
  const table: Table = { type: "table", align, children: rows, position: { start: at(from), end: end(k - 1) } };
  return { table, next: k };
}

/** A row's cells: each from its `|` to the next, the last to the line's end. */
function parseRow(
  lines: readonly string[],
  k: number,
  count: number,
  at: (k: number, column?: number) => Point,
  end: (k: number) => Point,
): TableRow | undefined {
  const line = lines[k] as string;
  if (!line.startsWith("|") || !line.endsWith("|") || line.length < 2 || line.includes("\\")) return undefined;
  const parts = line.slice(1, -1).split("|");
  if (parts.length !== count) return undefined;
  const cells: TableCell[] = [];
  let column = 1; // of the cell's leading `|`
  for (const [i, part] of parts.entries()) {
    const lead = /^ */.exec(part)?.[0].length ?? 0;
    const content = part.slice(lead).replace(/ +$/, "");
    if (content === "") return undefined;
    const phrasing = parseInline([{ text: content, line: k + 1, column: column + 1 + lead, offset: at(k, column + 1 + lead).offset as number }]);
    if (!phrasing) return undefined;
    const last = i === parts.length - 1;
    cells.push({ type: "tableCell", children: phrasing, position: { start: at(k, column), end: last ? end(k) : at(k, column + 1 + part.length) } });
    column += 1 + part.length;
  }
  return { type: "tableRow", children: cells, position: { start: at(k), end: end(k) } };
}
