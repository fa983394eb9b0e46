import { spawn, spawnSync } from "node:child_process";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import fg from "fast-glob";
import { afterAll } from "vitest";
import type { BuildOptions, BuildResult } from "../src/build.js";
import { resolveConfig, type UserConfig } from "../src/config.js";
import { parse } from "../src/stages/parse.js";
import { ImageStore } from "../src/images/store.js";
import { resolvePostmortemLinks, type SlugsByPath } from "../src/stages/links.js";
import { renderBody } from "../src/stages/render.js";
import type { PageBody, ParsedPostmortem, RenderedPostmortem } from "../src/types.js";
import { forEachWord } from "../src/shared/search/tokenize.js";

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

/**
 * A project of `count` short postmortems, `pm-0.md` to `pm-{count-1}.md`, each with its number
 * (100 and up) in its title and body: "Outage number 100", "The queue number 100 stalled."
 * Only a title and a date are required. Returns the project's folder.
 */
export function numberedArchive(count: number): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "content"));
  for (let i = 0; i < count; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    fs.writeFileSync(
      path.join(root, "content", `pm-${i}.md`),
      `---\ntitle: Outage number ${100 + i}\ndate: 2024-02-${day}\n---\n\nThe queue number ${100 + i} stalled.\n`,
    );
  }
  fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify({ sections: [], fields: { required: ["title", "date"] } }));
  return root;
}

/** Parses Markdown text as if it were the file `relPath` of a content folder. */
export function parseText(text: string, relPath = "2024/example.md", config: UserConfig = {}): ParsedPostmortem {
  return parse({ path: path.join("/content", relPath), relPath, text }, resolveConfig(config, "/project"));
}

/** An image store for tests: nothing is downloaded unless `online`. */
export function imageStore(config: UserConfig = {}, root = "/project", online = false): ImageStore {
  return new ImageStore(resolveConfig(config, root), { mode: "build", offline: !online });
}

/**
 * Renders a parsed postmortem as the build does: its body with stored images, then its links
 * to other postmortems resolved by `slugs` (content path → slug). Undefined when refused.
 */
export async function render(parsed: ParsedPostmortem, context: { slugs: SlugsByPath; images: ImageStore }): Promise<Shown | undefined> {
  const body = await renderBody(parsed, context.images);
  if (!body) return undefined;
  const page = { html: resolvePostmortemLinks(body.html, { ...body, slug: parsed.meta.slug, slugs: context.slugs }), toc: body.toc, text: body.text };
  return { source: parsed.source, meta: parsed.meta, ...page, body: () => page };
}

/** A rendered postmortem with its body at hand, as its page shows it. */
export type Shown = RenderedPostmortem & PageBody;

/** Parses and renders Markdown text. */
export async function renderText(text: string, relPath?: string, slugs: ReadonlyMap<string, string> = new Map()): Promise<Shown> {
  return (await render(parseText(text, relPath), { slugs, images: imageStore() }))!;
}

/** What a run of the CLI gives: its exit code (null when a child was killed) and its output. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compiled CLI (`npm test` compiles first) in this process, through `runCli` of
 * .build/cli/run.js, and returns its exit code and output. The runs of a test file share one
 * worker thread (test/cli-host.mjs), which loads the CLI's modules once: a child process would
 * load them at every run. Blocks until the run ends, as spawnSync did.
 */
export function runCli(args: string[], cwd: string): CliRun {
  const host = cliHost();
  const { port1, port2 } = new MessageChannel();
  Atomics.store(host.state, 0, 0);
  host.worker.postMessage({ sync: true, port: port2, argv: args, cwd, env: cliEnv() }, [port2]);
  const waited = Atomics.wait(host.state, 0, 0, 10 * 60_000);
  const answer = receiveMessageOnPort(port1);
  port1.close();
  if (!answer) throw new Error(`runCli ${args.join(" ")}: ${waited === "timed-out" ? "no answer in 10 minutes" : "no result"}`);
  return answer.message as CliRun;
}

