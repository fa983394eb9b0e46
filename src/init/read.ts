import { dateFromPath } from "../extract/date-from-path.js";
import { VFile } from "vfile";
import { labelledLine } from "../extract/labelled-lines.js";
import { readFrontmatter } from "../stages/frontmatter.js";
import { mustGroup } from "../util/lookup.js";

/** What `init` reads in one Markdown file: enough to classify it and to fit a config to it. */
export interface DocFacts {
  /** Path relative to the folder `init` reads, with `/`. */
  readonly relPath: string;
  /** Frontmatter (empty when there is none or it cannot be read). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly hasFrontmatter: boolean;
  /** Text of the first `#` heading. */
  readonly h1: string | undefined;
  /** Texts of the `##` headings, in order. */
  readonly headings: readonly string[];
  /** Texts of the `##` headings with nothing under them (`sections/empty` refuses those). */
  readonly emptyHeadings: readonly string[];
  /** The value of the first labelled severity line (`**Severity**: High`, `## Level: SEV3`), as the `labelled-lines` extractor reads it. */
  readonly labelledSeverity: string | undefined;
  /** A `YYYY-MM-DD` date in the file's path (name or folders). */
  readonly pathDate: string | undefined;
  /** The body, without frontmatter, with `\n` line ends. */
  readonly body: string;
}

/** Reads the facts of one file; never throws on bad content (broken frontmatter reads as none). */
export function readDoc(relPath: string, text: string): DocFacts {
  const clean = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, "\n");
  const front = readFrontmatter(clean, new VFile({ path: relPath }));
  const { h1, headings, emptyHeadings } = atxHeadings(front.body);
  return {
    relPath,
    data: front.data,
    hasFrontmatter: front.ok && Object.keys(front.data).length > 0,
    h1,
    headings,
    emptyHeadings,
    labelledSeverity: labelledSeverity(front.body),
    // The build's own reading of a path (a day only): what init counts, check then finds.
    pathDate: ((found) => (found?.precision === "day" ? found.value : undefined))(dateFromPath(relPath)),
    body: front.body,
  };
}

/** The first `#` heading and every `##` heading of a body (ATX or setext), code fences skipped. */
export function atxHeadings(body: string): { h1: string | undefined; headings: string[]; emptyHeadings: string[] } {
  let h1: string | undefined;
  const headings: string[] = [];
  const emptyHeadings: string[] = [];
  // The `##` heading read last, until a line of content is seen under it.
  let open: string | undefined;
  let fence: string | undefined;
  // The last line of a paragraph: a setext underline (`===`, `---`) makes it a heading.
  let paragraph: string | undefined;
  const add = (level: 1 | 2, raw: string) => {
    const text = raw.replace(/\*\*|__/g, "").trim();
    if (open !== undefined) emptyHeadings.push(open);
    open = level === 2 && text ? text : undefined;
    if (!text) return;
    if (level === 1) h1 ??= text;
    else headings.push(text);
  };
  for (const line of body.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) open = undefined;
    if (marker && (fence === undefined || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence === undefined ? marker : undefined;
      paragraph = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const setext = paragraph !== undefined && /^ {0,3}(=+|-+)[ \t]*$/.test(line);
    if (line.trim() !== "" && !/^ {0,3}#{1,2}[ \t]/.test(line) && !setext) open = undefined;
    const heading = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (heading) {
      const hashes = mustGroup(heading, 1);
      if (hashes.length <= 2) add(hashes.length === 1 ? 1 : 2, mustGroup(heading, 2));
      else open = undefined;
      paragraph = undefined;
      continue;
    }
    const underline = /^ {0,3}(=+|-+)[ \t]*$/.exec(line);
    if (underline && paragraph !== undefined) {
      add(mustGroup(underline, 1).startsWith("=") ? 1 : 2, paragraph);
      paragraph = undefined;
      continue;
    }
    const blankOrBlock = line.trim() === "" || /^ {0,3}(?:[-*+>|]|\d+[.)]|<)/.test(line) || /^ {4}/.test(line);
    paragraph = blankOrBlock ? undefined : paragraph === undefined ? line : undefined;
  }
  if (open !== undefined) emptyHeadings.push(open);
  return { h1, headings, emptyHeadings };
}

/** The first severity written as a labelled line, list item or heading, its emphasis taken off. */
function labelledSeverity(body: string): string | undefined {
  for (const line of body.split("\n")) {
    const plain = line.replace(/^ {0,3}(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+[.)][ \t]+)?/, "").replace(/\*\*|__/g, "");
    const found = labelledLine(plain);
    if (found?.field === "severity") return found.value;
  }
  return undefined;
}
