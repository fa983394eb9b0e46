import pLimit, { type LimitFunction } from "p-limit";
import type { ResolvedConfig } from "../config.js";
import type { OutputFile } from "../types.js";
import { BuildBudget } from "../util/budget.js";
import { debug } from "../util/debug.js";
import { hashText } from "../util/hash.js";
import { fail, ok, type Result } from "../util/result.js";
import { hostOf, refusedByName } from "./address.js";
import { RemoteImageCache } from "../cache/images.js";
import { contentKey } from "../cache/keys.js";
import { decodeDataUri, embeddedImageProblem } from "./data-uri.js";
import { noImageWork, type ImageStats } from "./stats.js";
import { detectImageType, dimensions, sameType, type ImageType } from "./detect.js";
import { fetchImage, type Download, type FetchError, type FetchFailure, type Validators } from "./fetch.js";
import { localImagePath, readLocalImage } from "./local.js";
import { sanitizeSvg } from "./svg.js";
import { unreachable, type RemoteFailure } from "./unreachable.js";

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

/** Options of the store. */
export interface ImageStoreOptions {
  /** `check` resolves embedded and local images without storing them, and fetches nothing. */
  readonly mode: "build" | "check";
  /** Use only the download cache, never the network. */
  readonly offline: boolean;
  /** The build's budgets, shared with the other threads; a budget of its own when absent. */
  readonly budget?: BuildBudget | undefined;
}

/**
 * Resolves every image a postmortem refers to (data: URIs, remote http(s) URLs, local files)
 * into content-addressed files `images/<hash>.<ext>`: each distinct source is handled once,
 * downloads run with bounded concurrency and are cached in `.cache/images/`.
 */
export class ImageStore {
  readonly stats: ImageStats = noImageWork();
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
    const file = localImagePath(trimmed, postmortemPath, this.config);
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

  /** Each distinct source is resolved once; a failure is counted once too. */
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
    const bytes = readLocalImage(file, written, this.config.images.maxBytes);
    if (!bytes.ok) return bytes;
    const type = await detectImageType(bytes.value);
    if (!type)
      return fail({
        reason: `Unexpected file \`${written}\` as an image, its content is not one`,
        ruleId: "image/invalid",
        hint: "Link a PNG, JPEG, GIF, WebP, AVIF or SVG file.",
        severity: "error",
      });
    const stored = this.store(bytes.value, type);
    if (!stored)
      return fail({
        reason: `Unexpected SVG \`${written}\` with nothing left to draw once sanitized`,
        ruleId: "image/invalid",
        hint: "Export the drawing again as a plain SVG or a PNG.",
        severity: "error",
      });
    if (this.options.mode === "build") this.stats.local++;
    return ok({ ...stored, local: { file, hash: contentKey(bytes.value) } });
  }

  private async fromRemote(url: string): Promise<ImageOutcome> {
    if (this.options.mode === "check" || !this.config.images.remote) return ok(undefined);
    const warn = (why: RemoteFailure, detail = "") => {
      debug("images", `image ${url}: ${why}${detail ? `: ${detail}` : ""}`);
      return fail(unreachable(url, why, this.config));
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
    const bytes = {
      take: (n: number) => this.budget.take("downloadBytes", n),
      giveBack: (n: number) => {
        this.budget.giveBack("downloadBytes", n);
      },
    };
    const result = await fetchImage(url, { ...images, timeoutMs: Math.min(images.timeoutMs, timeLeft), bytes }, cached);
    if (!result.ok && result.error.failure === "timeout" && timeLeft < images.timeoutMs) return fail({ ...result.error, failure: "time-budget" });
    return result;
  }

  /** A cached copy, stored again; kept as written when it is not an image. */
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
}
