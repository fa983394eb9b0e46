/**
 * The `stats/` dashboard: charts drawn at build time as inline SVG, each with a table of the
 * same numbers (the table is the accessible and printable form; the SVG is for the eye).
 *
 * Theme colours cannot be SVG attributes (`fill="var(--x)"` is not valid), so the SVG carries
 * classes that the theme styles; only severity colours are inline `fill` values. Classes used:
 *   svg.chart  the root element          e.g. font-family: inherit; fill: var(--fg)
 *   .axis      x and y axis lines        e.g. stroke: var(--fg-soft)
 *   .grid      horizontal gridlines      e.g. stroke: var(--border)
 *   .tick      axis tick labels          e.g. fill: var(--fg-soft)
 *   .label     bar and legend labels     e.g. fill: var(--fg)
 *   .value     value after a bar         e.g. fill: var(--fg)
 *   .bar       bars with no severity     e.g. fill: var(--accent)
 *   .unrated   postmortems with no severity (segments and legend swatch)  e.g. fill: var(--fg-soft); opacity: 0.5
 *   .legend    the legend group
 *   .frame     outline of the "No data yet" placeholder  e.g. fill: var(--bg-soft); stroke: var(--border)
 *   .empty     the "No data yet" text    e.g. fill: var(--fg-soft)
 */
import type { SeverityLevel } from "../config.js";
import type { PostmortemMeta } from "../types.js";
import { plural } from "../util/format.js";
import { mustGet } from "../util/lookup.js";
import { formatDuration } from "../util/time.js";
import { horizontalBars, stackedColumns, type Bar, type Series } from "./charts.js";
import { compareLabels, countByPeriod, countServices, groupValues, MAX_MONTHS, median, type Period } from "./data.js";
import { noDataSvg, safeColor } from "./svg.js";

/** Anything that carries postmortem metadata: parsed or rendered postmortems both fit. */
export interface DashboardInput {
  readonly meta: PostmortemMeta;
}

/** One chart of the dashboard: its SVG and the same data as a table. */
export interface Chart {
  /** Stable id, also the prefix of the SVG's `<title>` and `<desc>` ids. */
  id: string;
  title: string;
  /** A sentence that sums the chart up, for screen readers (it is the SVG's `<desc>`). */
  description: string;
  svg: string;
  table: { caption: string; head: string[]; rows: (string | number)[][] };
}

/** How many services the top-services chart shows. */
export const TOP_SERVICES = 10;

/** Builds every chart of the dashboard, in page order; charts without data say so rather than vanish. */
export function buildDashboard(items: readonly DashboardInput[], severities: readonly SeverityLevel[]): Chart[] {
  const metas = items.map((item) => item.meta);
  return [
    perPeriod(metas, severities),
    topServices(metas),
    medianChart(metas, "resolve", bySeverity(severities)),
    medianChart(metas, "detect", bySeverity(severities)),
    medianChart(metas, "resolve", byYear),
    medianChart(metas, "detect", byYear),
  ];
}

function perPeriod(metas: readonly PostmortemMeta[], severities: readonly SeverityLevel[]): Chart {
  const id = "per-month";
  const data = countByPeriod(metas, severities);
  const unit = data?.unit ?? "month";
  const title =
    unit === "year" ? "Postmortems per year" : unit === "quarter" ? `Postmortems per quarter (over ${MAX_MONTHS} months of data)` : "Postmortems per month";
  const head = [unit === "year" ? "Year" : unit === "quarter" ? "Quarter" : "Month", ...severities.map((l) => l.label), "Unrated", "Total"];
  const caption = `${title}, by severity`;
  if (!data) return noData(id, title, "No postmortem has a date yet.", caption, head);

  const total = (period: Period) => period.counts.reduce((a, b) => a + b, 0);
  const rows = data.periods.map((period) => [period.label, ...period.counts, total(period)]);
  const [oldest, ...newer] = data.periods;
  const newest = newer.at(-1) ?? oldest;
  // The first period with the highest count, so the sentence does not change between runs.
  const busiest = newer.reduce((best, period) => (total(period) > total(best) ? period : best), oldest);
  const dated = data.periods.reduce((sum, period) => sum + total(period), 0);
  const description =
    `${plural(dated, "dated postmortem")} from ${oldest.label} to ${newest.label}, ` +
    `stacked by severity, worst at the bottom. Busiest ${unit}: ${busiest.label} with ${total(busiest)}.` +
    (data.undated ? ` ${plural(data.undated, "undated postmortem")} not shown.` : "") +
    (data.earlier ? ` ${plural(data.earlier, "postmortem")} from before ${oldest.label} not shown.` : "");
  const series: Series[] = [
    ...severities.map((level) => ({ label: level.label, color: safeColor(level.color), className: "bar" })),
    { label: "Unrated", className: "unrated" },
  ];
  const columns = data.periods.map((period) => ({ label: period.label, values: period.counts }));
  const svg = stackedColumns({ id, title, desc: description, series, columns });
  return { id, title, description, svg, table: { caption, head, rows } };
}

