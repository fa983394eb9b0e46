/** Drawing primitives for the build-time SVG charts: escaping, number output, the root element. */

/** Width of every chart's coordinate system; the page scales it with `width="100%"`. */
export const CHART_WIDTH = 640;

/** Font size of chart text, in viewBox units, so text scales with the chart. */
export const FONT_SIZE = 12;

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for XML content and for quoted attribute values alike. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

/** A coordinate or value as text, rounded to one decimal, so output is short and stable. */
export function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Builds an element from a tag, attributes (undefined ones left out) and already-escaped content. */
export function el(tag: string, attrs: Readonly<Record<string, string | number | undefined>>, content?: string): string {
  const parts = Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${typeof value === "number" ? num(value) : escapeXml(value)}"`);
  return content === undefined ? `<${tag}${parts.join("")}/>` : `<${tag}${parts.join("")}>${content}</${tag}>`;
}

/** A `<title>` child: a native hover tooltip, no script needed. */
export function tooltip(text: string): string {
  return el("title", {}, escapeXml(text));
}

/** What names a chart for screen readers: its element id, its `<title>` and its `<desc>`. */
export interface ChartLabel {
  readonly id: string;
  readonly title: string;
  readonly desc: string;
}

/** The root element, labelled by its own `<title>` and `<desc>` for screen readers. */
export function svgRoot({ id, title, desc }: ChartLabel, height: number, body: string): string {
  const attrs = {
    xmlns: "http://www.w3.org/2000/svg",
    class: "chart",
    role: "img",
    "aria-labelledby": `${id}-title ${id}-desc`,
    viewBox: `0 0 ${CHART_WIDTH} ${num(height)}`,
    width: "100%",
    "font-size": FONT_SIZE,
  };
  const head = el("title", { id: `${id}-title` }, escapeXml(title)) + el("desc", { id: `${id}-desc` }, escapeXml(desc));
  return el("svg", attrs, head + body);
}

/** The placeholder drawn when a chart has nothing to show, so the page keeps its layout. */
export function noDataSvg(label: ChartLabel): string {
  const height = 120;
  const frame = el("rect", { class: "frame", x: 0.5, y: 0.5, width: CHART_WIDTH - 1, height: height - 1, rx: 4 });
  const text = el("text", { class: "empty", x: CHART_WIDTH / 2, y: height / 2, dy: "0.35em", "text-anchor": "middle" }, "No data yet");
  return svgRoot(label, height, frame + text);
}

/** Rough width of a label, for layout only: SVG cannot measure text at build time. */
export function textWidth(text: string, fontSize = FONT_SIZE): number {
  return Array.from(text).length * fontSize * 0.6;
}

/** Shortens a label to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Round-number axis ticks from 0 to at least `max`: steps of 1, 2 or 5 × 10ⁿ, whole numbers only. */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? 10 * magnitude);
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}

/** Keeps only colours that are safe and valid as a `fill` attribute (hex, a name, rgb()/hsl()). */
export function safeColor(color: string | undefined): string | undefined {
  const value = color?.trim() ?? "";
  const ok = /^#[0-9a-f]{3,8}$/i.test(value) || /^[a-z]+$/i.test(value) || /^(rgba?|hsla?)\([\d\s.,%/+-]+\)$/i.test(value);
  return ok ? value : undefined;
}
