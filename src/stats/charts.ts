/** The two chart shapes of the dashboard, drawn as SVG strings from plain numbers. */
import { type ChartLabel, CHART_WIDTH, FONT_SIZE, el, escapeXml, niceTicks, num, svgRoot, textWidth, tooltip, truncate } from "./svg.js";

/** One series of a stacked chart: an inline colour (severity levels) or a themed class. */
export interface Series {
  readonly label: string;
  /** A colour already checked with `safeColor`. */
  readonly color?: string;
  /** Used when there is no colour, so the theme (light or dark) picks it. */
  readonly className?: string;
}

/** One column of a stacked chart: its label and a value per series, in the series' order. */
export interface Column {
  readonly label: string;
  readonly values: readonly number[];
}

/** What a stacked column chart shows. */
export interface StackedSpec extends ChartLabel {
  readonly series: readonly Series[];
  readonly columns: readonly Column[];
}

const LEFT = 40;
const RIGHT = 12;
const PLOT_HEIGHT = 200;
const LEGEND_ROW = 18;

/** Columns of stacked segments, the first series at the bottom, with a legend and a y axis. */
export function stackedColumns(spec: StackedSpec): string {
  const totals = spec.columns.map(({ values }) => values.reduce((a, b) => a + b, 0));
  // Series absent from the data stay out of the legend: a swatch for nothing is noise.
  const legendItems = spec.series.filter((_, s) => spec.columns.reduce((sum, { values }) => sum + (values[s] ?? 0), 0) > 0);
  const legend = drawLegend(legendItems);
  const top = legend.height + 12;
  const height = top + PLOT_HEIGHT + 34;
  const bottom = top + PLOT_HEIGHT;
  const ticks = niceTicks(Math.max(...totals, 0));
  const yMax = Math.max(...ticks);
  const y = (v: number) => bottom - (v / yMax) * PLOT_HEIGHT;
  const plotWidth = CHART_WIDTH - LEFT - RIGHT;
  const slot = plotWidth / Math.max(spec.columns.length, 1);
  const barWidth = Math.min(slot * 0.72, 48);

  const parts: string[] = [legend.svg];
  for (const t of ticks) {
    parts.push(el("line", { class: t === 0 ? "axis" : "grid", x1: LEFT, x2: CHART_WIDTH - RIGHT, y1: y(t), y2: y(t) }));
    parts.push(el("text", { class: "tick", x: LEFT - 6, y: y(t), dy: "0.35em", "text-anchor": "end" }, String(t)));
  }
  spec.columns.forEach((column, i) => {
    const x = LEFT + i * slot + (slot - barWidth) / 2;
    let below = 0;
    spec.series.forEach((series, s) => {
      const v = column.values[s] ?? 0;
      if (v <= 0) return;
      // Both edges are rounded before taking the height, so stacked segments never gap or overlap.
      const [y0, y1] = [Number(num(y(below))), Number(num(y(below + v)))];
      below += v;
      const attrs = { class: series.color ? undefined : series.className, x, y: y1, width: barWidth, height: y0 - y1, fill: series.color };
      parts.push(el("rect", attrs, tooltip(`${column.label} · ${series.label}: ${v}`)));
    });
  });
  parts.push(
    drawCategoryLabels(
      spec.columns.map((column) => column.label),
      slot,
      bottom + 18,
    ),
  );
  return svgRoot(spec, height, parts.join(""));
}

/** Legend swatches in rows, wrapping before the right edge. */
function drawLegend(items: readonly Series[]): { svg: string; height: number } {
  const parts: string[] = [];
  let [x, row] = [LEFT, 0];
  for (const item of items) {
    const advance = 14 + textWidth(item.label) + 16;
    if (x > LEFT && x + advance > CHART_WIDTH - RIGHT) [x, row] = [LEFT, row + 1];
    const baseline = 14 + row * LEGEND_ROW;
    const swatch = { class: item.color ? undefined : item.className, x, y: baseline - 9, width: 10, height: 10, fill: item.color };
    parts.push(el("rect", swatch), el("text", { class: "label", x: x + 14, y: baseline }, escapeXml(item.label)));
    x += advance;
  }
  return { svg: el("g", { class: "legend" }, parts.join("")), height: items.length ? (row + 1) * LEGEND_ROW : 0 };
}

/** X labels, keeping only every n-th one so that estimated widths never overlap. */
function drawCategoryLabels(categories: readonly string[], slot: number, baseline: number): string {
  const labelWidth = Math.max(...categories.map((c) => textWidth(c)), 0) + 8;
  const step = Math.max(1, Math.ceil(labelWidth / slot));
  const parts: string[] = [];
  categories.forEach((category, i) => {
    if (i % step !== 0) return;
    // Clamped so the first and last labels stay inside the viewBox when columns are narrow.
    const centre = Math.min(Math.max(LEFT + i * slot + slot / 2, labelWidth / 2), CHART_WIDTH - labelWidth / 2);
    parts.push(el("text", { class: "tick", x: centre, y: baseline, "text-anchor": "middle" }, escapeXml(category)));
  });
  return parts.join("");
}

/** One bar of a horizontal bar chart. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Shown after the bar: a count, a duration. */
  readonly text: string;
  /** Hover text of the bar. */
  readonly tip: string;
  /** A colour already checked with `safeColor`; the themed `bar` class otherwise. */
  readonly color?: string;
}

/** What a horizontal bar chart shows, bars in display order. */
export interface BarsSpec extends ChartLabel {
  readonly bars: readonly Bar[];
}

const LABEL_COLUMN = 160;
const ROW = 26;
const BAR_HEIGHT = 16;

/** Horizontal bars with their label on the left and their value as text on the right. */
export function horizontalBars(spec: BarsSpec): string {
  const maxChars = Math.floor((LABEL_COLUMN - 12) / (FONT_SIZE * 0.6));
  const valueRoom = Math.max(40, ...spec.bars.map((b) => textWidth(b.text) + 10));
  const barMax = CHART_WIDTH - LABEL_COLUMN - valueRoom;
  const maxValue = Math.max(...spec.bars.map((b) => b.value), 0) || 1;
  const top = 8;
  const height = top * 2 + spec.bars.length * ROW;
  const parts: string[] = [];
  spec.bars.forEach((bar, i) => {
    const middle = top + i * ROW + ROW / 2;
    const width = (bar.value / maxValue) * barMax;
    const short = truncate(bar.label, maxChars);
    // A shortened label keeps the full name as a tooltip; the table has it too.
    const labelText = escapeXml(short) + (short === bar.label ? "" : tooltip(bar.label));
    parts.push(el("text", { class: "label", x: LABEL_COLUMN - 8, y: middle, dy: "0.35em", "text-anchor": "end" }, labelText));
    if (width > 0) {
      const attrs = { class: bar.color ? undefined : "bar", x: LABEL_COLUMN, y: middle - BAR_HEIGHT / 2, width, height: BAR_HEIGHT, fill: bar.color };
      parts.push(el("rect", attrs, tooltip(bar.tip)));
    }
    parts.push(el("text", { class: "value", x: LABEL_COLUMN + width + 6, y: middle, dy: "0.35em" }, escapeXml(bar.text)));
  });
  parts.push(el("line", { class: "axis", x1: LABEL_COLUMN, x2: LABEL_COLUMN, y1: top, y2: height - top }));
  return svgRoot(spec, height, parts.join(""));
}
