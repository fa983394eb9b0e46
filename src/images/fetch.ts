import dns, { type LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { fail, ok, type Result } from "../util/result.js";
import { isAllowedHost, isPublicAddress, refusedByName } from "./address.js";

/** Resolves a host name to all its addresses, as `dns.lookup` with `all: true` does. */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

/** Bytes the whole build may still download (see `BuildBudget`), reserved while streaming. */
export interface ByteBudget {
  /** Spends `n` bytes; false, spending nothing, when that would go over. */
  take(n: number): boolean;
  /** Gives back bytes taken for a download that was not kept. */
  giveBack(n: number): void;
}

/** What the downloader may do. */
export interface FetchOptions {
  /** Time limit of the whole download, redirects included. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Redirects followed before giving up. @default 5 */
  readonly maxRedirects?: number;
  /** Hosts downloaded from although they resolve to internal addresses (`images.allowHosts`). @default [] */
  readonly allowHosts?: readonly string[];
  /** The build's download bytes. @default unlimited */
  readonly bytes?: ByteBudget;
  /** How host names are resolved; tests give their own. @default dns.lookup */
  readonly resolve?: Resolver;
}

/** Validators of a cached copy, for a conditional request. */
export interface Validators {
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}

/**
 * Why a download failed. Only our own limits and the address policy are told apart: whatever
 * the remote side did (a status, a content type, a reset, a closed port) is `failed`, so that
 * a build log cannot serve as a port scanner of the build machine's network.
 */
export type FetchFailure = "refused" | "timeout" | "too-large" | "over-budget" | "failed";

/** A downloaded image. */
export interface Download {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly validators: Validators;
}

/** Why a download failed. */
export interface FetchError<F = FetchFailure> {
  readonly failure: F;
  /** What happened, for the debug channel only, never in a message. */
  readonly detail: string;
}

/** The outcome of one download: the image, `not-modified` (the cached copy still holds, after a conditional request), or why not. */
export type FetchResult = Result<Download | "not-modified", FetchError>;

const USER_AGENT = "Hindsight (static postmortem archive builder; image download)";

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Ends a download early with a known failure. */
class Stop extends Error {
  constructor(
    readonly failure: FetchFailure,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Downloads an image over http(s) from an allowed host: each host (the first and every
 * redirect's) is resolved once, refused when any of its addresses is internal and not in
 * `allowHosts`, and the socket connects to the address checked (no second lookup to rebind).
 * Redirects are followed by hand (at most `maxRedirects`, each http(s) and checked again); one
 * time limit covers the whole transfer; the size cap and the build's byte budget hold while
 * streaming; the type must be `image/*`. Never throws for network or HTTP problems.
 */
export async function fetchImage(url: string, options: FetchOptions, cached?: Validators): Promise<FetchResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const maxRedirects = options.maxRedirects ?? 5;
  let current: URL | undefined;
  try {
    current = new URL(url);
    for (let hop = 0; hop <= maxRedirects; hop++) {
      if (current.protocol !== "http:" && current.protocol !== "https:") throw new Stop("failed", `redirected to ${current.protocol}`);
      const response = await request(current, options, signal, cached);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        response.destroy();
        const location = response.headers.location;
        if (!location) throw new Stop("failed", `HTTP ${status} without a Location`);
        current = new URL(location, current);
        continue;
      }
      if (status === 304 && cached) {
        response.destroy();
        return ok("not-modified");
      }
      const contentType = response.headers["content-type"] ?? "";
      const refusal = status < 200 || status > 299 ? `HTTP ${status}` : /^image\//i.test(contentType) ? undefined : `Content-Type ${contentType || "none"}`;
      if (refusal) {
        response.destroy();
        throw new Stop("failed", refusal);
      }
      const bytes = await readBody(response, options, signal);
      const validators = { etag: header(response, "etag"), lastModified: header(response, "last-modified") };
      return ok({ bytes, contentType, validators });
    }
    return fail({ failure: "failed", detail: `more than ${maxRedirects} redirects` });
  } catch (error) {
    const where = current?.href ?? url;
    if (error instanceof Stop) return fail({ failure: error.failure, detail: `${where}: ${error.message}` });
    if (signal.aborted) return fail({ failure: "timeout", detail: `${where}: no answer within ${options.timeoutMs} ms` });
    return fail({ failure: "failed", detail: `${where}: ${errorCode(error)}` });
  }
}

/** One GET to a checked address; resolves once the head of the answer is in. */
function request(url: URL, options: FetchOptions, signal: AbortSignal, cached: Validators | undefined): Promise<IncomingMessage> {
  const allowHosts = options.allowHosts ?? [];
  if (refusedByName(url.hostname, allowHosts)) return Promise.reject(new Stop("refused", `${url.hostname} is an internal address`));
  const headers: Record<string, string> = { "user-agent": USER_AGENT, accept: "image/*" };
  if (cached?.etag) headers["if-none-match"] = cached.etag;
  if (cached?.lastModified) headers["if-modified-since"] = cached.lastModified;
  const lookup = checkedLookup(options.resolve ?? systemResolver, isAllowedHost(url.hostname, allowHosts));
  return new Promise((resolve, reject) => {
    // No agent: no socket kept alive past the download, none shared between hosts.
    const get = url.protocol === "https:" ? https.request : http.request;
    const req = get(url, { method: "GET", headers, lookup, signal, agent: false }, resolve);
    req.on("error", reject);
    req.end();
  });
}

/**
 * A `lookup` for the socket that resolves the name once and hands over the addresses it
 * checked: refused when any of them is internal (unless the host is allowed), so that a name
 * answering a public and a private address cannot reach the private one either.
 */
function checkedLookup(resolve: Resolver, allowed: boolean): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (all) => {
        const internal = all.find((entry) => !isPublicAddress(entry.address));
        if (!allowed && internal) {
          callback(new Stop("refused", `${hostname} resolves to ${internal.address}`), "", 0);
          return;
        }
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = family ? all.filter((entry) => entry.family === family) : [...all];
        const first = usable[0];
        if (!first) {
          callback(Object.assign(new Error(`no IPv${family || ""} address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
          return;
        }
        if (lookupOptions.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), "", 0);
      },
    );
  };
}

/** The body, within the size cap and the build's bytes (reserved from Content-Length, then as it streams). */
async function readBody(response: IncomingMessage, options: FetchOptions, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers["content-length"]);
  const limit = `the ${options.maxBytes}-byte cap`;
  if (declared > options.maxBytes) throw new Stop("too-large", `Content-Length ${declared} over ${limit}`);
  let reserved = 0;
  const reserve = (n: number) => {
    if (n <= reserved) return;
    if (options.bytes && !options.bytes.take(n - reserved)) throw new Stop("over-budget", `${n} bytes over the build's download budget`);
    reserved = n;
  };
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (declared > 0) reserve(declared);
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > options.maxBytes) throw new Stop("too-large", `over ${limit} while streaming`);
      reserve(total);
      chunks.push(chunk);
    }
    // A transfer cut short must not pass for a whole image.
    if (signal.aborted || !response.complete) throw new Error("the answer ended early");
  } catch (error) {
    response.destroy();
    options.bytes?.giveBack(reserved);
    throw error;
  }
  options.bytes?.giveBack(reserved - total);
  return Buffer.concat(chunks);
}

/** A network error's code (`ECONNREFUSED`), else its message. */
function errorCode(error: unknown): string {
  if (error instanceof Error) return "code" in error && typeof error.code === "string" ? error.code : error.message;
  return String(error);
}

function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
