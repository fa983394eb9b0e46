import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { VFileMessage } from "vfile-message";
import type { ResolvedConfig } from "./config.js";
import pLimit from "p-limit";
import { ImageStore, type ImageStats } from "./images/store.js";
import { analyze, loadProjectConfig, makeStrict, type RunOptions } from "./project.js";
import { buildSearchIndex } from "./search/build-index.js";
import { renderExports } from "./stages/exports.js";
import { organize } from "./stages/organize.js";
import { renderPages } from "./stages/pages.js";
import { render } from "./stages/render.js";
import { writeOutput } from "./stages/write.js";
import { loadTheme } from "./theme.js";
import { VFile } from "vfile";
import { editLink, readGitHistory, type GitHistory } from "./stages/git.js";
import { parse } from "./stages/parse.js";
import type { OutputFile, ParsedPostmortem, RenderedPostmortem, SourceFile } from "./types.js";
import { hashText } from "./util/hash.js";
import { isError } from "./util/messages.js";

const RENDER_CONCURRENCY = 16;

/** Options of a build. */
export interface BuildOptions extends RunOptions {
  /** Include postmortems with `status: draft`. @default false */
  drafts?: boolean;
  /** Download nothing: remote images come from the cache or stay as written. @default false */
  offline?: boolean;
  /** Called as postmortems are parsed, then rendered, for a progress bar. */
  onProgress?: (stage: "parsing" | "rendering", done: number, total: number) => void;
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
  readonly outputs: readonly OutputFile[] | undefined;
}

/**
 * State kept between builds in one process (`hindsight dev`): postmortems whose text, config
 * and neighbours did not change are not rendered again.
 */
export class BuildSession {
  /** Rendered postmortems by content path, with what they depended on. */
  readonly renders = new Map<string, { key: string; rendered: RenderedPostmortem | undefined; messages: VFileMessage[] }>();
  images: ImageStore | undefined;
  configKey: string | undefined;
  /** How many postmortems the last build rendered, and reused. */
  lastRendered = 0;
  lastReused = 0;

  /** Parsed postmortems by content path, with their text's hash and the messages parsing gave. */
  private readonly parses = new Map<string, { hash: string; parsed: ParsedPostmortem; messages: VFileMessage[] }>();

  /**
   * Forgets every render, after a change that any postmortem may depend on (a local image);
   * with `parses`, every parse too (the config changed).
   */
  invalidate(parses = false): void {
    this.renders.clear();
    this.images = undefined;
    if (parses) this.parses.clear();
  }

  /** Parses a postmortem, or gives the last parse of the same text again, on a fresh vfile. */
  readonly parser = (source: SourceFile, config: ResolvedConfig): ParsedPostmortem => {
    const hash = hashText(source.text);
    const memo = this.parses.get(source.relPath);
    if (memo?.hash === hash) {
      const file = new VFile({ path: source.path, value: source.text });
      file.messages.push(...memo.messages);
      return { ...memo.parsed, source, file };
    }
    const parsed = parse(source, config);
    this.parses.set(source.relPath, { hash, parsed, messages: [...parsed.file.messages] });
    return parsed;
  };
}

/**
 * Builds the archive in memory: config → discover, parse, validate → render → organize → pages.
 * Any content error stops it, with no outputs.
 */
