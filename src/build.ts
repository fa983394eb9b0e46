import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { VFile } from "vfile";
import type { ResolvedConfig } from "./config.js";
import { noImageWork, type ImageStats } from "./images/stats.js";
import { analyze } from "./analyze.js";
import { cacheKey, outputsManifestName, settingsKey, sourceKey } from "./cache/keys.js";
import { filesOf, LastBuild, messagesOf, type LastBuildReport } from "./cache/last-build.js";
import { cacheable } from "./cache/records.js";
import { cachedSearchIndex } from "./cache/search.js";
import type { BuildSession } from "./cache/session.js";
import { TextStamps } from "./cache/stamps.js";
import { loadProjectConfig, makeStrict, type RunOptions } from "./project.js";
import { discover } from "./stages/discover.js";
import { editLink, historyState, readGitHistory, readingNotes, type GitHistory } from "./stages/git.js";
import { linkTargets, shownBody } from "./stages/links.js";
import { organize, type Site } from "./stages/organize.js";
import { renderPages } from "./stages/pages.js";
import { isUpToDate, writeOutput, type WriteTarget } from "./write/index.js";
import { loadTheme, type Theme } from "./theme.js";
import { bodiesTogether, type Output, type PageBody, type RenderedPostmortem } from "./types.js";
import { codeId } from "./util/version.js";
import { heldClose } from "./util/heap.js";
import { isError } from "./util/messages.js";

/** Options of a build. */
export interface BuildOptions extends RunOptions {
  /** Include postmortems with `status: draft`. @default false */
  drafts?: boolean;
  /** Download nothing: remote images come from the cache or stay as written. @default false */
  offline?: boolean;
  /** Called as postmortems are processed, for a progress bar. */
  onProgress?: (stage: "processing", done: number, total: number) => void;
  /** Keep processed postmortems in `.cache/records/` and reuse them. @default true */
  cache?: boolean;
  /** Worker threads for processing postmortems; 0 processes them in this thread. @default one per core, for 256 postmortems or more */
  workers?: number;
}

/** Time spent in one stage. */
export interface StageTiming {
  readonly stage: string;
  readonly ms: number;
}

/** What a build did: every file's messages, what it made and how long each stage took. */
export interface BuildResult {
  readonly config: ResolvedConfig;
  /** One vfile per postmortem found, with its messages. */
  readonly files: readonly VFile[];
  /** Things worth knowing about the build that are not about one postmortem. */
  readonly notes: readonly string[];
  /** False when a content error stopped the build (nothing was written). */
  readonly ok: boolean;
  /** Postmortems that got a page. */
  readonly postmortems: number;
  /** Of those, the ones not processed again: unchanged since the cached or the previous build. */
  readonly unchanged: number;
  /** Postmortems found that were not processed again: unchanged since the cached or the previous build. */
  readonly reused: number;
  /** Other HTML pages: home, indexes, terms, search, dashboard, actions, 404. */
  readonly indexPages: number;
  /** Images stored, by origin, and those that failed. */
  readonly images: ImageStats;
  /** Image files in the output. */
  readonly imageFiles: number;
  readonly timings: readonly StageTiming[];
  readonly totalMs: number;
}

/** A build's result and, when it succeeded, every file of the archive (public/ aside). */
export interface Generated {
  readonly result: BuildResult;
  readonly outputs: readonly Output[] | undefined;
  /** What the pages were made from, when the build succeeded: to make one of them again. */
  readonly made?: { readonly site: Site; readonly theme: Theme; readonly slugs: ReadonlyMap<string, string> };
  /** For `build`: the `build` key of its inputs, and what to keep of it once written (see cache/last-build.ts). */
  readonly last?: { readonly key: string; readonly keep: Kept | undefined };
}

/** What a build keeps for the next one made from the same inputs: its report, and the local image files it shows. */
interface Kept {
  readonly report: LastBuildReport;
  readonly localFiles: readonly { readonly file: string; readonly hash: string }[];
}

/**
 * Builds the archive in memory: config → discover → process (parse, per-file rules, render; in
 * worker threads) → rules across files → organize → search → pages. Any content error stops
 * it, with no outputs.
 */
