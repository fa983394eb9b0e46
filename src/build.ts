import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pLimit from "p-limit";
import type { VFile } from "vfile";
import type { ResolvedConfig } from "./config.js";
import { ImageStore, type ImageStats } from "./images/store.js";
import { HindsightError } from "./errors.js";
import { loadProjectConfig, makeStrict, type RunOptions } from "./project.js";
import { cacheable, RecordCache } from "./cache/records.js";
import { checkUniqueSlugs } from "./rules/index.js";
import { missingLinkProblems } from "./rules/links.js";
import { buildSearchIndex, type SearchMeta } from "./search/build-index.js";
import { discover } from "./stages/discover.js";
import { renderExports } from "./stages/exports.js";
import { editLink, readGitHistory, type GitHistory } from "./stages/git.js";
import { resolvePostmortemLinks } from "./stages/links.js";
import { organize, type Site } from "./stages/organize.js";
import { renderPages } from "./stages/pages.js";
import { fileOf, type PostmortemRecord } from "./stages/process.js";
import { processInWorkers } from "./stages/pool.js";
import { processWith, type WorkerResult } from "./stages/worker.js";
import { contentKey } from "./stages/manifest.js";
import { writeOutput } from "./stages/write.js";
import { loadTheme, type Theme } from "./theme.js";
import { contentsOf, type LazyOutputFile, type Output, type OutputFile, type RenderedPostmortem, type SourceFile } from "./types.js";
import { hashText } from "./util/hash.js";
import { writeFileAtomic } from "./util/atomic.js";
import { codeId } from "./util/version.js";
import { isError, report } from "./util/messages.js";

const RENDER_CONCURRENCY = 16;

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
  /** Worker threads for processing postmortems; 0 processes them in this thread. @default one per core, for 64 postmortems or more */
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
  /** Files written to the output folder, 0 when the build failed or nothing was written. */
  readonly written: number;
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
}

/**
 * State kept between builds in one process (`hindsight dev`): postmortems whose text and config
 * did not change are not processed again.
 */
export class BuildSession {
  readonly records = new Map<string, { key: string; record: PostmortemRecord }>();
  /** Image files of every record kept, by output path. */
  readonly images = new Map<string, OutputFile>();
  configKey: string | undefined;

  /** Forgets every postmortem: after a change any of them may depend on (a local image, the config). */
  invalidate(): void {
    this.records.clear();
    this.images.clear();
  }
}

const MAX_THREADS = 8;


/** Below this many postmortems to process, starting worker threads costs more than it saves. */
const WORKER_THRESHOLD = 64;

/**
 * Builds the archive in memory: config → discover → process (parse, per-file rules, render; in
 * worker threads) → rules across files → organize → search → pages. Any content error stops
 * it, with no outputs.
 */
export async function generate(options: BuildOptions = {}, session?: BuildSession): Promise<Generated> {
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
  const configKey = JSON.stringify([config, offline]);
  if (session && session.configKey !== configKey) {
    session.invalidate();
    session.configKey = configKey;
  }
  // git runs beside the parsing: one `git log` for the whole archive.
  const history = readGitHistory(config.contentDir, config.root);
  const found = await time("discover", () => discover(config.contentDir));
  const processed = await time("process", () =>
    processAll(found, config, { offline, session, workers, cache, configKey, onProgress: onProgress && ((done, total) => onProgress("processing", done, total)) }),
  );
  // The texts are in the records now: keep only where each file is, so that memory stays flat.
  const sources = found.map(({ path, relPath }) => ({ path, relPath }));
  found.length = 0;
  const { records, images } = processed;
  const files = sources.map((source, i) => fileOf(source.path, records[i]!));
  await time("validate", () => checkAcrossFiles(sources, records, files));
  const failed = () => {
    if (options.strict) makeStrict(files);
    return files.some((file) => file.messages.some(isError));
  };
  const result = (ok: boolean, counts: { postmortems?: number; unchanged?: number; indexPages?: number } = {}): BuildResult => ({
    config, files, notes, ok, reused: sources.length - processed.fresh.size, postmortems: counts.postmortems ?? 0, unchanged: counts.unchanged ?? 0, indexPages: counts.indexPages ?? 0, written: 0,
    images: processed.stats, imageFiles: ok ? images.size : 0, timings, totalMs: performance.now() - started,
  });
  if (failed()) return { result: result(false), outputs: undefined };

  const included = sources.flatMap((source, i) => {
    const record = records[i]!;
    return (drafts || record.meta.status !== "draft") && record.body ? [{ source, record, body: record.body, key: processed.keys[i]!, index: i }] : [];
  });
  const unchanged = included.filter(({ index }) => !processed.fresh.has(index)).length;
  const slugs = new Map(included.map(({ record }) => [record.relPath, record.meta.slug]));
  const rendered: RenderedPostmortem[] = included.map(({ source, record, body, key }) => {
    const html = resolvePostmortemLinks(body.html, { ...body, slug: record.meta.slug, slugs });
    // What its pages show: the file as processed, and the body as linked and with its images
    // (a download may give another image, a renamed postmortem another link).
    const shown = createHash("sha1").update(key).update(html).digest("base64url");
    return { key: shown, source: { path: source.path, relPath: source.relPath }, meta: record.meta, html, toc: body.toc, text: body.text, terms: record.terms };
  });
  const { history: git, notes: gitNotes } = await time("git", () => history);
  notes.push(...gitNotes);
  if (git?.shallow) {
    notes.push("The git history is shallow, so last-updated dates and contributors come from the fetched commits only: fetch the whole history (actions/checkout: fetch-depth: 0).");
  }
  const withHistory = withGit(rendered, git, config);
  const site = await time("organize", () => organize(withHistory, config));
  const search = await time("search", () => searchIndex(site.postmortems, config, cache));
  const pages = await time("pages", () => [...renderPages(site, theme, config, search.meta), ...renderExports(site, config)]);
  const htmlPages = pages.filter((file) => file.path.endsWith(".html")).length;
  // Images used by the postmortems in the archive, not those of drafts left out.
  const used = [...new Set(included.flatMap(({ record }) => record.images))].sort();
  const imageFiles = used.map((path) => images.get(path)).filter((file): file is OutputFile => file !== undefined);
  const outputs = [...theme.assets, ...imageFiles, ...search.files, ...pages];
  return { result: { ...result(true, { postmortems: rendered.length, unchanged, indexPages: htmlPages - rendered.length }), imageFiles: imageFiles.length }, outputs, made: { site, theme, slugs } };
}

