import type { ResolvedConfig } from "../config.js";
import type { RenderedPostmortem } from "../types.js";
import { hashText } from "../util/hash.js";
import { postmortemPath } from "../util/urls.js";
import type { Site } from "./organize.js";

const FEED_SIZE = 50;

/** One of the archive's machine-readable files, made when asked for. */
export interface ExportFile {
  readonly path: string;
  make(): string;
  /** The same text in pieces, for a file that grows with the archive (see `LazyOutputFile.chunks`). */
  readonly chunks?: () => Iterable<string>;
}

/**
 * The archive's machine-readable files: `feed.xml` (Atom), `postmortems.json`, and `sitemap.xml`
 * when `url` is set. Made from the postmortems' metadata, paths and history, and the config.
 */
export function exportFiles(site: Site, config: ResolvedConfig): ExportFile[] {
  const files: ExportFile[] = [
    { path: "feed.xml", make: () => atomFeed(site, config) },
    { path: "postmortems.json", make: () => [...jsonExport(site, config)].join(""), chunks: () => jsonExport(site, config) },
  ];
  const { url } = config;
  if (url) files.push({ path: "sitemap.xml", make: () => sitemap(site, url) });
  return files;
}

/** The archive's base URL with a trailing slash, or "" for links relative to the output root. */
function base(config: ResolvedConfig): string {
  return config.url ? config.url.replace(/\/?$/, "/") : "";
}

function atomFeed(site: Site, config: ResolvedConfig): string {
  const root = base(config);
  const entries = site.postmortems.flatMap((pm) => (pm.meta.date ? [{ pm, date: pm.meta.date }] : [])).slice(0, FEED_SIZE);
  const updated = feedUpdated(site, entries[0]?.date);
  // Without a base URL, ids are URNs: stable, and unique within the archive.
  const feedId = root || `urn:hindsight:${hashText(config.title).slice(0, 16)}`;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <title>${xml(config.title)}</title>`,
    `  <id>${xml(feedId)}</id>`,
    ...(updated ? [`  <updated>${updated}</updated>`] : []),
    `  <link rel="alternate" type="text/html" href="${xml(root || "index.html")}"/>`,
    ...(root ? [`  <link rel="self" type="application/atom+xml" href="${xml(root)}feed.xml"/>`] : []),
    `  <author><name>${xml(config.title)}</name></author>`,
    "  <generator>Hindsight</generator>",
  ];
  for (const { pm, date } of entries) {
    const url = root + postmortemPath(pm.meta.slug);
    lines.push(
      "  <entry>",
      `    <title>${xml(pm.meta.title)}</title>`,
      `    <id>${xml(root ? url : `urn:hindsight:${pm.meta.slug}`)}</id>`,
      `    <link rel="alternate" type="text/html" href="${xml(url)}"/>`,
      `    <published>${toDateTime(date)}</published>`,
      `    <updated>${toDateTime(date)}</updated>`,
      ...pm.meta.authors.map((name) => `    <author><name>${xml(name)}</name></author>`),
      ...[pm.meta.severity, ...pm.meta.services]
        .filter((term): term is string => term !== undefined && term !== "")
        .map((term) => `    <category term="${xml(term)}"/>`),
      ...(pm.meta.summary ? [`    <summary>${xml(pm.meta.summary)}</summary>`] : []),
      "  </entry>",
    );
  }
  lines.push("</feed>", "");
  return lines.join("\n");
}

/**
 * When the feed last changed: its newest postmortem's date, or the last change git knows of
 * (which also covers an archive of undated postmortems). Without either there is no date to
 * give: the element is left out rather than claiming 1970 (or the build's time, which would
 * make every build's output differ).
 */
function feedUpdated(site: Site, newest: string | undefined): string | undefined {
  const candidates = [newest, ...site.postmortems.map((pm) => pm.history?.updated)].filter((date): date is string => date !== undefined);
  const times = candidates.map(toDateTime).filter((time) => !Number.isNaN(Date.parse(time)));
  return times.reduce<string | undefined>((newest, time) => (newest === undefined || Date.parse(time) > Date.parse(newest) ? time : newest), undefined);
}

/**
 * `postmortems.json`, as `JSON.stringify` with an indent of 1 writes it, a postmortem at a time:
 * at 100,000 it is 87 MB, and its objects and text made at once were the cold build's peak of
 * memory.
 */
function* jsonExport(site: Site, config: ResolvedConfig): Generator<string> {
  const root = base(config);
  const record = (pm: RenderedPostmortem) => {
    const m = pm.meta;
    const field = (key: string) => (typeof m.data[key] === "string" ? m.data[key] : undefined);
    return {
      slug: m.slug,
      url: root + postmortemPath(m.slug),
      source: pm.source.relPath,
      title: m.title,
      date: m.date,
      severity: m.severity,
      services: m.services,
      tags: m.tags,
      status: m.status,
      summary: m.summary,
      impact: m.impact,
      authors: m.authors,
      incident_id: m.incidentId,
      started: field("started"),
      detected: field("detected"),
      mitigated: field("mitigated"),
      resolved: field("resolved"),
      duration_minutes: round(m.durationMinutes),
      time_to_detect_minutes: round(m.timeToDetect),
      time_to_mitigate_minutes: round(m.timeToMitigate),
      time_to_resolve_minutes: round(m.timeToResolve),
      actions: m.actions.map(({ text, done, owner, due, ticket }) => ({ text, done, owner, due, ticket })),
    };
  };
  const head = { title: config.title, url: config.url ?? null, count: site.postmortems.length };
  if (site.postmortems.length === 0) {
    yield `${JSON.stringify({ ...head, postmortems: [] }, null, 1)}\n`;
    return;
  }
  // The head's lines without its closing brace, then each postmortem two levels in (a string
  // in JSON holds no line break of its own), then the closing lines.
  yield `${JSON.stringify(head, null, 1).slice(0, -2)},\n "postmortems": [\n`;
  for (const [i, pm] of site.postmortems.entries()) {
    yield `${i > 0 ? ",\n" : ""}  ${JSON.stringify(record(pm), null, 1).replaceAll("\n", "\n  ")}`;
  }
  yield "\n ]\n}\n";
}

function sitemap(site: Site, url: string): string {
  const root = url.replace(/\/?$/, "/");
  const pages = ["", "postmortems/index.html", ...site.postmortems.map((pm) => postmortemPath(pm.meta.slug))];
  const body = pages.map((page) => `  <url><loc>${xml(root + page)}</loc></url>`).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</urlset>\n`;
}

function toDateTime(iso: string): string {
  return iso.length === 10 ? `${iso}T00:00:00Z` : iso;
}

function round(minutes: number | undefined): number | undefined {
  return minutes === undefined ? undefined : Math.round(minutes * 10) / 10;
}

/** Escapes text for XML content and attribute values; drops characters XML 1.0 forbids. */
export function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
