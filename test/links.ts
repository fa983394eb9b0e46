import fs from "node:fs";
import path from "node:path";

/** An internal link in the archive that does not resolve to a file (or an anchor that is missing). */
export interface BrokenLink {
  readonly page: string;
  readonly href: string;
}

/**
 * Checks every relative `href`/`src` of every HTML page under `dir`: it must name an existing
 * file, and a `#fragment` must name an id on the target page. Absolute URLs are not followed.
 */
export function brokenLinks(dir: string, pages: readonly string[]): BrokenLink[] {
  const ids = new Map<string, Set<string>>();
  const idsOf = (file: string) => {
    if (!ids.has(file)) {
      const html = fs.readFileSync(file, "utf8");
      ids.set(file, new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
    }
    return ids.get(file)!;
  };
  const broken: BrokenLink[] = [];
  for (const page of pages.filter((p) => p.endsWith(".html"))) {
    const file = path.join(dir, page);
    const html = fs.readFileSync(file, "utf8");
    for (const [, href] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href!) || href!.startsWith("//")) continue;
      const [target, fragment] = href!.split("#") as [string, string | undefined];
      const resolved = target ? path.resolve(path.dirname(file), decodeURI(target)) : file;
      const ok =
        resolved.startsWith(dir + path.sep) &&
        fs.existsSync(resolved) &&
        fs.statSync(resolved).isFile() &&
        (!fragment || !resolved.endsWith(".html") || idsOf(resolved).has(decodeURIComponent(fragment)));
      if (!ok) broken.push({ page, href: href! });
    }
  }
  return broken;
}
