import type { Element, Nodes as HastNodes, Root as HastRoot } from "hast";
import type { VFile } from "vfile";
import { walk } from "../util/walk.js";
import { report } from "../util/messages.js";
import type { ImageStore, StoredImage } from "./store.js";

/**
 * Points every `<img>` of a postmortem (from Markdown or raw HTML) at its stored copy, with
 * `width`/`height`, `loading="lazy"` and `decoding="async"`; reports problems at the image's
 * place. `toRoot` is the page's relative path back to the output root.
 */
export async function rewriteImages(
  tree: HastRoot,
  store: ImageStore,
  context: { file: VFile; path: string; toRoot: string; onStored?: ((stored: StoredImage) => void) | undefined },
): Promise<void> {
  const images: Element[] = [];
  walk<HastNodes>(tree, (node) => {
    if (node.type === "element" && node.tagName === "img") images.push(node);
    // Image data that Markdown did not read as an image (a data: URI broken across lines)
    // would show as a wall of text, and leave data: in the page.
    if (node.type === "text" && /data:image\/[\w.+-]+[;,]/i.test(node.value)) {
      report(context.file, {
        reason: "Unexpected embedded image data in the text, expected it inside an image `![alt](data:…)`",
        ruleId: "image/data-uri",
        place: node.position?.start,
        hint: "A data: URI must stay on one line; join its lines, or save the image as a file and link it.",
        severity: "error",
      });
    }
  });
  await Promise.all(
    images.map(async (node) => {
      const place = node.position?.start;
      const alt = node.properties.alt;
      if (typeof alt !== "string" || alt.trim() === "") {
        report(context.file, { reason: "Missing alt text on an image", ruleId: "image/alt", place, hint: "Describe what the image shows, `![Error rate during the outage](graph.png)`, for readers who cannot see it." });
      }
      const src = node.properties.src;
      if (typeof src !== "string" || src.trim() === "") return;
      const outcome = await store.resolve(src, context.path);
      if (outcome.problem) report(context.file, { ...outcome.problem, place });
      node.properties.loading = "lazy";
      node.properties.decoding = "async";
      if (!outcome.stored) {
        // An embedded image that could not be stored must not stay in the page as data.
        if (/^\s*data:/i.test(src)) delete node.properties.src;
        return;
      }
      node.properties.src = context.toRoot + outcome.stored.path;
      context.onStored?.(outcome.stored);
      if (outcome.stored.width && outcome.stored.height && node.properties.width === undefined && node.properties.height === undefined) {
        node.properties.width = outcome.stored.width;
        node.properties.height = outcome.stored.height;
      }
    }),
  );
}