export async function generate(options: BuildOptions = {}, session?: BuildSession, reuse = false): Promise<Generated> {
  const { drafts = false, offline = false, onProgress, workers, cache = true, ...runOptions } = options;
  const timings: StageTiming[] = [];
  const notes: string[] = [];
  const started = performance.now();
  const time = async <T>(stage: string, run: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      timings.push({ stage, ms: performance.now() - t0 });
    }
  };

  const config = await time("config", () => loadProjectConfig(runOptions));
  const theme = await time("theme", () => loadTheme(config.themeDirs));
  const settings = settingsKey(config, codeId(), offline);
  // git runs beside the parsing: one `git log` for the whole archive.
  const history = readGitHistory(config.contentDir, config.root);
  // Not in a dev session: its rebuild follows a save at once, and its news reaches the page
  // sooner while the rebuild reads the files (with the stamps, 40-60 ms later at 10,000).
  // Made in discovery's closure alone, so that its 100,000 stamps are let go with discovery.
  const stamped = cache && !session;
  const found = await time("discover", () => discover(config, config.contentDir, stamped ? new TextStamps(config.cacheDir) : undefined));
  // `build`: made from the inputs of the last build, whose output folder is still as that build
  // left it, it says what that build said and writes nothing.
  let key: string | undefined;
  let discovered: string[] | undefined;
  if (reuse && stamped) {
    const reading = await history;
    discovered = found.map((source) => sourceKey(settings, source));
    const inputs = cacheKey("build", discovered, config.rules, config.overrides, theme.key, drafts, Boolean(options.strict), historyState(reading));
    key = inputs;
    const last = await time("reuse", () => upToDate(config, inputs, cache));
    if (last) {
      const files = filesOf(last, config.contentDir);
      const result = {
        ...last,
        config,
        files,
        // The images' work done by this build, as a build from the records counts it: none.
        images: noImageWork(),
        notes: readingNotes(reading),
        ok: true,
        unchanged: last.postmortems,
        reused: files.length,
        timings,
        totalMs: performance.now() - started,
      };
      return { result, outputs: undefined, last: { key, keep: undefined } };
    }
  }
  const analysis = await time("process", () =>
    analyze(config, found, {
      offline,
      session,
      workers,
      cache,
      settings,
      onProgress:
        onProgress &&
        ((done, total) => {
          onProgress("processing", done, total);
        }),
    }),
  );
  // From here the main thread works alone, on the whole archive: its heap is held close (util/heap.ts).
  return heldClose(async () => {
    const { entries, images } = analysis;
    // A file read to be processed held another text than its stamp said (edited during the build):
    // this build is not the one of the key, and says so to no later build.
    if (discovered?.some((recordKey, i) => entries[i]?.key !== recordKey)) key = undefined;
    const files = entries.map((entry) => entry.file);
    const failed = () => {
      if (options.strict) makeStrict(files);
      return files.some((file) => file.messages.some(isError));
    };
    const result = (ok: boolean, counts: { postmortems?: number; unchanged?: number; indexPages?: number } = {}): BuildResult => ({
      config,
      files,
      notes,
      ok,
      reused: entries.filter((entry) => !entry.fresh).length,
      postmortems: counts.postmortems ?? 0,
      unchanged: counts.unchanged ?? 0,
      indexPages: counts.indexPages ?? 0,
      images: analysis.stats,
      imageFiles: ok ? images.size : 0,
      timings,
      totalMs: performance.now() - started,
    });
    if (failed()) return { result: result(false), outputs: undefined };

    // Drafts are left out unless asked for; a file without a body has an error, and the build stopped above.
    const included = entries.flatMap((entry) =>
      entry.record.body && (drafts || entry.record.meta.status !== "draft") ? [{ ...entry, body: entry.record.body }] : [],
    );
    const unchanged = included.filter((entry) => !entry.fresh).length;
    const slugs = new Map(included.map(({ record }) => [record.relPath, record.meta.slug]));
    // The body read last: the files made from one body are written one after another (`bodiesTogether`).
    let last: { readonly relPath: string; readonly body: PageBody } | undefined;
    const rendered: RenderedPostmortem[] = included.map(({ source, record, key, body, contents, terms }) => {
      const links = { ...body, slug: record.meta.slug, slugs };
      // What its pages show: the file as processed, and the body with its images and its links'
      // targets (a download may give another image, a renamed postmortem another link).
      const shown = cacheKey("page", key, body.hash, linkTargets(links));
      return {
        key: shown,
        listKey: record.metaKey,
        source: { path: source.path, relPath: source.relPath },
        meta: record.meta,
        // Read (from the cache, in most builds) only when one of its pages or its fragment is made again.
        body: () => (last?.relPath === source.relPath ? last : (last = { relPath: source.relPath, body: shownBody(contents(), links) })).body,
        fragment: body.fragment,
        terms,
      };
    });
    const reading = await time("git", () => history);
    notes.push(...readingNotes(reading));
    const git = reading.history;
    const withHistory = withGit(rendered, git, config);
    const site = await time("organize", () => organize(withHistory, config));
    const search = await time("search", () => cachedSearchIndex(site.postmortems, config, cache));
    const pages = await time("pages", () => renderPages(site, theme, config, search.meta));
    const htmlPages = pages.filter((file) => file.path.endsWith(".html")).length;
    // Images used by the postmortems in the archive, not those of drafts left out.
    const used = [...new Set(included.flatMap(({ record }) => record.images))].sort();
    const imageFiles = used.map((path) => images.get(path)).filter((file): file is Output => file !== undefined);
    const outputs = bodiesTogether([...theme.assets, ...imageFiles, ...search.files, ...pages]);
    const done = { ...result(true, { postmortems: rendered.length, unchanged, indexPages: htmlPages - rendered.length }), imageFiles: imageFiles.length };
    // Nothing is kept of a build with a download (checked again after a day) or an image problem (the image may appear).
    const keep =
      key !== undefined && entries.every(({ record }) => !record.remote && cacheable(record))
        ? {
            report: { ...pick(done), files: entries.map((entry) => messagesOf(entry.source.relPath, entry.file)) },
            localFiles: entries.flatMap(({ record }) => record.localFiles),
          }
        : undefined;
    return { result: done, outputs, made: { site, theme, slugs }, last: key === undefined ? undefined : { key, keep } };
  });
}

