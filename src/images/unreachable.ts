import type { ResolvedConfig } from "../config.js";
import { formatBytes } from "../util/format.js";
import type { Problem } from "../util/messages.js";
import type { FetchFailure } from "./fetch.js";

/** Why a remote image was not used: its download's failure, the build's download time used up, or offline without a cached copy. */
export type RemoteFailure = FetchFailure | "time-budget" | "offline";

const FAILURE_HINTS = {
  refused: "The original URL is kept. If that host is yours, name it in `images.allowHosts`; otherwise save the image next to the postmortem.",
  other: "The original URL is kept. Save the image next to the postmortem so the archive does not depend on that host.",
} as const;

/** The warning for a remote image that was not used (the page keeps its URL). */
export function unreachable(url: string, why: RemoteFailure, config: ResolvedConfig): Problem {
  return {
    reason: `Cannot download image ${url}: ${failureReason(why, config)}`,
    ruleId: "image/unreachable",
    hint: FAILURE_HINTS[why === "refused" ? "refused" : "other"],
    severity: "warning",
  };
}

/** What a failed download's warning says: the policy and our own limits, nothing the remote side did. */
function failureReason(why: RemoteFailure, config: ResolvedConfig): string {
  const { images, limits } = config;
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

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
