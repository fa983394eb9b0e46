import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { resolveConfig, type UserConfig } from "../src/config.js";
import { parse } from "../src/stages/parse.js";
import { ImageStore } from "../src/images/store.js";
import { render } from "../src/stages/render.js";
import type { ParsedPostmortem, RenderedPostmortem } from "../src/types.js";

/** The repository root. */
export const repoRoot = path.resolve(import.meta.dirname, "..");
/** `../shared` beside the checkout: the seed, the real corpus and the benchmark generator. */
export const sharedDir = path.resolve(repoRoot, "..", "shared");
if (!fs.existsSync(path.join(sharedDir, "corpus"))) {
  throw new Error(`Tests need ../shared beside the checkout (the corpus and the generator); not found at ${sharedDir}`);
}
/** The fixture archive used by the end-to-end tests. */
export const fixtureArchive = path.join(repoRoot, "test", "fixtures", "archive");

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file has run. */
export function tempDir(prefix = "hindsight-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Parses Markdown text as if it were the file `relPath` of a content folder. */
export function parseText(text: string, relPath = "2024/example.md", config: UserConfig = {}): ParsedPostmortem {
  return parse({ path: path.join("/content", relPath), relPath, text }, resolveConfig(config, "/project"));
}

/** An image store for tests: nothing is downloaded unless `online`. */
export function imageStore(config: UserConfig = {}, root = "/project", online = false): ImageStore {
  return new ImageStore(resolveConfig(config, root), { mode: "build", offline: !online });
}

/** Parses and renders Markdown text. */
export function renderText(text: string, relPath?: string, slugs: ReadonlyMap<string, string> = new Map()): Promise<RenderedPostmortem> {
  return render(parseText(text, relPath), { slugs, images: imageStore() });
}

/** Runs the compiled CLI (`npm test` compiles first) and returns its exit code and output. */
export function runCli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [path.join(repoRoot, ".build", "cli.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a folder, as sorted relative paths with `/`. */
export function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

/** A page without the theme's own script tags (external, content-hashed files under assets/), to look for injected ones. */
export function withoutThemeScripts(html: string): string {
  return html
    .replace(/<script (?:defer|type="module") src="(?:\.\.\/|\.\/|\/)*assets\/[a-z-]+\.[0-9a-f]{10}\.js"><\/script>/g, "")
    .replace(/<script type="module" src="[0-9a-f]{12}\/search\.js"><\/script>/g, "");
}
