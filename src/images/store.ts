import fs from "node:fs";
import path from "node:path";
import pLimit, { type LimitFunction } from "p-limit";
import type { ResolvedConfig } from "../config.js";
import type { OutputFile } from "../types.js";
import { BuildBudget } from "../util/budget.js";
import { formatBytes, safeDecode } from "../util/format.js";
import { hashText } from "../util/hash.js";
import { fail, ok, type Result } from "../util/result.js";
import { refusedByName } from "./address.js";
import { RemoteImageCache } from "./cache.js";
import { decodeDataUri, embeddedImageProblem } from "./data-uri.js";
import { detectImageType, dimensions, sameType, type ImageType } from "./detect.js";
import { fetchImage, type Download, type FetchError, type FetchFailure, type Validators } from "./fetch.js";
import { sanitizeSvg } from "./svg.js";
import { isInside } from "../util/inside.js";
import { debug } from "../util/debug.js";

/** An image stored in the archive. */
export interface StoredImage {
  /** Output path, `images/<hash>.<ext>`. */
  readonly path: string;
  readonly width: number | undefined;
  readonly height: number | undefined;
  /** For an image from a local file: the file and the hash of its bytes (a cached page depends on them). */
  readonly local?: { readonly file: string; readonly hash: string } | undefined;
  /** For a downloaded image: its host may change it, so a cached page using it is checked again after a while. */
  readonly remote?: true | undefined;
}

/**
 * The outcome for one image reference: the image stored; `undefined`, kept as written (a remote
 * image in `check` or with downloads off, or whose cached copy is not an image); or the
 * problem, to report at the image's place (a remote image that failed is kept as written too).
 */
export type ImageOutcome = Result<StoredImage | undefined>;

/** How many images of each origin a build stored, and how many failed. */
export interface ImageStats {
  embedded: number;
  downloaded: number;
  cached: number;
  local: number;
  failed: number;
}

/** Options of the store. */
export interface ImageStoreOptions {
  /** `check` resolves embedded and local images without storing them, and fetches nothing. */
  readonly mode: "build" | "check";
  /** Use only the download cache, never the network. */
  readonly offline: boolean;
  /** The build's budgets, shared with the other threads; a budget of its own when absent. */
  readonly budget?: BuildBudget | undefined;
}

/** Why a remote image was not used. */
type RemoteFailure = FetchFailure | "time-budget" | "offline";

const FAILURE_HINTS = {
  refused: "The original URL is kept. If that host is yours, name it in `images.allowHosts`; otherwise save the image next to the postmortem.",
  other: "The original URL is kept. Save the image next to the postmortem so the archive does not depend on that host.",
} as const;

/**
 * Resolves every image a postmortem refers to (data: URIs, remote http(s) URLs, local files)
 * into content-addressed files `images/<hash>.<ext>`: each distinct source is handled once,
 * downloads run with bounded concurrency and are cached in `.cache/images/`.
 */
