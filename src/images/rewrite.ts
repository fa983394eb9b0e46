import type { Element, Nodes as HastNodes, Root as HastRoot } from "hast";
import type { VFile } from "vfile";
import type { BuildBudget } from "../util/budget.js";
import { formatBytes } from "../util/format.js";
import { walk } from "../util/walk.js";
import { mustGet } from "../util/lookup.js";
import { addProblem } from "../util/messages.js";
import { dataUriSize } from "./data-uri.js";
import type { ImageStore, StoredImage } from "./store.js";

/**
 * Points every `<img>` of a postmortem (from Markdown or raw HTML) at its stored copy, with
 * `width`/`height`, `loading="lazy"` and `decoding="async"`; reports problems at the image's
 * place. `toRoot` is the page's relative path back to the output root. Embedded images past
 * the `data:` budgets are not decoded, and leave the page.
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
      addProblem(context.file, {
        reason: "Unexpected embedded image data in the text, expected it inside an image `![alt](data:…)`",
        ruleId: "image/data-uri",
        place: node.position?.start,
        hint: "A data: URI must stay on one line; join its lines, or save the image as a file and link it.",
        severity: "error",
      });
    }
  });
  const overBudget = spendDataBudgets(images, store.budget, context.file);
  await Promise.all(
    images.map(async (node) => {
      const place = node.position?.start;
      const alt = node.properties.alt;
      if (typeof alt !== "string" || alt.trim() === "") {
        addProblem(context.file, {
          reason: "Missing alt text on an image",
          ruleId: "image/alt",
          place,
          hint: "Describe what the image shows, `![Error rate during the outage](graph.png)`, for readers who cannot see it.",
        });
      }
      const src = node.properties.src;
      if (typeof src !== "string" || src.trim() === "") return;
      node.properties.loading = "lazy";
      node.properties.decoding = "async";
      if (overBudget.has(node)) {
        delete node.properties.src;
        return;
      }
      const outcome = await store.resolve(src, context.path);
      if (!outcome.ok) addProblem(context.file, { ...outcome.error, place });
      const stored = outcome.ok ? outcome.value : undefined;
      if (!stored) {
        // An embedded image that could not be stored must not stay in the page as data.
        if (/^\s*data:/i.test(src)) delete node.properties.src;
        return;
      }
      node.properties.src = context.toRoot + stored.path;
      context.onStored?.(stored);
      if (stored.width && stored.height && node.properties.width === undefined && node.properties.height === undefined) {
        node.properties.width = stored.width;
        node.properties.height = stored.height;
      }
    }),
  );
}

/**
 * Spends the `data:` budgets on a postmortem's embedded images, in document order, before any
 * is decoded: its own (`limits.dataBytes`, over its distinct URIs) and the build's
 * (`limits.dataTotalBytes`, shared by every thread; each postmortem pays for what it embeds).
 * Reports each image that does not fit at its place, and returns them.
 */
function spendDataBudgets(images: readonly Element[], budget: BuildBudget, file: VFile): Set<Element> {
  const sizes = new Map<string, number>();
  for (const node of images) {
    const uri = dataUri(node);
    if (uri !== undefined && !sizes.has(uri)) sizes.set(uri, dataUriSize(uri));
  }
  const { dataBytes, dataTotalBytes } = budget.limits;
  const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
  const fits = new Map<string, boolean>();
  const refused = new Set<Element>();
  let spent = 0;
  for (const node of images) {
    const uri = dataUri(node);
    if (uri === undefined) continue;
    const size = mustGet(sizes, uri, "the data: URIs' sizes");
    const place = node.position?.start;
    if (!fits.has(uri)) {
      const own = spent + size <= dataBytes;
      const left = budget.left("dataTotalBytes");
      fits.set(uri, own && budget.take("dataTotalBytes", size));
      if (fits.get(uri)) spent += size;
      else if (!own) {
        addProblem(file, {
          reason: `Unexpected embedded images of ${formatBytes(total)} in this postmortem, expected at most ${formatBytes(dataBytes)} (limits.dataBytes)`,
          ruleId: "limits/data-bytes",
          place,
          hint: "Save large images as files next to the postmortem and link them, or raise limits.dataBytes in the config.",
          severity: "error",
        });
      } else {
        addProblem(file, {
          reason: `Unexpected embedded image of ${formatBytes(size)} with ${formatBytes(Math.max(0, left))} left of the build's budget, expected at most ${formatBytes(dataTotalBytes)} of embedded images in the whole build (limits.dataTotalBytes)`,
          ruleId: "limits/data-total-bytes",
          place,
          hint: "Save large images as files next to the postmortem and link them, or raise limits.dataTotalBytes in the config.",
          severity: "error",
        });
      }
    }
    if (!fits.get(uri)) refused.add(node);
  }
  return refused;
}

/** The `data:` URI an image shows, trimmed; undefined for any other source. */
function dataUri(node: Element): string | undefined {
  const src = node.properties.src;
  if (typeof src !== "string") return undefined;
  const trimmed = src.trim();
  return /^data:/i.test(trimmed) ? trimmed : undefined;
}
