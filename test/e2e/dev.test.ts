import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDev, type DevServer } from "../../src/dev/server.js";
import { repoRoot, tempDir } from "../helpers.js";
import { fetchPage as get, postmortemText as text, writeFile } from "./dev-fixture.js";
import { closeAll } from "./serve.js";

// `hindsight dev` on a temporary project: the served pages follow the files as they are saved,
// and a broken postmortem shows as an overlay in the page until it is fixed.
const POSTMORTEM = "2024/cache-outage.md";

let project: string;
let server: DevServer | undefined;
const logs: string[] = [];

function write(relPath: string, contents: string): void {
  writeFile(project, path.join("content", relPath), contents);
}

async function start(): Promise<DevServer> {
  server = await startDev({ root: project, port: 0, offline: true, log: (line) => logs.push(line) });
  return server;
}

/** The states the server sends over server-sent events, as they arrive. */
async function listen(url: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}__hindsight/events`, { signal: controller.signal });
  const states: Array<{ build: number; changed: string[]; errors: Array<{ file: string; line: number; column: number; message: string }> }> = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          if (data) states.push(JSON.parse(data) as (typeof states)[number]);
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Aborted at the end of the test.
    }
  })();
  return { states, stop: () => controller.abort() };
}

afterEach(async () => {
  await server?.close();
  server = undefined;
  logs.length = 0;
});

describe("hindsight dev", () => {
  it("serves the archive, drafts included, and a changed postmortem's page within seconds", async () => {
    project = tempDir();
    write(POSTMORTEM, text("Cache outage"));
    write("2024/draft.md", text("A draft in progress").replace("status: final", "status: draft"));
    const { url } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(`${url}postmortems/2024/cache-outage/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Cache outage");
    // The page carries the reload client, as a file (no inline script).
    expect(page.body).toMatch(/<script type="module" src="\/__hindsight\/client\.js\?build=1"><\/script><\/body>/);
    expect((await get(`${url}postmortems/2024/draft/`)).body).toContain("A draft in progress");
    expect((await get(`${url}__hindsight/client.js`)).body).toContain("EventSource");
    // What the client imports is served beside it: the protocol both sides share.
    const protocol = await fetch(`${url}__hindsight/protocol.js`);
    expect(protocol.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await protocol.text()).toContain("export const EVENTS_PATH");
    expect((await get(`${url}no/such/page/`)).status).toBe(404);
    expect((await get(`${url}%00`)).status).toBe(400);
    // Another host name pointed at 127.0.0.1 (DNS rebinding) gets nothing.
    const http = await import("node:http");
    const status = await new Promise((resolve) => http.get(url, { headers: { host: "evil.example" } }, (res) => resolve(res.statusCode)));
    expect(status).toBe(403);

    const events = await listen(url);
    write(POSTMORTEM, text("Cache outage, revised"));
    await expect.poll(async () => (await get(`${url}postmortems/2024/cache-outage/`)).body, { timeout: 5000 }).toContain("Cache outage, revised");
    await expect.poll(() => events.states.at(-1)?.build, { timeout: 5000 }).toBe(2);
    expect(events.states.at(-1)!.changed).toContain("postmortems/2024/cache-outage/index.html");
    // Only the changed postmortem was rendered again.
    expect(logs.join("\n")).toMatch(/Rebuilt 2 postmortems in \d+ ms \(1 rendered, 1 reused\)/);
    // A new title shows in the lists too: no page alone is updated before the rebuild.
    expect(logs.join("\n")).not.toMatch(/Updated/);
    events.stop();
  });

  it("updates the page of a postmortem whose body changed at once, and the rebuild after it makes the same page", async () => {
    project = tempDir();
    write(POSTMORTEM, text("Cache outage"));
    write("2023/older.md", text("An older outage").replace("2024-05-02", "2023-01-01"));
    const { url } = await start();
    const events = await listen(url);
    await expect.poll(() => events.states.length, { timeout: 5000 }).toBe(1);
    const page = "postmortems/2024/cache-outage/index.html";
    write(POSTMORTEM, text("Cache outage").replace("Too many keys.", "Too many keys, and one flamingo."));
    await expect.poll(() => events.states.find((state) => state.build === 2), { timeout: 5000 }).toBeDefined();
    // The first news is the page alone; the whole rebuild follows.
    expect(events.states.find((state) => state.build === 2)!.changed).toEqual([page]);
    expect(logs.join("\n")).toMatch(new RegExp(`Updated ${page} in \\d+ ms`));
    expect((await get(`${url}${page}`)).body).toContain("one flamingo");
    await server!.idle();
    await expect.poll(() => events.states.at(-1)!.build, { timeout: 5000 }).toBe(3);
    const rebuilt = events.states.at(-1)!;
    // The search index changed with the words; the page did not change again.
    expect(rebuilt.changed).toContain("search/meta.json");
    expect(rebuilt.changed).not.toContain(page);
    events.stop();
  });

  it("reports a broken postmortem to the page and the terminal, keeps the last good archive, and clears when fixed", async () => {
    project = tempDir();
    write(POSTMORTEM, text("Cache outage"));
    // Paths relative to the folder dev was started in, as the CLI gives it (not this process's).
    server = await startDev({ root: project, port: 0, offline: true, cwd: project, log: (line) => logs.push(line) });
    const { url } = server;
    const events = await listen(url);
    write(POSTMORTEM, text("Cache outage").replace("severity: SEV2", "severity: SEV9"));
    await expect.poll(() => events.states.at(-1)?.errors.length ?? 0, { timeout: 5000 }).toBeGreaterThan(0);
    const [error] = events.states.at(-1)!.errors;
    expect(error).toMatchObject({ line: 4, column: 11, file: path.join("content", POSTMORTEM) });
    expect(error!.message).toMatch(/SEV9/);
    expect(logs.join("\n")).toMatch(/Build failed/);
    expect(logs.join("\n")).toContain(`\ncontent/${POSTMORTEM}\n`);
    expect((await get(`${url}postmortems/2024/cache-outage/`)).body).toContain("Cache outage");

    write(POSTMORTEM, text("Cache outage, fixed"));
    await expect.poll(() => events.states.at(-1)?.errors.length, { timeout: 5000 }).toBe(0);
    expect(events.states.at(-1)!.build).toBe(2);
    expect((await get(`${url}postmortems/2024/cache-outage/`)).body).toContain("Cache outage, fixed");
    events.stop();
  });

  it("rebuilds when the theme or the config changes", async () => {
    project = tempDir();
    write(POSTMORTEM, text("Cache outage"));
    const { url } = await start();
    fs.mkdirSync(path.join(project, "themes", "default", "layouts"), { recursive: true });
    fs.writeFileSync(
      path.join(project, "themes", "default", "layouts", "404.eta"),
      "<!doctype html><title>Lost</title><body><h1>Nothing here, friend</h1></body>",
    );
    fs.writeFileSync(path.join(project, "hindsight.config.json"), JSON.stringify({ title: "Team Ledger" }));
    await expect.poll(async () => (await get(`${url}index.html`)).body, { timeout: 5000 }).toContain("Team Ledger");
    await expect.poll(async () => (await get(`${url}missing`)).body, { timeout: 5000 }).toContain("Nothing here, friend");
    // A layout that fails on a postmortem's page is reported; the server stays up.
    fs.writeFileSync(path.join(project, "themes", "default", "layouts", "postmortem.eta"), "<%= it.nope.deeper %>");
    await expect.poll(() => logs.join("\n"), { timeout: 5000 }).toMatch(/✖ Theme layout .*postmortem\.eta failed/);
    expect((await get(`${url}index.html`)).status).toBe(200);
    fs.rmSync(path.join(project, "themes", "default", "layouts", "postmortem.eta"));
    // A broken config is reported, and the last good archive stays served.
    fs.writeFileSync(path.join(project, "hindsight.config.json"), JSON.stringify({ title: 42 }));
    await expect.poll(() => logs.join("\n"), { timeout: 5000 }).toMatch(/✖ Invalid config[^]*`title`/);
    expect((await get(`${url}index.html`)).body).toContain("Team Ledger");
  });
});