/**
 * The search index, or, when its inputs are those of a build that made it before, its meta
 * from the cache and its files as lazy outputs (taken from the previous build when written).
 */
function searchIndex(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig, cache: boolean): { files: Output[]; meta: SearchMeta } {
  if (!cache || postmortems.some((pm) => pm.key === undefined)) return buildSearchIndex(postmortems, config);
  // The code id covers the index builder and the client shipped in the index's folder.
  const key = hashText(JSON.stringify([codeId(), config.severities, config.taxonomies, postmortems.map((pm) => [pm.key, pm.meta.slug])]));
  const file = path.join(config.cacheDir, "search", `${key.slice(0, 32)}.json`);
  let built: Map<string, Output> | undefined;
  const build = () => (built ??= new Map(buildSearchIndex(postmortems, config).files.map((f) => [f.path, f])));
  try {
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { key: string; meta: SearchMeta; files: [string, string][] };
    if (saved.key === key && Array.isArray(saved.files) && typeof saved.meta?.base === "string") {
      // Keyed by their bytes, as files made now are: an unchanged fragment is the same file whatever else changed.
      const files: LazyOutputFile[] = saved.files.map(([outputPath, contentKey]) => ({
        path: outputPath,
        key: contentKey,
        render: () => {
          const found = build().get(outputPath);
          if (!found) throw new HindsightError(`The search index cache in ${path.dirname(file)} does not match this build: delete it and build again`);
          return contentsOf(found);
        },
      }));
      return { files, meta: saved.meta };
    }
  } catch {
    // No index of these inputs yet, or a damaged one: build it.
  }
  const index = buildSearchIndex(postmortems, config);
  try {
    writeFileAtomic(file, JSON.stringify({ key, meta: index.meta, files: index.files.map((f) => [f.path, "key" in f ? f.key : contentKey(f.contents)]) }));
  } catch {
    // Only the next build is slower.
  }
  return index;
}

/** The rules that look at more than one file: slugs used twice, links to postmortems that do not exist. */
function checkAcrossFiles(sources: readonly Pick<SourceFile, "relPath">[], records: readonly PostmortemRecord[], files: readonly VFile[]): void {
  const paths = new Set(sources.map((source) => source.relPath));
  records.forEach((record, i) => {
    for (const problem of missingLinkProblems(record.links, paths)) report(files[i]!, problem);
  });
  checkUniqueSlugs(records.map((record, i) => ({ slug: record.meta.slug, relPath: record.relPath, file: files[i]!, slugPlace: record.slugPlace })));
}

/** What processing every postmortem gave: records in source order, image files, image work. */
interface Processed {
  readonly records: readonly PostmortemRecord[];
  readonly images: ReadonlyMap<string, OutputFile>;
  readonly stats: ImageStats;
  /** The records made now, by index; the others came from the session or the cache. */
  readonly fresh: ReadonlySet<number>;
  /** Each record's key: its file, path and the config, hashed. */
  readonly keys: readonly string[];
}

/**
 * Processes every postmortem: those the session already has are reused; the others run in a
 * pool of worker threads (one per core), or in this thread when there are only a few.
 */
