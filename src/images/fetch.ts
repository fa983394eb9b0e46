/** What the downloader may do. */
export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Redirects followed before giving up. @default 5 */
  readonly maxRedirects?: number;
}

/** Validators of a cached copy, for a conditional request. */
export interface Validators {
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}

/** The outcome of one download. */
export type FetchResult =
  | { readonly kind: "ok"; readonly bytes: Uint8Array; readonly contentType: string; readonly validators: Validators }
  | { readonly kind: "not-modified" }
  | { readonly kind: "failed"; readonly reason: string; readonly status?: number };

const USER_AGENT = "Hindsight (static postmortem archive builder; image download)";

/**
 * Downloads an image over http(s): redirects followed by hand (each hop must stay http(s)),
 * a time limit for the whole transfer, a size cap enforced while streaming, and an
 * `image/*` content type. Never throws for network or HTTP problems: they are `failed`.
 */
export async function fetchImage(url: string, limits: FetchLimits, cached?: Validators): Promise<FetchResult> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  try {
    for (let hop = 0; hop <= (limits.maxRedirects ?? 5); hop++) {
      if (!/^https?:\/\//i.test(current)) return { kind: "failed", reason: `redirected to a URL that is not http(s): ${current}` };
      const headers: Record<string, string> = { "user-agent": USER_AGENT, accept: "image/*" };
      if (cached?.etag) headers["if-none-match"] = cached.etag;
      if (cached?.lastModified) headers["if-modified-since"] = cached.lastModified;
      const response = await fetch(current, { redirect: "manual", signal, headers });
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        const location = response.headers.get("location");
        await response.body?.cancel();
        if (!location) return { kind: "failed", reason: `HTTP ${response.status} without a Location`, status: response.status };
        current = new URL(location, current).href;
        continue;
      }
      if (response.status === 304 && cached) return { kind: "not-modified" };
      if (!response.ok) {
        await response.body?.cancel();
        return { kind: "failed", reason: `HTTP ${response.status}`, status: response.status };
      }
      const contentType = response.headers.get("content-type") ?? "";
      if (!/^image\//i.test(contentType)) {
        await response.body?.cancel();
        return { kind: "failed", reason: `not an image (Content-Type: ${contentType || "none"})` };
      }
      const length = Number(response.headers.get("content-length"));
      if (length > limits.maxBytes) {
        await response.body?.cancel();
        return { kind: "failed", reason: `larger than the ${formatBytes(limits.maxBytes)} limit (${formatBytes(length)})` };
      }
      const bytes = await readCapped(response, limits.maxBytes);
      if (!bytes) return { kind: "failed", reason: `larger than the ${formatBytes(limits.maxBytes)} limit` };
      const validators = { etag: response.headers.get("etag") ?? undefined, lastModified: response.headers.get("last-modified") ?? undefined };
      return { kind: "ok", bytes, contentType, validators };
    }
    return { kind: "failed", reason: `more than ${limits.maxRedirects ?? 5} redirects` };
  } catch (error) {
    if (signal.aborted) return { kind: "failed", reason: `no answer within ${limits.timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: "failed", reason: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KB` : `${n} bytes`;
}
