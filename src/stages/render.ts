import type { Element, ElementContent, Nodes as HastNodes, Root as HastRoot } from "hast";
import { toString as hastToString } from "hast-util-to-string";
import type { Nodes as MdastNodes, Root as MdastRoot } from "mdast";
import { toString } from "mdast-util-to-string";
import rehypeRaw from "rehype-raw";
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { someNode, walk, walkElements } from "../util/walk.js";
import type { ParsedPostmortem, TocEntry } from "../types.js";
import { rewriteImages } from "../images/rewrite.js";
import type { ImageStore, StoredImage } from "../images/store.js";
import { DEFAULT_LIMITS } from "../config-defaults.js";
import { UNTIMED, type FileClock } from "./clock.js";
import { TOO_DEEP } from "./nesting.js";
import { formatBytes, safeDecode } from "../util/format.js";
import { addProblem } from "../util/messages.js";
import { postmortemPath, rootPrefix } from "../util/urls.js";
import { hashText } from "../util/hash.js";
import { rehypeMarkPostmortemLinks, type PostmortemLink } from "./links.js";
import { anchorHeadings, slugHeadings } from "./headings.js";
import { listItem } from "./list-item.js";
import { plainText } from "./plain-text.js";

const CLOBBER_PREFIX = "user-content-";

/**
 * The sanitize schema: GitHub's, which drops script, event handlers and `javascript:` URLs,
 * plus the lazy-loading attributes the image stage adds. A URL may stay only where a reader
 * clicks it (`<a href>`) or where the image stage has stored it (`<img src>`). So `<source>`
 * goes (its `srcset` is fetched by the browser, any scheme, and the image stage does not see
 * it; a `<picture>` shows its `<img>`), and so do `cite`, `longdesc`, `itemtype` and `action`
 * (no form is allowed): URLs no reader sees, `action` with no protocol check at all.
 */
export const sanitizeSchema: SanitizeSchema = {
  ...defaultSchema,
  clobberPrefix: CLOBBER_PREFIX,
  tagNames: (defaultSchema.tagNames ?? []).filter((tag) => tag !== "source"),
  attributes: Object.fromEntries(
    Object.entries<NonNullable<SanitizeSchema["attributes"]>[string]>({
      ...defaultSchema.attributes,
      img: [...(defaultSchema.attributes?.img ?? []), ["loading", "lazy"], ["decoding", "async"]],
    }).map(([tag, allowed]) => [tag, allowed.filter((a) => !["srcSet", "cite", "longDesc", "itemType", "action"].includes(typeof a === "string" ? a : a[0]))]),
  ),
};

// Processors are built once for every postmortem, frozen: no per-file set-up. The first
// stops before sanitizing, so that images (data: URIs included) can be stored in between.
const toHast = unified()
  // Footnote ids are prefixed by the sanitizer below, so they must not be prefixed twice.
  .use(remarkRehype, { allowDangerousHtml: true, clobberPrefix: "", handlers: { listItem } })
  .freeze();
// Parsing raw HTML goes through parse5 with the whole tree: only for bodies that have some.
const parseRawHtml = unified().use(rehypeRaw).freeze();

const toHtml = unified()
  .use(rehypeSanitize, sanitizeSchema)
  .use(rehypeAccessibleBody)
  // Heading ids come after sanitizing so they stay readable (`#timeline`). github-slugger
  // lowercases them, so they never equal the theme's own ids, which start with a capital
  // (`Main`, `Contents`), nor the camel-cased document properties that scripts use.
  .use(() => slugHeadings)
  // After the heading ids, so that `#References` can reach the heading `References`.
  .use(rehypeFixFragmentLinks)
  .use(() => (tree: HastRoot) => {
    anchorHeadings(tree, (node) => !isFootnoteLabel(node));
  })
  .use(rehypeStringify)
  .freeze();

/**
 * Runs a tree transform, turning a stack overflow (inline markup or raw HTML nested thousands
 * deep, which the line check in parse cannot see) into a content error instead of a crash.
 */
export function guardDepth<T>(parsed: ParsedPostmortem, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    addProblem(parsed.file, TOO_DEEP);
    return undefined;
  }
}

/** A rendered body that depends on its own file alone: links to other postmortems still marked. */
export interface RenderedBody {
  readonly html: string;
  readonly toc: readonly TocEntry[];
  /** The body as plain words, for the search index. */
  readonly text: string;
  /** Marks the links in `html` (see `resolvePostmortemLinks`). */
  readonly nonce: string;
  readonly links: readonly PostmortemLink[];
}