export async function generate(options: BuildOptions = {}, session?: BuildSession): Promise<Generated> {
  const { drafts = false, offline = false, onProgress, ...runOptions } = options;
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
  if (session) {
    const configKey = JSON.stringify([config, offline]);
    if (session.configKey !== configKey) session.invalidate(true);
    session.configKey = configKey;
  }
  // git runs beside the parsing: one `git log` for the whole archive.
  const history = readGitHistory(config.contentDir);
  const parsed = await time("analyze", () => analyze(config, [], session ? session.parser : parse, onProgress && ((done, total) => onProgress("parsing", done, total))));
  const files = parsed.map((pm) => pm.file);
  const failed = () => {
    if (options.strict) makeStrict(files);
    return files.some((file) => file.messages.some(isError));
  };
  const images = session?.images ?? new ImageStore(config, { mode: "build", offline });
  if (session) session.images = images;
  const result = (ok: boolean, counts: { postmortems?: number; indexPages?: number } = {}): BuildResult => ({
    config, files, notes, ok, postmortems: counts.postmortems ?? 0, indexPages: counts.indexPages ?? 0, written: 0,
    images: images.stats, imageFiles: ok ? images.outputs().length : 0, timings, totalMs: performance.now() - started,
  });
  if (failed()) return { result: result(false), outputs: undefined };

  const included = parsed.filter((pm) => drafts || pm.meta.status !== "draft");
  const slugs = new Map(included.map((pm) => [pm.source.relPath, pm.meta.slug]));
  const renderOne = memoizedRender(slugs, images, session);
  // Postmortems render concurrently only so that image downloads overlap; the order is kept.
  const limit = pLimit(RENDER_CONCURRENCY);
  let done = 0;
  const rendered = (
    await time("render", () =>
      Promise.all(
        included.map((pm) =>
          limit(async () => {
            const out = await renderOne(pm);
            onProgress?.("rendering", ++done, included.length);
            return out;
          }),
        ),
      ),
    )
  ).filter((pm): pm is RenderedPostmortem => pm !== undefined);
  images.saveCache();
  const git = await time("git", () => history);
  if (git?.shallow) {
    notes.push("The git history is shallow, so last-updated dates and contributors come from the fetched commits only: fetch the whole history (actions/checkout: fetch-depth: 0).");
  }
  const withHistory = withGit(rendered, git, config);
  // Rendering has messages of its own (images); under --strict they stop the build too.
  if (failed()) return { result: result(false), outputs: undefined };
  const site = await time("organize", () => organize(withHistory, config));
  const search = await time("search", () => buildSearchIndex(site.postmortems, config));
  const pages = await time("pages", () => [...renderPages(site, theme, config, search.meta), ...renderExports(site, config)]);
  const htmlPages = pages.filter((file) => file.path.endsWith(".html")).length;
  const outputs = [...theme.assets, ...images.outputs(), ...search.files, ...pages];
  return { result: result(true, { postmortems: rendered.length, indexPages: htmlPages - rendered.length }), outputs };
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
    { outDir: config.outDir, publicDir: config.publicDir, protectedDirs: [config.root, config.contentDir, config.themeDir, config.publicDir] },
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

/** Renders a postmortem, or reuses the session's render when its text and its neighbours are unchanged. */
function memoizedRender(slugs: ReadonlyMap<string, string>, images: ImageStore, session: BuildSession | undefined) {
  const context = { slugs, images };
  if (!session) return (pm: ParsedPostmortem) => render(pm, context);
  session.lastRendered = 0;
  session.lastReused = 0;
  // Links between postmortems depend on every slug: a new, moved or renamed one renders all again.
  const slugsKey = hashText(JSON.stringify([...slugs]));
  const seen = new Set<string>();
  return async (pm: ParsedPostmortem) => {
    const key = `${slugsKey}:${hashText(pm.source.text)}`;
    seen.add(pm.source.relPath);
    const memo = session.renders.get(pm.source.relPath);
    if (memo?.key === key) {
      // The messages rendering gave (images) are given again, as a fresh render would.
      pm.file.messages.push(...memo.messages);
      session.lastReused++;
      return memo.rendered === undefined ? undefined : { ...memo.rendered, source: pm.source, meta: pm.meta };
    }
    const before = pm.file.messages.length;
    const rendered = await render(pm, context);
    session.renders.set(pm.source.relPath, { key, rendered, messages: pm.file.messages.slice(before) });
    session.lastRendered++;
    return rendered;
  };
}
