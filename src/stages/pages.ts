import type { ResolvedConfig } from "../config.js";
import type { SearchMeta } from "../search/build-index.js";
import { buildDashboard } from "../stats/dashboard.js";
import type { Theme } from "../theme.js";
import type { LazyOutputFile, Output, OutputFile, RenderedPostmortem, Term } from "../types.js";
import { cacheKey, portableSettings } from "../cache/keys.js";
import { codeId } from "../util/version.js";
import { plural } from "../util/format.js";
import { formatDate, formatDuration } from "../util/time.js";
import { postmortemPath, rootPrefix, taxonomyPath, termPath } from "../util/urls.js";
import { exportFiles } from "./exports.js";
import { customTermsOf, termIdOf, type Site } from "./organize.js";

const HOME_RECENT = 30;

/** Every page of the archive, through the theme's layouts, and its feed, JSON export and sitemap: each made when written. */
export function renderPages(site: Site, theme: Theme, config: ResolvedConfig, search: SearchMeta): Output[] {
  const page = pageRenderer(site, theme, config);
  const files: Output[] = [];
  const list = site.postmortems;

  // Every page is lazy, with a key of everything it shows: a build whose previous build made the
  // same page takes that one (see src/write/), and a warm build renders none.
  const siteKey = cacheKey(
    "site",
    codeId(),
    theme.key,
    portableSettings(config),
    site.postmortems.length,
    site.taxonomies.map((t) => [...t.ids]),
    site.years.terms.map((t) => t.id),
  );
  const keyOf = (...parts: unknown[]) => cacheKey("site", siteKey, parts);
  // What its own page shows of a postmortem, and what lists (and its neighbours' pages) show of it.
  const identity = (pm: RenderedPostmortem | undefined) => pm && [pm.key, pm.history, pm.editUrl];
  const listed = (pm: RenderedPostmortem | undefined) => pm && [pm.listKey ?? pm.key, pm.source.relPath, pm.history, pm.editUrl];
  const known = (pms: readonly (RenderedPostmortem | undefined)[]) => pms.every((pm) => pm === undefined || pm.key !== undefined);
  /** A page made from `pms` alone (and the site's shape): lazy when each of them has a key. */
  const pageOf = (path: string, pms: readonly (RenderedPostmortem | undefined)[], key: () => string, make: () => OutputFile, bodyOf?: string) =>
    known(pms) ? lazy(path, keyOf(path, key()), () => make().contents, bodyOf) : make();
  // The pages made from the whole archive (home, lists, actions, dashboard) change together.
  let archive: string | undefined;
  const archiveKey = () => (archive ??= keyOf("archive", list.map(listed)));
  const fromArchive = (path: string, layout: string, data: () => Record<string, unknown>) => pageOf(path, list, archiveKey, () => page(path, layout, data()));

  files.push(fromArchive("index.html", "home", () => ({ title: config.title, recent: list.slice(0, HOME_RECENT), stats: headlineStats(site) })));
  files.push(fromArchive("postmortems/index.html", "all", () => ({ title: "All postmortems", byYear: byYear(site) })));
  list.forEach((pm, i) => {
    const { older, newer, related } = neighbours(site, pm, i);
    const inputs = [pm, older, newer, ...related];
    files.push(
      pageOf(
        postmortemPath(pm.meta.slug),
        inputs,
        () => keyOf("pm", identity(pm), [older, newer, ...related].map(listed)),
        () => postmortemPage(page, site, i, pm),
        pm.source.relPath,
      ),
    );
  });
  files.push(fromArchive("actions/index.html", "actions", () => ({ title: "Action items", ...actionItems(list) })));
  files.push(
    pageOf(
      "search/index.html",
      [],
      () => keyOf(search),
      () => page("search/index.html", "search", { title: "Search", search, facets: searchFacets(search, config) }),
    ),
  );
  files.push(fromArchive("stats/index.html", "stats", () => ({ title: "Dashboard", charts: buildDashboard(list, config.severities) })));
  // A 404 page is served at any depth, so relative links cannot work: it links from the site's
  // root path, known from `url` (or assumed to be the host's root), which the site's key covers.
  files.push(
    pageOf(
      "404.html",
      [],
      () => keyOf(),
      () => page("404.html", "404", { title: "Page not found" }, config.url ? new URL(config.url).pathname.replace(/\/?$/, "/") : "/"),
    ),
  );
  for (const taxonomy of [...site.taxonomies, site.years]) {
    files.push(fromArchive(taxonomyPath(taxonomy.key), "taxonomy", () => ({ title: taxonomy.label, taxonomy })));
    for (const term of taxonomy.terms) {
      const path = termPath(taxonomy.key, term.id);
      const members = term.postmortems;
      files.push(
        pageOf(
          path,
          members,
          () => keyOf("term", taxonomy.key, term.id, term.label, members.map(listed)),
          () => page(path, "term", { title: `${taxonomy.label}: ${term.label}`, taxonomy, term }),
        ),
      );
    }
  }
  // The feed, the JSON export and the sitemap: from the archive too.
  for (const file of exportFiles(site, config)) {
    const output = pageOf(file.path, list, archiveKey, () => ({ path: file.path, contents: file.make() }));
    files.push(file.chunks && "render" in output ? { ...output, chunks: file.chunks } : output);
  }
  return files;
}

/**
 * The page of one postmortem of the site, made with another version of it (`hindsight dev`
 * shows an edit to a postmortem's body at once, before the whole archive is built again).
 */