async function processAll(
  sources: readonly SourceFile[],
  config: ResolvedConfig,
  options: {
    offline: boolean;
    session: BuildSession | undefined;
    workers: number | undefined;
    cache: boolean;
    configKey: string;
    onProgress: ((done: number, total: number) => void) | undefined;
  },
): Promise<Processed> {
  const { session, onProgress } = options;
  const stats: ImageStats = { embedded: 0, downloaded: 0, cached: 0, local: 0, failed: 0 };
  const images = session?.images ?? new Map<string, OutputFile>();
  const records: PostmortemRecord[] = new Array(sources.length);
  const cache = options.cache ? new RecordCache(config.cacheDir, codeId(), options.configKey) : undefined;
  const keys = sources.map((source) => (cache ? cache.keyOf(source.relPath, source.text) : hashText(`${options.configKey}\0${source.relPath}\0${source.text}`)));
  const pending: number[] = [];
  const wanted: number[] = [];
  sources.forEach((source, i) => {
    const memo = session?.records.get(source.relPath);
    if (memo && memo.key === keys[i]) records[i] = memo.record;
    else (cache ? wanted : pending).push(i);
  });
  // Each entry is parsed and let go as it is read: all at once they are 100 MB of JSON.
  let n = 0;
  for await (const text of cache?.read(wanted.map((i) => keys[i]!)) ?? []) {
    const i = wanted[n++]!;
    const cached = text === undefined ? undefined : cache!.get(keys[i]!, text);
    if (!cached) {
      pending.push(i);
      continue;
    }
    records[i] = cached.record;
    for (const file of cached.images) images.set(file.path, file);
    session?.records.set(sources[i]!.relPath, { key: keys[i]!, record: cached.record });
  }
  // Each thread loads the whole Markdown stack: a few are plenty, whatever the host claims to have.
  const threads = options.workers ?? (pending.length >= WORKER_THRESHOLD ? Math.min(os.availableParallelism(), MAX_THREADS) : 0);
  let done = 0;
  const keep = (i: number, result: WorkerResult) => {
    records[i] = result.record;
    for (const file of result.images) images.set(file.path, file);
    // A record that cannot be kept replaces the one kept before: the session holds what the last build used, or nothing.
    if (cacheable(result.record)) session?.records.set(sources[i]!.relPath, { key: keys[i]!, record: result.record });
    else session?.records.delete(sources[i]!.relPath);
    cache?.set(keys[i]!, result.record, result.images);
    onProgress?.(++done, pending.length);
  };
  if (threads > 0 && pending.length > 0) {
    const work = await processInWorkers(pending.map((i) => sources[i]!), config, { offline: options.offline, threads }, (n, result) => keep(pending[n]!, result));
    for (const key of Object.keys(stats) as (keyof ImageStats)[]) stats[key] += work[key];
    // In a dev session, records reused from memory are not marked used: pruning would drop them.
    if (!session) cache?.prune();
    return { records, images, stats, keys, fresh: new Set(pending) };
  }
  // In this thread, postmortems are processed concurrently only so that image downloads overlap.
  const store = new ImageStore(config, { mode: "build", offline: options.offline });
  const limit = pLimit(RENDER_CONCURRENCY);
  await Promise.all(pending.map((i) => limit(async () => keep(i, await processWith(store, sources[i]!, config)))));
  Object.assign(stats, store.stats);
  if (!session) cache?.prune();
  return { records, images, stats, keys, fresh: new Set(pending) };
}

/**
 * Builds the archive and writes it to the output folder, swapped in whole: a build that fails
 * leaves the previous archive as it was.
 */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const { result, outputs } = await generate(options);
  if (!outputs) return result;
  const t0 = performance.now();
  const { config } = result;
  const written = await writeOutput(
    {
      outDir: config.outDir,
      publicDir: config.publicDir,
      protectedDirs: [config.root, config.contentDir, config.themeDir, config.publicDir],
      manifestFile: options.cache === false ? undefined : path.join(config.cacheDir, "outputs", `${hashText(config.outDir).slice(0, 16)}.json`),
    },
    outputs,
  );
  const now = performance.now();
  return { ...result, written, timings: [...result.timings, { stage: "write", ms: now - t0 }], totalMs: now - started };
}

/** Adds what git knows, and the edit link, to each postmortem. */
function withGit(rendered: readonly RenderedPostmortem[], git: GitHistory | undefined, config: ResolvedConfig): RenderedPostmortem[] {
  if (!git && !config.editUrl) return [...rendered];
  const contentDir = git ? fs.realpathSync(config.contentDir) : config.contentDir;
  return rendered.map((pm) => {
    const info = git?.files.get(path.join(contentDir, pm.source.relPath));
    const repoPath = info?.repoPath ?? path.relative(git?.top ?? config.root, path.join(contentDir, pm.source.relPath)).split(path.sep).join("/");
    return {
      ...pm,
      history: info && { updated: info.updated, contributors: info.contributors },
      editUrl: editLink(config.editUrl, repoPath),
    };
  });
}