/**
 * Builds the archive and writes it to the output folder, swapped in whole: a build that fails
 * leaves the previous archive as it was.
 */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const { result, outputs, last } = await generate(options, undefined, true);
  // Failed, or the output folder is up to date.
  if (!outputs) return result;
  const t0 = performance.now();
  const { config } = result;
  await heldClose(async () => {
    await writeOutput({ ...writeTarget(config, options.cache !== false), build: last?.key }, outputs);
    // Kept for the next build, or dropped: the output folder is this build's now, not the report's.
    if (last?.keep) lastBuild(config).save(last.key, last.keep.report, last.keep.localFiles);
    else if (options.cache !== false) lastBuild(config).forget();
  });
  const now = performance.now();
  return { ...result, timings: [...result.timings, { stage: "write", ms: now - t0 }], totalMs: now - started };
}

/** Where a build of this config writes, and what it must never replace. */
function writeTarget(config: ResolvedConfig, cache: boolean): WriteTarget {
  return {
    outDir: config.outDir,
    publicDir: config.publicDir,
    protectedDirs: [config.root, config.contentDir, config.themeDir, config.publicDir],
    manifestFile: cache ? path.join(config.cacheDir, "outputs", outputsManifestName(config)) : undefined,
  };
}

/** The last build's report, when it was made from the inputs of this `build` key and its output folder is as it left it. */
async function upToDate(config: ResolvedConfig, key: string, cache: boolean): Promise<LastBuildReport | undefined> {
  const report = lastBuild(config).read(key);
  return report && (await isUpToDate({ ...writeTarget(config, cache), build: key })) ? report : undefined;
}

/** The report kept beside the output folder's manifest. */
function lastBuild(config: ResolvedConfig): LastBuild {
  return new LastBuild(path.join(config.cacheDir, "outputs", outputsManifestName(config).replace(/\.json$/, ".last.json")));
}

/** The counts of a build's report. */
function pick({ postmortems, indexPages, imageFiles }: BuildResult): Omit<LastBuildReport, "files"> {
  return { postmortems, indexPages, imageFiles };
}

/** Adds what git knows, and the edit link, to each postmortem. */
function withGit(rendered: readonly RenderedPostmortem[], git: GitHistory | undefined, config: ResolvedConfig): RenderedPostmortem[] {
  if (!git && !config.editUrl) return [...rendered];
  const contentDir = git ? fs.realpathSync(config.contentDir) : config.contentDir;
  return rendered.map((pm) => {
    const info = git?.files.get(path.join(contentDir, pm.source.relPath));
    const repoPath =
      info?.repoPath ??
      path
        .relative(git?.top ?? config.root, path.join(contentDir, pm.source.relPath))
        .split(path.sep)
        .join("/");
    return {
      ...pm,
      history: info && { updated: info.updated, contributors: info.contributors },
      editUrl: editLink(config.editUrl, repoPath),
    };
  });
}
