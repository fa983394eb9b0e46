import type { Root, Nodes } from "mdast";
import { gfmAutolinkLiteralFromMarkdown } from "mdast-util-gfm-autolink-literal";
import { gfmFootnoteFromMarkdown } from "mdast-util-gfm-footnote";
import { gfmStrikethroughFromMarkdown } from "mdast-util-gfm-strikethrough";
import { gfmTableFromMarkdown } from "mdast-util-gfm-table";
import { gfmTaskListItemFromMarkdown } from "mdast-util-gfm-task-list-item";
import { gfmAutolinkLiteral } from "micromark-extension-gfm-autolink-literal";
import { gfmFootnote } from "micromark-extension-gfm-footnote";
import { gfmStrikethrough } from "micromark-extension-gfm-strikethrough";
import { gfmTable } from "micromark-extension-gfm-table";
import { gfmTaskListItem } from "micromark-extension-gfm-task-list-item";
import remarkParse from "remark-parse";
import { InternalError } from "../errors.js";
import { parseSubset } from "./subset/blocks.js";
import { unified, type Processor } from "unified";

type SyntaxExtension = ReturnType<typeof gfmTable>;
type TreeExtension = ReturnType<typeof gfmTableFromMarkdown>;

/**
 * GitHub Flavored Markdown as remark-gfm parses it, in remark-gfm's order, each construct with
 * the characters no body can use it without. A construct that cannot match anywhere in a body
 * only costs time: micromark tries the email literal at the start of every word, and the table
 * at the start of every paragraph line, which made GFM 40 % of parsing on bodies that use
 * neither; a real archive's postmortems have links, seldom an email (the email literal alone was
 * a third of parsing them). A body is parsed with the constructs it has the characters for; the
 * tree is the same (test/stages/markdown.test.ts compares it with remark-gfm's on every corpus
 * and on fuzzed text).
 */
type Part = { readonly needs: RegExp } & ({ readonly literal: string } | { readonly extension: SyntaxExtension });
const SYNTAX: readonly Part[] = [
  // The literal links, one construct each: an email has its `@`, a link its `www` or its
  // `http` (`www.`, `http://`, `https://`, any case).
  { literal: "emailAutolink", needs: /@/ },
  { literal: "wwwAutolink", needs: /www/i },
  { literal: "protocolAutolink", needs: /http/i },
  // A call needs a definition, and a definition starts `[^`.
  { extension: gfmFootnote(), needs: /\[\^/ },
  { extension: gfmStrikethrough(), needs: /~/ },
  // A delimiter row has a `|`, or a `:` against a `-` (`a` over `:-` is a table of one column).
  { extension: gfmTable(), needs: /\||:-|-:/ },
  { extension: gfmTaskListItem(), needs: /\[/ },
];

type Construct = { readonly name?: string };
const LITERALS = Object.entries(gfmAutolinkLiteral().text ?? {}).map(([code, constructs]) => [code, [constructs ?? []].flat() as Construct[]] as const);
const LITERAL_NAMES = new Set(SYNTAX.flatMap((part) => ("literal" in part ? [part.literal] : [])));
// A literal construct this list does not name would be left out of every body, silently.
for (const [, constructs] of LITERALS) {
  for (const { name } of constructs)
    if (!LITERAL_NAMES.has(name ?? "")) throw new InternalError(`GFM's literal links have a construct ${name ?? "without a name"} this parser does not know`);
}

/** The micromark extensions of a set of `SYNTAX`'s parts: the literal links as one, each code's constructs in the library's order. */
function extensionsOf(set: number): SyntaxExtension[] {
  const parts = SYNTAX.filter((_, i) => set & (1 << i));
  const names = new Set(parts.flatMap((part) => ("literal" in part ? [part.literal] : [])));
  const text: Record<string, Construct[]> = {};
  for (const [code, constructs] of LITERALS) {
    const kept = constructs.filter(({ name }) => names.has(name ?? ""));
    if (kept.length > 0) text[code] = kept;
  }
  const rest = parts.flatMap((part) => ("extension" in part ? [part.extension] : []));
  return names.size > 0 ? [{ text } as SyntaxExtension, ...rest] : rest;
}

/** The from-markdown side, always whole (its handlers only run on the tokens above). */
const TREE: readonly TreeExtension[] = [
  literalLinksWhereTextHasThem(gfmAutolinkLiteralFromMarkdown()),
  gfmFootnoteFromMarkdown(),
  gfmStrikethroughFromMarkdown(),
  gfmTableFromMarkdown(),
  gfmTaskListItemFromMarkdown(),
];

/**
 * remark-gfm also links URLs and emails in text after parsing: a walk over every text node
 * with four regular expressions (mdast-util-find-and-replace), 0.4 ms a postmortem. Every one
 * of them needs `@`, `www` or `http` in a text node (these can come from character references
 * too, `&#64;`, so it is the tree that is looked at, not the source).
 */
function literalLinksWhereTextHasThem(extension: TreeExtension): TreeExtension {
  const transforms = extension.transforms?.map((transform) => (tree: Root) => (someText(tree, /@|www|http/i) ? transform(tree) : undefined));
  return { ...extension, transforms };
}

function someText(tree: Nodes, pattern: RegExp): boolean {
  const stack: Nodes[] = [tree];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === "text" && pattern.test(node.value)) return true;
    if ("children" in node) for (const child of node.children) stack.push(child);
  }
  return false;
}

// One frozen processor for each set of constructs, made when first needed: at most 128.
const processors = new Map<number, Processor<Root>>();

/**
 * A body's Markdown tree, as `unified().use(remarkParse).use(remarkGfm).parse(text)` gives it:
 * the common subset's own parser's, when the body keeps to it, or remark's.
 */
export function parseMarkdown(text: string): Root {
  const common = parseSubset(text);
  if (common) return common;
  const set = SYNTAX.reduce((bits, syntax, i) => (syntax.needs.test(text) ? bits | (1 << i) : bits), 0);
  let processor = processors.get(set);
  if (!processor) {
    const extensions = extensionsOf(set);
    processor = unified()
      .use(remarkParse)
      .use(function gfmSubset() {
        const data = this.data();
        data.micromarkExtensions = extensions;
        data.fromMarkdownExtensions = [...TREE];
      })
      .freeze();
    processors.set(set, processor);
  }
  return processor.parse(text);
}
