import type { Nodes, Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { describe, expect, it } from "vitest";
import { someNode, walk, walkSkipping } from "../../src/util/walk.js";

const names = (tree: Nodes, walker: (tree: Nodes, enter: (node: Nodes) => void) => void) => {
  const seen: string[] = [];
  walker(tree, (node) => seen.push(node.type === "element" ? node.tagName : node.type));
  return seen;
};

describe("walk, someNode and walkSkipping", () => {
  const tree = fromHtml("<h2>a <em>b</em></h2><p>c</p>", { fragment: true });

  it("visit parents before children, in document order", () => {
    expect(names(tree, walk)).toEqual(["root", "h2", "text", "em", "text", "p", "text"]);
  });

  it("stop at the first node a test holds for (someNode)", () => {
    const seen: string[] = [];
    expect(someNode<Nodes>(tree, (node) => (seen.push(node.type), node.type === "element" && node.tagName === "em"))).toBe(true);
    expect(seen).toEqual(["root", "element", "text", "element"]);
    expect(someNode<Nodes>(tree, () => false)).toBe(false);
  });

  it("do not go below a node skipped, whose children may change meanwhile (walkSkipping)", () => {
    const copy = structuredClone(tree);
    const seen: string[] = [];
    walkSkipping<Nodes>(copy, (node) => {
      seen.push(node.type === "element" ? node.tagName : node.type);
      if (node.type !== "element" || node.tagName !== "h2") return false;
      node.children.push({ type: "text", value: "#" });
      return true;
    });
    expect(seen).toEqual(["root", "h2", "p", "text"]);
    expect(JSON.stringify(copy)).toContain('"value":"#"');
  });

  it("walk a tree nested 100,000 deep without overflowing the stack", () => {
    const root: Root = { type: "root", children: [] };
    let parent: Root | Extract<Nodes, { type: "element" }> = root;
    for (let i = 0; i < 100_000; i++) {
      const child = { type: "element" as const, tagName: "span", properties: {}, children: [] };
      parent.children.push(child);
      parent = child;
    }
    let count = 0;
    walkSkipping<Nodes>(root, () => (count++, false));
    expect(count).toBe(100_001);
  });
});
