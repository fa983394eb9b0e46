import { performance } from "node:perf_hooks";
import type { VFile } from "vfile";
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
import type { RenderedPostmortem } from "./types.js";
import { isError } from "./util/messages.js";

const RENDER_CONCURRENCY = 16;

/** Options of a build. */
export interface BuildOptions extends RunOptions {
  /** Include postmortems with `status: draft`. @default false */
  drafts?: boolean;
  /** Download nothing: remote images come from the cache or stay as written. @default false */
  offline?: boolean;
}

/** Time spent in one stage. */
export interface StageTiming {
  readonly stage: string;
  readonly ms: number;
}

/** What a build did: every file's messages, what it wrote and how long each stage took. */
export interface BuildResult {
  readonly config: ResolvedConfig;
  /** One vfile per postmortem found, with its messages. */
  readonly files: readonly VFile[];
  /** False when a content error stopped the build (nothing was written). */
  readonly ok: boolean;
  /** Postmortems that got a page. */
  readonly postmortems: number;
  /** Files written to the output folder, 0 when the build failed. */
  readonly written: number;
  /** Images stored, by origin, and those that failed. */
  readonly images: ImageStats;
  readonly timings: readonly StageTiming[];
  readonly totalMs: number;
}

/**
 * Builds the archive: config → discover, parse, validate → render → organize → pages → write.
 * Any content error stops it before anything is written.
 */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const { drafts = false, offline = false, ...runOptions } = options;
  const timings: StageTiming[] = [];
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
  const theme = await time("theme", () => loadTheme(config.themeDir));
  const parsed = await time("analyze", () => analyze(config));
  const files = parsed.map((pm) => pm.file);
  const failed = () => {
    if (options.strict) makeStrict(files);
    return files.some((file) => file.messages.some(isError));
  };
  const images = new ImageStore(config, { mode: "build", offline });
  const result = (ok: boolean, postmortems: number, written: number): BuildResult => ({
    config, files, ok, postmortems, written, images: images.stats, timings, totalMs: performance.now() - started,
  });
  if (failed()) return result(false, 0, 0);

  const included = parsed.filter((pm) => drafts || pm.meta.status !== "draft");
  const slugs = new Map(included.map((pm) => [pm.source.relPath, pm.meta.slug]));
  // Postmortems render concurrently only so that image downloads overlap; the order is kept.
  const limit = pLimit(RENDER_CONCURRENCY);
  const rendered = (await time("render", () => Promise.all(included.map((pm) => limit(() => render(pm, { slugs, images })))))).filter(
    (pm): pm is RenderedPostmortem => pm !== undefined,
  );
  images.saveCache();
  // Rendering has messages of its own (images); under --strict they stop the build too.
  if (failed()) return result(false, 0, 0);
  const site = await time("organize", () => organize(rendered, config));
  const search = await time("search", () => buildSearchIndex(site.postmortems, config));
  const pages = await time("pages", () => [...renderPages(site, theme, config, search.meta), ...renderExports(site, config)]);
  const written = await time("write", () =>
    writeOutput(
      { outDir: config.outDir, publicDir: config.publicDir, protectedDirs: [config.root, config.contentDir, config.themeDir, config.publicDir] },
      [...theme.assets, ...images.outputs(), ...search.files, ...pages],
    ),
  );
  return result(true, rendered.length, written);
}