export function renderPostmortemPage(site: Site, theme: Theme, config: ResolvedConfig, pm: RenderedPostmortem): OutputFile | undefined {
  const index = site.postmortems.findIndex((other) => other.source.relPath === pm.source.relPath);
  return index < 0 ? undefined : postmortemPage(pageRenderer(site, theme, config), site, index, pm);
}

function postmortemPage(page: PageRenderer, site: Site, index: number, pm: RenderedPostmortem): OutputFile {
  // Its body is read here, for this page alone: the layout gets it as `pm.html`, `pm.toc` and `pm.text`.
  const shown = { ...pm, ...pm.body() };
  return page(postmortemPath(pm.meta.slug), "postmortem", {
    title: pm.meta.title,
    pm: shown,
    ...neighbours(site, pm, index),
    customTerms: customTermsOf(site, pm),
  });
}

/** The postmortems a postmortem's page links to: older and newer in time, and related ones. */
function neighbours(site: Site, pm: RenderedPostmortem, index: number) {
  const list = site.postmortems;
  // The list is newest first: the previous postmortem in time is the next one in the list.
  return { older: list[index + 1], newer: list[index - 1], related: site.related.get(pm.meta.slug) ?? [] };
}

function lazy(path: string, key: string, render: () => string | Uint8Array, bodyOf?: string): LazyOutputFile {
  return { path, key, render, bodyOf };
}

type PageRenderer = (path: string, layout: string, data: Record<string, unknown>, root?: string) => OutputFile;

function pageRenderer(site: Site, theme: Theme, config: ResolvedConfig): PageRenderer {
  const severityById = new Map(config.severities.map((level) => [level.id, level]));
  const nav = [
    ...[site.years, ...site.taxonomies].filter((t) => t.terms.length > 0).map((t) => ({ label: t.label, path: taxonomyPath(t.key) })),
    { label: "Actions", path: "actions/index.html" },
    { label: "Dashboard", path: "stats/index.html" },
  ];
  return (outputPath, layout, data, absoluteRoot) => {
    const root = absoluteRoot ?? rootPrefix(outputPath);
    const helpers = {
      /** A link from this page to an output path. */
      url: (target: string) => root + target,
      postmortemUrl: (pm: RenderedPostmortem) => root + postmortemPath(pm.meta.slug),
      /** The page of a term, or undefined when that taxonomy has no pages (then show plain text). */
      termUrl: (key: string, label: string) => {
        const id = termIdOf(site, key, label);
        return id === undefined ? undefined : root + termPath(key, id);
      },
      taxonomyHref: (key: string) => root + taxonomyPath(key),
      termHref: (key: string, term: Term) => root + termPath(key, term.id),
      asset: (name: string) => root + (theme.assetPaths[name] ?? name),
      date: formatDate,
      duration: (minutes: number | undefined) => (minutes === undefined ? undefined : formatDuration(minutes)),
      severity: (id: string | undefined) => (id ? severityById.get(id) : undefined),
      count: plural,
    };
    const contents = theme.render(layout, {
      ...data,
      site: { title: config.title, language: config.language, nav, total: site.postmortems.length },
      root,
      path: outputPath,
      h: helpers,
    });
    return { path: outputPath, contents };
  };
}

/** The search page's filters: each facet's label and values with counts, severity levels by label. */
function searchFacets(search: SearchMeta, config: ResolvedConfig) {
  const levelLabel = new Map(config.severities.map((level) => [level.id, level.label]));
  return Object.entries(search.facets)
    .filter(([, facet]) => facet.values.length > 0)
    .map(([key, facet]) => ({
      key,
      label: facet.label,
      values: facet.values.map(([value, count]) => ({ value, count, label: key === "severity" ? (levelLabel.get(value) ?? value) : value })),
    }));
}

/** Every action item of the archive: open ones first, soonest due first; then done ones. */
function actionItems(list: readonly RenderedPostmortem[]) {
  const rows = list.flatMap((pm) => pm.meta.actions.map((action) => ({ action, pm })));
  const byDue = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    (a.action.due ?? "9999") < (b.action.due ?? "9999") ? -1 : (a.action.due ?? "9999") > (b.action.due ?? "9999") ? 1 : 0;
  // Array.prototype.sort is stable: within a due date, archive order (newest postmortem first) stays.
  return { open: rows.filter((r) => !r.action.done).sort(byDue), done: rows.filter((r) => r.action.done) };
}

/** The years index's groups, and the undated postmortems last (they have no year page). */
function byYear(site: Site) {
  const groups = site.years.terms.map((term) => ({ year: term.label, postmortems: term.postmortems }));
  const undated = site.postmortems.filter((pm) => !pm.meta.year);
  return undated.length ? [...groups, { year: "Undated", postmortems: undated }] : groups;
}

function headlineStats(site: Site) {
  const durations = site.postmortems
    .map((pm) => pm.meta.durationMinutes)
    .filter((d): d is number => d !== undefined)
    .sort((a, b) => a - b);
  const median = durations.length ? durations[Math.floor((durations.length - 1) / 2)] : undefined;
  const services = site.taxonomies.find((t) => t.key === "services")?.terms.length;
  const severity = site.taxonomies.find((t) => t.key === "severity");
  return {
    total: site.postmortems.length,
    services,
    worst: severity?.terms[0],
    medianDuration: median === undefined ? undefined : formatDuration(median),
  };
}
