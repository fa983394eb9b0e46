import matter from "gray-matter";
import type { Point } from "unist";
import type { VFile } from "vfile";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { textBefore } from "../util/format.js";
import { addProblem } from "../util/messages.js";

/** Where a frontmatter field is written: its key and its value (1-based, in the file). */
export interface FieldPlace {
  readonly key: Point;
  readonly value: Point;
}

/** A postmortem's frontmatter, read; `data` is empty when there is none or it is broken. */
export interface Frontmatter {
  readonly data: Record<string, unknown>;
  readonly places: ReadonlyMap<string, FieldPlace>;
  /** False when a frontmatter block is there but could not be read. */
  readonly ok: boolean;
  readonly body: string;
  /** 1-based line of the file where the body starts. */
  readonly bodyLine: number;
}

// YAML 1.2 core schema: `date: 2024-03-01` stays the string the author wrote (no implicit Date).
// The parser's own unique-key check compares every key with every other (40,000 keys: 12 s):
// `duplicateKey` does it with a set.
const YAML_OPTIONS = { schema: "core", uniqueKeys: false, prettyErrors: false } as const;
// An alias bomb (`a: &a [*b, *b…]`) is refused instead of expanded.
const MAX_ALIAS_COUNT = 100;

class FrontmatterError extends Error {
  constructor(
    message: string,
    readonly place: Point | undefined,
  ) {
    super(message);
  }
}

/** Splits frontmatter from body (gray-matter) and reads it with the `yaml` parser, keeping field places. */
export function readFrontmatter(text: string, file: VFile): Frontmatter {
  if (!/^---[ \t]*\r?\n/.test(text)) return { data: {}, places: new Map(), ok: true, body: text, bodyLine: 1 };
  let places = new Map<string, FieldPlace>();
  const engine = (yamlText: string): object => {
    const lines = new LineCounter();
    // A CRLF file hands over lines ending in \r, which YAML reads as part of the value.
    const doc = parseDocument(yamlText.replace(/\r$/gm, ""), { ...YAML_OPTIONS, lineCounter: lines });
    // gray-matter hands over the block from the newline that ends the opening `---`, so the
    // YAML's 1-based line numbers are already the file's.
    const at = (offset: number): Point => {
      const { line, col } = lines.linePos(offset);
      return { line, column: col };
    };
    const [error] = doc.errors;
    if (error) throw new FrontmatterError(textBefore(error.message, "\n"), at(error.pos[0]));
    const duplicate = duplicateKey(doc);
    if (duplicate !== undefined) throw new FrontmatterError("Map keys must be unique", at(duplicate));
    places = fieldPlaces(doc, at);
    const data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    if (data === null || data === undefined) return {};
    if (typeof data !== "object" || Array.isArray(data)) {
      throw new FrontmatterError("Unexpected frontmatter that is not a mapping, expected `key: value` lines", { line: 2, column: 1 });
    }
    return data;
  };
  try {
    const result = matter(text, { engines: { yaml: engine } });
    const body = result.content;
    return { data: result.data, places, ok: true, body, bodyLine: countLines(text.slice(0, text.length - body.length)) + 1 };
  } catch (error) {
    const place = error instanceof FrontmatterError ? error.place : undefined;
    const reason = error instanceof FrontmatterError ? error.message : `Cannot read frontmatter: ${(error as Error).message}`;
    addProblem(file, {
      reason: reason.startsWith("Unexpected") ? reason : `Cannot parse frontmatter: ${reason}`,
      ruleId: "frontmatter/syntax",
      place,
      hint: "Fix the YAML between the `---` lines; quote values that contain `: ` or start with a symbol.",
      severity: "error",
    });
    return { data: {}, places: new Map(), ok: false, body: blankOutFrontmatter(text), bodyLine: 1 };
  }
}

/** The offset of the first key written twice in one mapping, at any depth, if any. */
function duplicateKey(doc: Document): number | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key)) {
          const id = `${typeof key.value}:${String(key.value)}`;
          if (seen.has(id)) return key.range?.[0] ?? 0;
          seen.add(id);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    }
  }
  return undefined;
}

function fieldPlaces(doc: Document, at: (offset: number) => Point): Map<string, FieldPlace> {
  const places = new Map<string, FieldPlace>();
  if (!isMap(doc.contents)) return places;
  for (const pair of doc.contents.items) {
    const key = pair.key;
    if (!isScalar(key) || !key.range) continue;
    const value = pair.value as { range?: [number, number, number] } | null;
    const keyPoint = at(key.range[0]);
    places.set(String(key.value), { key: keyPoint, value: value?.range ? at(value.range[0]) : keyPoint });
  }
  return places;
}

/** Keeps the body renderable after a broken block: blanks it out so line numbers stay true. */
function blankOutFrontmatter(text: string): string {
  const end = text.search(/\r?\n---[ \t]*(\r?\n|$)/);
  if (end < 0) return text;
  const closing = text.indexOf("\n", end + 1);
  const head = text.slice(0, closing < 0 ? text.length : closing);
  return "\n".repeat(countLines(head) + 1) + (closing < 0 ? "" : text.slice(closing + 1));
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