/** The postmortem's body as HTML before sanitizing, raw HTML parsed (for the image stage and check). */
export function rawHast(parsed: ParsedPostmortem): HastRoot {
  const hast = toHast.runSync(withoutTitleHeading(parsed.tree, parsed.meta.title), parsed.file);
  const raw = someNode<HastNodes>(hast, (node) => node.type === "raw");
  return raw ? parseRawHtml.runSync(hast, parsed.file) : hast;
}

/** How `renderBody` runs: what it tells of images, how big a page may be, and whose clock its work runs on. */
export interface RenderOptions {
  readonly onImage?: ((stored: StoredImage) => void) | undefined;
  /** `limits.outputBytes`. */
  readonly maxBytes?: number | undefined;
  readonly clock?: FileClock | undefined;
}

/** Renders a body with its images stored; links to other postmortems stay marked. */
export async function renderBody(parsed: ParsedPostmortem, images: ImageStore, options: RenderOptions = {}): Promise<RenderedBody | undefined> {
  const { onImage, maxBytes = DEFAULT_LIMITS.outputBytes, clock = UNTIMED } = options;
  // Reference links repeat their URL at every use: 50,000 uses of a 100 KB URL, in 700 KB of
  // Markdown, is 5 GB of HTML (and minutes of to-hast). Counted on the Markdown tree first.
  if (clock.run(() => tooBig(parsed, markdownSizeAtLeast(parsed.tree), maxBytes))) return undefined;
  const raw = clock.run(() => guardDepth(parsed, () => rawHast(parsed)));
  if (!raw) return undefined;
  const toRoot = rootPrefix(postmortemPath(parsed.meta.slug));
  await rewriteImages(raw, images, { file: parsed.file, path: parsed.source.path, toRoot, onStored: onImage });
  return clock.run(() => finishBody(parsed, raw, maxBytes));
}

/** Sanitizes a body with its images in place, and makes its HTML, contents and words. */
function finishBody(parsed: ParsedPostmortem, raw: HastRoot, maxBytes: number): RenderedBody | undefined {
  const hast = guardDepth(parsed, () => toHtml.runSync(raw, parsed.file));
  if (!hast) return undefined;
  const links: PostmortemLink[] = [];
  const nonce = hashText(parsed.source.text).slice(0, 12);
  rehypeMarkPostmortemLinks({ relPath: parsed.source.relPath, nonce, links })(hast);
  if (tooBig(parsed, htmlSizeAtLeast(hast), maxBytes)) return undefined;
  const html = guardDepth(parsed, () => toHtml.stringify(hast));
  if (html === undefined) return undefined;
  return { html, toc: tableOfContents(hast), text: plainText(parsed.tree), nonce, links };
}

/** Reports a page over `limits.outputBytes`; true when it is. */
function tooBig(parsed: ParsedPostmortem, size: number, maxBytes: number): boolean {
  if (size <= maxBytes) return false;
  addProblem(parsed.file, {
    reason: `Unexpected page of ${formatBytes(size)} or more, expected at most ${formatBytes(maxBytes)} (limits.outputBytes)`,
    ruleId: "limits/output-bytes",
    hint: "Shorten the postmortem (a link or image reference used thousands of times repeats its URL each time), or raise limits.outputBytes in the config.",
    severity: "error",
  });
  return true;
}

/** A lower bound of the HTML a Markdown tree makes: its text, and each link's URL (a reference's, from its definition). */
function markdownSizeAtLeast(tree: MdastRoot): number {
  const urls = new Map<string, number>();
  walk<MdastNodes>(tree, (node) => {
    if (node.type === "definition") urls.set(node.identifier, node.url.length);
  });
  let size = 0;
  walk<MdastNodes>(tree, (node) => {
    if (node.type === "text" || node.type === "inlineCode" || node.type === "code" || node.type === "html") size += node.value.length;
    else if (node.type === "link" || node.type === "image") size += node.url.length;
    else if (node.type === "linkReference" || node.type === "imageReference") size += urls.get(node.identifier) ?? 0;
  });
  return size;
}

/** A lower bound of a tree's HTML size in bytes: its text and attribute values, counted without making the HTML. */
function htmlSizeAtLeast(tree: HastRoot): number {
  let size = 0;
  walk<HastNodes>(tree, (node) => {
    if (node.type === "text" || node.type === "comment") size += node.value.length;
    else if (node.type === "element") {
      size += 2 * node.tagName.length + 5;
      for (const value of Object.values(node.properties)) size += typeof value === "string" ? value.length : Array.isArray(value) ? value.join(" ").length : 0;
    }
  });
  return size;
}

