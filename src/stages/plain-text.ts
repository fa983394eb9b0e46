import type { Nodes, Root as MdastRoot } from "mdast";

/** The words of a Markdown body, blocks separated by spaces, for the search index and excerpts. */
export function plainText(tree: MdastRoot): string {
  const parts: string[] = [];
  const walk = (node: Nodes) => {
    if (node.type === "text" || node.type === "inlineCode") parts.push(node.value);
    else if (node.type === "code") parts.push(node.value);
    else if (node.type === "image") parts.push(node.alt ?? "");
    if ("children" in node) {
      for (const child of node.children) walk(child);
      // Keep words of neighbouring blocks apart ("failed." + "Timeline").
      if (node.type !== "strong" && node.type !== "emphasis" && node.type !== "link" && node.type !== "linkReference" && node.type !== "delete")
        parts.push(" ");
    }
  };
  walk(tree);
  return parts.join("").replace(/\s+/g, " ").trim();
}