function topServices(metas: readonly PostmortemMeta[]): Chart {
  const id = "top-services";
  const title = "Services with the most postmortems";
  const head = ["Service", "Postmortems"];
  const all = countServices(metas);
  if (!all.length) return noData(id, title, "No postmortem names a service yet.", title, head);

  const top = all.slice(0, TOP_SERVICES);
  const leaders = top.slice(0, 3).map((s) => `${s.label} (${s.count})`);
  const description = `The ${plural(top.length, "service")} with the most postmortems, of ${all.length} in all. Most: ${leaders.join(", ")}.`;
  const bars: Bar[] = top.map((s) => ({ label: s.label, value: s.count, text: String(s.count), tip: `${s.label}: ${plural(s.count, "postmortem")}` }));
  const svg = horizontalBars({ id, title, desc: description, bars });
  return { id, title, description, svg, table: { caption: title, head, rows: top.map((s) => [s.label, s.count]) } };
}

/** How a median chart splits postmortems: by severity level or by year. */
interface Grouping {
  readonly name: "severity" | "year";
  readonly keyOf: (meta: PostmortemMeta) => string | undefined;
  /** Keys with data in display order, each with its label and bar colour. */
  readonly order: (keys: readonly string[]) => Array<{ key: string; label: string; color?: string }>;
}

function bySeverity(severities: readonly SeverityLevel[]): Grouping {
  return {
    name: "severity",
    keyOf: (meta) => meta.severity,
    // Scale order, worst first; unrated postmortems have no level to compare.
    order: (keys) => severities.filter((l) => keys.includes(l.id)).map((l) => ({ key: l.id, label: l.label, color: safeColor(l.color) })),
  };
}

const byYear: Grouping = {
  name: "year",
  keyOf: (meta) => meta.year,
  order: (keys) => [...keys].sort(compareLabels).map((key) => ({ key, label: key })),
};

const METRICS = {
  resolve: { short: "ttr", name: "time to resolve", field: (meta: PostmortemMeta) => meta.timeToResolve, end: "resolution" },
  detect: { short: "ttd", name: "time to detect", field: (meta: PostmortemMeta) => meta.timeToDetect, end: "detection" },
} as const;

function medianChart(metas: readonly PostmortemMeta[], metric: keyof typeof METRICS, grouping: Grouping): Chart {
  const { short, name, field, end } = METRICS[metric];
  const id = `${short}-by-${grouping.name}`;
  const title = `Median ${name} by ${grouping.name}`;
  const head = [grouping.name === "severity" ? "Severity" : "Year", `Median ${name}`, "Median (minutes)", "Sample size (n)"];
  const groups = groupValues(metas, grouping.keyOf, field);
  const ordered = grouping.order([...groups.keys()]).map((g) => {
    // `order` keeps some of the keys it is given, and adds none.
    const values = mustGet(groups, g.key, "the metric's groups");
    return { ...g, median: median(values), n: values.length };
  });
  if (!ordered.length) return noData(id, title, `No postmortem records its ${name} yet.`, title, head);

  const parts = ordered.map((g) => `${g.label} ${formatDuration(g.median)} (n=${g.n})`);
  const description = `Median time from the start of an incident to its ${end}, per ${grouping.name} with data: ${parts.join(", ")}.`;
  const bars: Bar[] = ordered.map((g) => ({
    label: g.label,
    value: g.median,
    text: `${formatDuration(g.median)} (n=${g.n})`,
    tip: `${g.label}: median ${formatDuration(g.median)} over ${plural(g.n, "postmortem")}`,
    color: g.color,
  }));
  const rows = ordered.map((g) => [g.label, formatDuration(g.median), Math.round(g.median * 10) / 10, g.n]);
  const svg = horizontalBars({ id, title, desc: description, bars });
  return { id, title, description, svg, table: { caption: title, head, rows } };
}

function noData(id: string, title: string, description: string, caption: string, head: string[]): Chart {
  return { id, title, description, svg: noDataSvg({ id, title, desc: description }), table: { caption, head, rows: [] } };
}