export class ImageStore {
  readonly stats: ImageStats = { embedded: 0, downloaded: 0, cached: 0, local: 0, failed: 0 };
  private readonly outcomes = new Map<string, Promise<ImageOutcome>>();
  private readonly files = new Map<string, OutputFile>();
  private readonly cache: RemoteImageCache;
  private readonly limit: LimitFunction;
  /** What the build may still spend on downloads and `data:` images. */
  readonly budget: BuildBudget;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly options: ImageStoreOptions,
  ) {
    this.budget = options.budget ?? new BuildBudget(config.limits);
    this.cache = new RemoteImageCache(config.cacheDir);
    this.limit = pLimit(config.images.concurrency);
  }

  /** Resolves the `src` of an image in the postmortem at `postmortemPath` (an absolute file path). */
  resolve(src: string, postmortemPath: string): Promise<ImageOutcome> {
    const trimmed = src.trim();
    if (/^data:/i.test(trimmed)) return this.once(`data:${hashText(trimmed)}`, () => this.fromDataUri(trimmed));
    if (/^https?:\/\//i.test(trimmed)) return this.once(trimmed, () => this.fromRemote(trimmed));
    if (/^\/\//.test(trimmed)) return this.once(`https:${trimmed}`, () => this.fromRemote(`https:${trimmed}`));
    if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) {
      return Promise.resolve(
        fail({
          reason: `Unexpected image URL scheme in \`${trimmed.slice(0, 60)}\`, expected http(s), data: or a file`,
          ruleId: "image/scheme",
          hint: "Only http(s) images are downloaded; other schemes are refused.",
          severity: "error",
        }),
      );
    }
    const file = this.localPath(trimmed, postmortemPath);
    if (!file.ok) return Promise.resolve(file);
    return this.once(`file:${file.value}`, () => this.fromLocal(file.value, trimmed));
  }

  /** A stored image by its output path. */
  file(outputPath: string): OutputFile | undefined {
    return this.files.get(outputPath);
  }

  /** Persists the download cache. */
  saveCache(): void {
    this.cache.save();
  }

  private once(key: string, run: () => Promise<ImageOutcome>): Promise<ImageOutcome> {
    let outcome = this.outcomes.get(key);
    if (!outcome) {
      outcome = run().then((result) => {
        if (!result.ok) this.stats.failed++;
        return result;
      });
      this.outcomes.set(key, outcome);
    }
    return outcome;
  }

  private async fromDataUri(uri: string): Promise<ImageOutcome> {
    const decoded = decodeDataUri(uri);
    if (!decoded.ok) return fail(embeddedImageProblem(decoded.error));
    const { mime, bytes } = decoded.value;
    const type = await detectImageType(bytes);
    if (!type) return fail(embeddedImageProblem(`its data is not an image (declared ${mime})`));
    if (!sameType(mime, type)) return fail(embeddedImageProblem(`it is declared ${mime} but its data is ${type.mime}`));
    const stored = this.store(bytes, type);
    if (!stored) return fail(embeddedImageProblem("its SVG has nothing left to draw once sanitized"));
    if (this.options.mode === "build") this.stats.embedded++;
    return ok(stored);
  }

  private async fromLocal(file: string, written: string): Promise<ImageOutcome> {
    // Measured before it is read: a huge file (a run of one byte compresses 1000:1 in git) never fills memory.
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
    const max = this.config.images.maxBytes;
    if (size !== undefined && size > max) {
      return fail({
        reason: `Unexpected image \`${written}\` of ${formatBytes(size)}, expected at most ${formatBytes(max)} (images.maxBytes)`,
        ruleId: "image/too-large",
        hint: "Save it smaller (a PNG or JPEG of the screen is enough), or raise images.maxBytes in the config.",
        severity: "error",
      });
    }
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      debug("images", "a local image could not be read", error);
      return fail({
        reason: `Missing image \`${written}\``,
        ruleId: "image/missing",
        hint: "Check the path: it is relative to this file; a path starting with / is looked up in the content folder, then public/.",
        severity: "error",
      });
    }
    const type = await detectImageType(bytes);
    if (!type)
      return fail({
        reason: `Unexpected file \`${written}\` as an image, its content is not one`,
        ruleId: "image/invalid",
        hint: "Link a PNG, JPEG, GIF, WebP, AVIF or SVG file.",
        severity: "error",
      });
    const stored = this.store(bytes, type);
    if (!stored)
      return fail({
        reason: `Unexpected SVG \`${written}\` with nothing left to draw once sanitized`,
        ruleId: "image/invalid",
        hint: "Export the drawing again as a plain SVG or a PNG.",
        severity: "error",
      });
    if (this.options.mode === "build") this.stats.local++;
    return ok({ ...stored, local: { file, hash: hashText(bytes) } });
  }

  private async fromRemote(url: string): Promise<ImageOutcome> {
    if (this.options.mode === "check" || !this.config.images.remote) return ok(undefined);
    const warn = (why: RemoteFailure, detail = "") => {
      debug("images", `image ${url}: ${why}${detail ? `: ${detail}` : ""}`);
      return fail({
        reason: `Cannot download image ${url}: ${this.failureReason(why)}`,
        ruleId: "image/unreachable",
        hint: FAILURE_HINTS[why === "refused" ? "refused" : "other"],
        severity: "warning" as const,
      });
    };
    // Refused by policy, a cached copy is not used either: it may come from a build that allowed that host.
    if (refusedByName(hostOf(url), this.config.images.allowHosts)) return warn("refused", "an internal address or localhost, by its name");
    const cached = this.cache.get(url);
    if (this.options.offline) {
      if (cached) return this.fromCache(cached.bytes);
      return warn("offline");
    }
    const result = await this.limit(() => this.download(url, cached?.entry));
    if (!result.ok && result.error.failure === "refused") return warn("refused", result.error.detail);
    // A cached copy outlives its host: that is what the cache is for.
    if (cached && (!result.ok || result.value === "not-modified")) return this.fromCache(cached.bytes);
    if (!result.ok) return warn(result.error.failure, result.error.detail);
    if (result.value === "not-modified") return warn("failed", "304 to an unconditional request");
    const { bytes, contentType, validators } = result.value;
    const type = await detectImageType(bytes);
    const stored = type && this.store(bytes, type);
    if (!type || !stored) {
      this.budget.giveBack("downloadBytes", bytes.byteLength);
      return warn("failed", type ? "an SVG with nothing left once sanitized" : `not an image, served as ${contentType}`);
    }
    this.cache.set(url, bytes, type.ext, validators);
    this.stats.downloaded++;
    return ok({ ...stored, remote: true });
  }

  /** One download within the build's budgets: its time limit is what is left of the build's, if less. */
  private async download(url: string, cached: Validators | undefined): Promise<Result<Download | "not-modified", FetchError<FetchFailure | "time-budget">>> {
    const { images } = this.config;
    const timeLeft = this.budget.downloadTimeLeft();
    if (timeLeft <= 0) return fail({ failure: "time-budget", detail: "not attempted" });
    if (this.budget.left("downloadBytes") <= 0) return fail({ failure: "over-budget", detail: "not attempted" });
    const bytes = { take: (n: number) => this.budget.take("downloadBytes", n), giveBack: (n: number) => this.budget.giveBack("downloadBytes", n) };
    const result = await fetchImage(url, { ...images, timeoutMs: Math.min(images.timeoutMs, timeLeft), bytes }, cached);
    if (!result.ok && result.error.failure === "timeout" && timeLeft < images.timeoutMs) return fail({ ...result.error, failure: "time-budget" });
    return result;
  }

  /** What a failed download's warning says: the policy and our own limits, nothing the remote side did. */
  private failureReason(why: RemoteFailure): string {
    const { images, limits } = this.config;
    switch (why) {
      case "refused":
        return "refused: its host is not allowed (loopback, private or link-local address)";
      case "offline":
        return "offline, and not in the cache";
      case "timeout":
        return `not downloaded within ${formatMs(images.timeoutMs)} (\`images.timeoutMs\`)`;
      case "too-large":
        return `larger than the ${formatBytes(images.maxBytes)} limit (\`images.maxBytes\`)`;
      case "over-budget":
        return `the build's download budget (${formatBytes(limits.downloadBytes)}, \`limits.downloadBytes\`) is used up`;
      case "time-budget":
        return `the build's download time (${formatMs(limits.downloadMs)}, \`limits.downloadMs\`) is used up`;
      case "failed":
        return "the download failed";
    }
  }

  private async fromCache(bytes: Uint8Array): Promise<ImageOutcome> {
    const type = await detectImageType(bytes);
    const stored = type && this.store(bytes, type);
    if (!stored) return ok(undefined);
    this.stats.cached++;
    return ok({ ...stored, remote: true });
  }

  /** Adds bytes to the store (SVG sanitized first); undefined when an SVG has nothing left. */
  private store(raw: Uint8Array, type: ImageType): StoredImage | undefined {
    const bytes = type.ext === "svg" ? sanitizeSvg(raw) : raw;
    if (!bytes) return undefined;
    const size = dimensions(bytes);
    const stored = { path: `images/${hashText(bytes).slice(0, 20)}.${type.ext}`, width: size?.width, height: size?.height };
    if (this.options.mode === "build" && !this.files.has(stored.path)) this.files.set(stored.path, { path: stored.path, contents: bytes });
    return stored;
  }

  /** The file a local image path names, or the problem with it. */
  private localPath(src: string, postmortemPath: string): Result<string> {
    const written = safeDecode(src.split(/[?#]/)[0]!);
    // A postmortem checked from outside the content folder may use images beside it, no further.
    const own = path.dirname(postmortemPath);
    const content = postmortemPath !== this.config.contentDir && isInside(postmortemPath, this.config.contentDir) ? this.config.contentDir : own;
    const candidates = written.startsWith("/") ? [path.join(content, written), path.join(this.config.publicDir, written)] : [path.resolve(own, written)];
    const inside = (file: string, dir: string) => file !== dir && isInside(file, dir);
    // Folders of `images.roots` (a docs site's `_static/`), never outside the project.
    const extra = this.config.images.roots.filter((dir) => isInside(dir, this.config.root));
    const allowed = candidates.filter(
      (file, i) => inside(file, i === 1 ? this.config.publicDir : content) || (!written.startsWith("/") && extra.some((dir) => inside(file, dir))),
    );
    if (allowed.length === 0) {
      return fail({
        reason: `Unexpected image path \`${src}\` outside the content folder`,
        ruleId: "image/outside",
        hint: "Keep images inside the content folder (or public/ for paths starting with /), or add their folder, inside the project, to images.roots.",
        severity: "error",
      });
    }
    const found = allowed.find((file) => fs.existsSync(file));
    if (found) {
      // A symlink must not carry a file from elsewhere on the machine into the archive.
      const real = fs.realpathSync(found);
      const project = fs.realpathSync(this.config.root);
      const ownRoots = extra
        .filter(fs.existsSync)
        .map((dir) => fs.realpathSync(dir))
        .filter((dir) => dir === project || inside(dir, project));
      const roots = [...[content, this.config.publicDir].filter(fs.existsSync).map((dir) => fs.realpathSync(dir)), ...ownRoots];
      if (!roots.some((root) => inside(real, root))) {
        return fail({
          reason: `Unexpected image \`${src}\` that links outside the content folder`,
          ruleId: "image/outside",
          hint: "Copy the image into the content folder instead of linking to it.",
          severity: "error",
        });
      }
    }
    return ok(found ?? allowed[0]!);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch (error) {
    debug("images", "an image URL without a host", error);
    return "";
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
