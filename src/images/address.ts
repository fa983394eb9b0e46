import net from "node:net";
import { debug } from "../util/debug.js";
import { textBefore } from "../util/format.js";
import { mustAt, mustGroup } from "../util/lookup.js";

/**
 * Which hosts a build may download images from. Content is input to the build machine: an
 * image URL must not make it reach loopback, a private network or the cloud metadata address
 * (169.254.169.254), unless the project names that host in `images.allowHosts`.
 */

const INTERNAL_V4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network", 0.0.0.0 included
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking, used inside networks
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, 255.255.255.255 (broadcast) included
];
const INTERNAL_V6: readonly (readonly [string, number])[] = [
  ["::", 128],
  ["::1", 128],
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated, still routed inside some networks)
  ["fc00::", 7], // unique local
  ["ff00::", 8], // multicast
  ["100::", 64], // discard-only
  ["64:ff9b:1::", 48], // local-use NAT64, where the IPv4 address may sit anywhere
];

const internal = new net.BlockList();
for (const [address, prefix] of INTERNAL_V4) internal.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of INTERNAL_V6) internal.addSubnet(address, prefix, "ipv6");

/**
 * True when a resolved address is one a download may reach: not loopback, unspecified,
 * link-local, private, CGNAT, unique-local, multicast, broadcast or reserved, nor an IPv6
 * address embedding such an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo).
 * Anything that does not parse as an address is not public.
 */
export function isPublicAddress(address: string): boolean {
  // A scope (`fe80::1%eth0`) only ever follows a link-local address; the address decides.
  const bare = textBefore(address, "%");
  const family = net.isIP(bare);
  if (family === 4) return !internal.check(bare, "ipv4");
  if (family !== 6 || internal.check(bare, "ipv6")) return false;
  const embedded = embeddedIPv4(ipv6Groups(bare));
  return embedded === undefined || isPublicAddress(embedded);
}

/** The host of a URL as compared with `images.allowHosts`: WHATWG-parsed, lower case, IPv6 in brackets. */
export function hostKey(hostname: string): string {
  try {
    return new URL(`http://${hostname}/`).hostname;
  } catch (error) {
    debug("images", "a host name that is not a URL host is compared as written", error);
    return hostname.toLowerCase();
  }
}

/** The host name of a URL, "" when it has none (it does not parse). */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch (error) {
    debug("images", "an image URL without a host", error);
    return "";
  }
}

/** True when `hostname` (from a parsed URL) is named in `images.allowHosts`. */
export function isAllowedHost(hostname: string, allowHosts: readonly string[]): boolean {
  const key = hostKey(hostname);
  return allowHosts.some((entry) => hostKey(entry) === key);
}

/**
 * True when a URL's host is refused by its name alone, with no lookup: an address literal
 * (`127.0.0.1`, `[::1]`, and `2130706433` or `0x7f.1`, which URL parsing makes dotted) that is
 * not public, or `localhost` and its subdomains, which always are loopback. Other names are
 * checked once resolved.
 */
export function refusedByName(hostname: string, allowHosts: readonly string[]): boolean {
  if (isAllowedHost(hostname, allowHosts)) return false;
  const key = hostKey(hostname);
  const literal = key.replace(/^\[(.*)\]$/, "$1");
  if (net.isIP(literal)) return !isPublicAddress(literal);
  return /(^|\.)localhost\.?$/.test(key);
}

/** The eight 16-bit groups of a valid IPv6 address (`net.isIP` said 6). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const octet = (group: number) => Number(mustGroup(dotted, group));
    text = `${mustGroup(dotted, 1)}${((octet(2) << 8) | octet(3)).toString(16)}:${((octet(4) << 8) | octet(5)).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const split = (part: string) => (part === "" ? [] : part.split(":"));
  const left = split(head);
  const right = tail === undefined ? [] : split(tail);
  const zeros = new Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}

/** The IPv4 address an IPv6 one carries, for the forms that route to it; undefined for others. */
function embeddedIPv4(groups: readonly number[]): string | undefined {
  const g = (i: number) => mustAt(groups, i, "an IPv6 address's eight groups");
  const dotted = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zeroUpTo = (n: number) => groups.slice(0, n).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), ::ffff:0:a.b.c.d (translated).
  if (zeroUpTo(5) && (g(5) === 0xffff || g(5) === 0)) return dotted(g(6), g(7));
  if (zeroUpTo(4) && g(4) === 0xffff && g(5) === 0) return dotted(g(6), g(7));
  // 64:ff9b::a.b.c.d (NAT64, RFC 6052).
  if (g(0) === 0x64 && g(1) === 0xff9b && groups.slice(2, 6).every((x) => x === 0)) return dotted(g(6), g(7));
  // 2002:aabb:ccdd::/48 (6to4).
  if (g(0) === 0x2002) return dotted(g(1), g(2));
  // 2001:0::/32 (Teredo): the client's address, inverted, in the last 32 bits.
  if (g(0) === 0x2001 && g(1) === 0) return dotted(~g(6) & 0xffff, ~g(7) & 0xffff);
  return undefined;
}