describe("hindsight dev in a browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  afterAll(() => closeAll(browser));

  it("reloads the open page on save, and overlays the errors of a broken save until it is fixed", async () => {
    project = tempDir();
    write(POSTMORTEM, text("Cache outage"));
    const { url } = await start();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${url}postmortems/2024/cache-outage/`);
    await page.waitForFunction(() => document.documentElement.dataset.hindsightDev === "connected");

    write(POSTMORTEM, text("Cache outage, live"));
    await page.waitForFunction(() => document.querySelector("h1")?.textContent.includes("Cache outage, live"), null, { timeout: 5000 });

    write(POSTMORTEM, text("Cache outage, live").replace("date: 2024-05-02", "date: 2024-05-02\ndate: 2024-05-03"));
    const overlay = page.locator("#HindsightDevOverlay");
    await overlay.waitFor({ timeout: 5000 });
    expect(await overlay.getAttribute("role")).toBe("alert");
    expect(await overlay.locator(".hindsight-dev-where").first().textContent()).toMatch(/content[/\\]2024[/\\]cache-outage\.md:\d+:\d+$/);
    await page.screenshot({ path: path.join(project, "overlay.png") });

    write(POSTMORTEM, text("Cache outage, mended"));
    await page.waitForFunction(() => document.querySelector("h1")?.textContent.includes("mended") && !document.getElementById("HindsightDevOverlay"), null, {
      timeout: 5000,
    });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("hindsight dev on the command line", () => {
  it("prints the URL it serves and stops on SIGTERM", async () => {
    const cwd = tempDir();
    fs.cpSync(path.join(repoRoot, "content"), path.join(cwd, "content"), { recursive: true });
    const child = spawn(process.execPath, [path.join(repoRoot, ".build/cli.js"), "dev", "--port", "0", "--offline"], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      // Its first build, in a child process: up to 9 s seen with two other test files running.
      await expect.poll(() => stdout, { timeout: 30_000 }).toMatch(/Serving the archive at http:\/\/127\.0\.0\.1:\d+\//);
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)![0];
      expect((await get(url)).body).toContain("Postmortems");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      // A failed assertion must not leave the server running after the tests.
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);

  it("says so when the port is taken or not a port", async () => {
    const cwd = tempDir();
    fs.cpSync(path.join(repoRoot, "content"), path.join(cwd, "content"), { recursive: true });
    const { runCli } = await import("../helpers.js");
    const notAPort = runCli(["dev", "--port", "http"], cwd);
    expect(notAPort.code).toBe(2);
    expect(notAPort.stderr).toMatch(/Unexpected --port http, expected a number/);
    const taken = await startDev({ root: cwd, port: 0, offline: true, log: () => {} });
    const port = new URL(taken.url).port;
    const result = runCli(["dev", "--port", port, "--offline"], cwd);
    await taken.close();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Port ${port} is in use: choose another with --port`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
