import type { Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { sanitize, type Schema } from "hast-util-sanitize";
import { toHtml } from "hast-util-to-html";

// Elements that draw; no script, foreignObject, use of external files, animation or links.
// prettier-ignore
const ELEMENTS = [
  "svg", "g", "defs", "symbol", "title", "desc", "metadata", "path", "rect", "circle", "ellipse", "line", "polyline",
  "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask",
  "marker", "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feFlood", "feGaussianBlur",
  "feMerge", "feMergeNode", "feOffset", "feMorphology", "feTurbulence", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "use",
];
// Inline styles keep colours and fonts (`fill: rgb(…)`), but nothing that can load or run.
const SAFE_STYLE = /^(?!.*(?:url|image|expression|import|@|\\|&#|\/\*))[^<>]*$/is;
// A colour, or a gradient or pattern of this file: never url(…) to anywhere else.
const PAINT = /^(?:[^()]*|url\(#[\w-]+\)|[a-z]+\([\d\s.,%]+\))$/i;
// Presentation and geometry attributes. `style` only without url(…), `href` only to a fragment.
// prettier-ignore
const ATTRIBUTES = [
  "viewBox", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "d", "points", "transform",
  "fillOpacity", "fillRule", "strokeWidth", "strokeOpacity", "strokeLinecap", "strokeLinejoin",
  "strokeDashArray", "strokeDashOffset", "strokeMiterLimit", "floodColor", "floodOpacity", "color", "shapeRendering",
  "textRendering", "paintOrder", "imageRendering", "colorInterpolationFilters", "opacity", "fontFamily", "fontSize", "fontWeight",
  "fontStyle", "textAnchor", "dominantBaseline", "alignmentBaseline", "letterSpacing", "dx", "dy", "rotate",
  "offset", "stopColor", "stopOpacity", "gradientUnits", "gradientTransform", "spreadMethod", "fx", "fy",
  "patternUnits", "patternTransform", "clipPathUnits", "maskUnits", "markerWidth", "markerHeight", "refX", "refY",
  "orient", "preserveAspectRatio", "id", "className", "visibility", "display", "vectorEffect", "clipRule",
  "filterUnits", "stdDeviation", "in", "in2", "result", "mode", "values", "type", "operator", "k1", "k2", "k3",
  "k4", "radius", "baseFrequency", "numOctaves", "seed", "slope", "intercept", "amplitude", "exponent", "tableValues",
  "xmlns", "xmlnsXLink", "version", "lang", "xmlSpace", "startOffset", "textLength", "lengthAdjust",
  ["style", SAFE_STYLE], ["fill", PAINT], ["stroke", PAINT], ["clipPath", /^url\(#[\w-]+\)$/], ["mask", /^url\(#[\w-]+\)$/], ["filter", /^url\(#[\w-]+\)$/],
  ["markerStart", /^url\(#[\w-]+\)$/], ["markerMid", /^url\(#[\w-]+\)$/], ["markerEnd", /^url\(#[\w-]+\)$/],
  ["href", /^#[\w-]+$/], ["xLinkHref", /^#[\w-]+$/],
] as const;

const schema: Schema = {
  allowComments: false,
  allowDoctypes: false,
  tagNames: ELEMENTS,
  attributes: { "*": ATTRIBUTES.map((a) => (typeof a === "string" ? a : [...a])) },
  // Ids stay as they are: they only name gradients and clip paths inside this file.
  clobber: [],
  strip: ["script", "style", "foreignObject"],
  protocols: {},
  ancestors: {},
  required: {},
};

/**
 * Sanitizes an SVG so that, opened on its own from the archive's origin, it runs nothing and
 * loads nothing: an allow-list of drawing elements and attributes, no script, event handler,
 * `<style>`, `url(…)` to elsewhere or external `href`.
 */
export function sanitizeSvg(bytes: Uint8Array): Uint8Array | undefined {
  const text = Buffer.from(bytes).toString("utf8");
  const tree = fromHtml(text, { fragment: true });
  const clean = sanitize(tree, schema) as Root;
  const svg = clean.children.find((node) => node.type === "element" && node.tagName === "svg");
  if (!svg) return undefined;
  const out = toHtml({ type: "root", children: [svg] }, { space: "svg", closeSelfClosing: true });
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${out.replace(/^<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"')}\n`);
}