/** Runs the compiled CLI in this process without blocking, so that a server in the test can answer it (several run at once in one thread). */
export function runCliAsync(args: string[], cwd: string): Promise<CliRun> {
  const host = cliHost();
  const id = host.next++;
  if (host.pending.size === 0) host.worker.ref();
  return new Promise((resolve) => {
    host.pending.set(id, resolve);
    host.worker.postMessage({ sync: false, id, argv: args, cwd, env: cliEnv() });
  });
}

/** Runs the compiled CLI in a child process: for tests about the process itself (several processes at once, locks, signals, a crash). */
export function runCliChild(args: string[], cwd: string, env: NodeJS.ProcessEnv = cliEnv()): CliRun {
  const result = spawnSync(process.execPath, [path.join(repoRoot, ".build", "cli.js"), ...args], { cwd, encoding: "utf8", env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the compiled CLI in a child process without blocking, so that several processes can run at once. */
export function runCliChildAsync(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, ".build", "cli.js"), ...args], { cwd, env: cliEnv() });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment of a CLI run in a test: this process's, without colour. */
function cliEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: "1" };
}

interface CliHost {
  worker: Worker;
  state: Int32Array;
  next: number;
  pending: Map<number, (run: CliRun) => void>;
}

let host: CliHost | undefined;
afterAll(async () => {
  await host?.worker.terminate();
  host = undefined;
});

function cliHost(): CliHost {
  if (host) return host;
  const state = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(path.join(repoRoot, "test", "cli-host.mjs"), {
    workerData: { run: pathToFileURL(path.join(repoRoot, ".build", "cli", "run.js")).href, state: state.buffer },
  });
  worker.unref();
  const created: CliHost = { worker, state, next: 0, pending: new Map() };
  worker.on("message", ({ id, result }: { id: number; result: CliRun }) => {
    created.pending.get(id)?.(result);
    created.pending.delete(id);
    if (created.pending.size === 0) worker.unref();
  });
  host = created;
  return created;
}

/** Every file under a folder, as sorted relative paths with `/`. */
export function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
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

/**
 * Everything under a folder, for byte-for-byte comparisons: each file's relative path with the
 * SHA-256 of its bytes, each folder (so empty ones count) and each symlink with its target.
 */
export function snapshot(dir: string, skip: (relPath: string) => boolean = () => false): Record<string, string> {
  const entries: [string, string][] = [];
  const walk = (relDir: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relDir), { withFileTypes: true })) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (skip(rel)) continue;
      const full = path.join(dir, rel);
      if (entry.isSymbolicLink()) entries.push([rel, `-> ${fs.readlinkSync(full)}`]);
      else if (entry.isDirectory()) {
        entries.push([`${rel}/`, "folder"]);
        walk(rel);
      } else entries.push([rel, createHash("sha256").update(fs.readFileSync(full)).digest("hex")]);
    }
  };
  walk("");
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A small truecolour PNG made here (no binary fixtures): one grey `shade`, an optional `tEXt`
 * chunk to find it by, and any other chunks to put before the image data (`acTL` for an APNG).
 */
export function makePng(width = 1, height = 1, shade = 0x80, text?: string, chunks: readonly Buffer[] = []): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, shade)])));
  const extra = text === undefined ? [] : [pngChunk("tEXt", Buffer.from(`Comment\0${text}`, "latin1"))];
  return Buffer.concat([
    Buffer.from("\x89PNG\r\n\x1a\n", "latin1"),
    pngChunk("IHDR", header),
    ...extra,
    ...chunks,
    pngChunk("IDAT", zlib.deflateSync(rows)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The folded words of a text, as the search index and its client cut it. */
export function words(text: string): string[] {
  const out: string[] = [];
  forEachWord(text, (word) => out.push(word));
  return out;
}

/**
 * A build that does not take the last build whole (see src/cache/last-build.ts), for tests of
 * what a build made from the records does: the report the last build kept is dropped first.
 */
export async function buildFromRecords(options: BuildOptions & { root: string }): Promise<BuildResult> {
  for (const file of fg.sync("*.last.json", { cwd: path.join(options.root, ".cache", "outputs"), absolute: true })) fs.rmSync(file);
  const { build } = await import("../src/build.js");
  return build(options);
}
