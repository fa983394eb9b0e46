import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** The Content-Security-Policy the archive must work under (DESIGN.md). */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self'";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".xml": "application/xml",
  ".bin": "application/octet-stream",
  ".txt": "text/plain",
};

/** Closes what a setup opened, in order: after a setup that failed halfway, the rest are still undefined. */
export async function closeAll(...opened: ({ close: () => Promise<void> } | undefined)[]): Promise<void> {
  for (const thing of opened) await thing?.close();
}

/** Serves `dir` under `prefix` on 127.0.0.1 with the CSP header, as an internal static host would. */
export async function serve(
  dir: string,
  prefix: string,
  options: { csp?: boolean } = {},
): Promise<{ url: string; bytes: () => number; resetBytes: () => void; close: () => Promise<void> }> {
  let sent = 0;
  const policy: Record<string, string> = options.csp === false ? {} : { "content-security-policy": CSP };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    if (!url.pathname.startsWith(prefix)) return void res.writeHead(404).end();
    let file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      res.writeHead(404, { "content-type": "text/html", ...policy });
      return void res.end(fs.readFileSync(path.join(dir, "404.html")));
    }
    const body = fs.readFileSync(file);
    sent += body.length;
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", ...policy });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    bytes: () => sent,
    resetBytes: () => void (sent = 0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Debian's Chromium (or $CHROMIUM), headless, as the tests drive it: no sandbox (root), none of its background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