/** The page shows the title itself: a leading `# Title` that repeats it is dropped. */
function withoutTitleHeading(tree: MdastRoot, title: string): MdastRoot {
  const index = tree.children.findIndex((node) => node.type === "heading" && node.depth === 1);
  const heading = tree.children[index];
  if (!heading || toString(heading).trim() !== title) return tree;
  const before = tree.children.slice(0, index);
  // Only a title heading that opens the body (comments aside) repeats the title.
  if (!before.every((node) => node.type === "html" && node.value.startsWith("<!--"))) return tree;
  return { ...tree, children: tree.children.filter((_, i) => i !== index) };
}

function tableOfContents(tree: HastRoot): TocEntry[] {
  const entries: TocEntry[] = [];
  walkElements(tree, (node) => {
    if ((node.tagName === "h2" || node.tagName === "h3") && typeof node.properties.id === "string" && !isFootnoteLabel(node)) {
      entries.push({ id: node.properties.id, text: hastToString(node).replace(/#$/, "").trim(), depth: Number(node.tagName[1]) });
    }
  });
  return entries;
}

/**
 * What a reader with a screen reader or a keyboard needs of the body, added after sanitizing
 * (these attributes are Hindsight's, never the content's): a task-list checkbox is named by its
 * item's text, and a code block, which may scroll sideways, takes the focus so that it can be
 * scrolled from the keyboard (axe: `label`, `scrollable-region-focusable`).
 */
function rehypeAccessibleBody() {
  return (tree: HastRoot) => {
    walkElements(tree, (node) => {
      if (node.tagName === "pre") node.properties.tabIndex = 0;
      const box = node.tagName === "li" ? taskCheckbox(node) : undefined;
      if (!box) return;
      const text = hastToString(node).replace(/\s+/g, " ").trim();
      box.properties.ariaLabel = text.length > 120 ? `${text.slice(0, 119)}…` : text || "Task";
    });
  };
}

/** A task-list item's checkbox: among its children, or its paragraph's in a loose list. */
function taskCheckbox(item: Element): Element | undefined {
  const isBox = (node: ElementContent): node is Element => node.type === "element" && node.tagName === "input" && node.properties.type === "checkbox";
  const paragraph = item.children.find((child): child is Element => child.type === "element" && child.tagName === "p");
  return item.children.find(isBox) ?? paragraph?.children.find(isBox);
}

function isFootnoteLabel(node: Element): boolean {
  return node.properties.id === `${CLOBBER_PREFIX}footnote-label`;
}

/**
 * The sanitizer prefixes ids (`fn-1` → `user-content-fn-1`) to stop DOM clobbering, but not the
 * links that point at them; point `#fn-1` links at the prefixed id, as GitHub does in script.
 * Like GitHub, a fragment that matches no id exactly reaches one that differs only in case:
 * `[1](#References)` reaches the heading `References`, whose id is `references`.
 */
function rehypeFixFragmentLinks() {
  return (tree: HastRoot) => {
    const ids = new Set<string>();
    // Lower-cased id → the first id that lower-cases to it, in document order.
    const folded = new Map<string, string>();
    walkElements(tree, (node) => {
      // An old-style `<a name="x">` is a target too: browsers scroll to it as to an id.
      for (const id of [node.properties.id, node.tagName === "a" ? node.properties.name : undefined]) {
        if (typeof id !== "string") continue;
        ids.add(id);
        if (!folded.has(id.toLowerCase())) folded.set(id.toLowerCase(), id);
      }
    });
    const resolve = (target: string): string | undefined => {
      if (ids.has(target)) return undefined;
      if (ids.has(CLOBBER_PREFIX + target)) return CLOBBER_PREFIX + target;
      return folded.get(target.toLowerCase()) ?? folded.get((CLOBBER_PREFIX + target).toLowerCase());
    };
    walkElements(tree, (node) => {
      const href = node.properties.href;
      if (node.tagName !== "a" || typeof href !== "string" || !href.startsWith("#")) return;
      const id = resolve(safeDecode(href.slice(1)));
      if (id !== undefined) node.properties.href = `#${id}`;
      const describedBy = node.properties.ariaDescribedBy;
      if (Array.isArray(describedBy)) {
        node.properties.ariaDescribedBy = describedBy.map((id) => (ids.has(`${CLOBBER_PREFIX}${id}`) ? `${CLOBBER_PREFIX}${id}` : id));
      }
    });
  };
}
