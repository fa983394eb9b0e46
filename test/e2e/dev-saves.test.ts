import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startDev, type DevServer } from "../../src/dev/server.js";
import { tempDir } from "../helpers.js";
import { fetchPage as page, postmortemText, writeFile } from "./dev-fixture.js";

// `hindsight dev` follows the content folder however the files change on disk: editors' atomic
// saves, new folders, renames and deletes each make the archive served match the folder.
const text = (title: string, date = "2024-05-02") => postmortemText(title).replace("2024-05-02", date);

let project: string;
let server: DevServer | undefined;
const logs: string[] = [];
const content = (relPath: string) => path.join(project, "content", relPath);

function write(relPath: string, contents: string): void {
  writeFile(project, path.join("content", relPath), contents);
}

async function start(): Promise<string> {
  server = await startDev({ root: project, port: 0, offline: true, log: (line) => logs.push(line) });
  return server.url;
}

/** Waits until no rebuild runs or waits, and long enough that a late event would have come. */
async function settled(): Promise<void> {
  await server!.idle();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await server!.idle();
}

const rebuilds = () => logs.filter((line) => /^✔ Rebuilt/.test(line)).length;

afterEach(async () => {
  await server?.close();
  server = undefined;
  logs.length = 0;
});

describe("hindsight dev follows the files on disk", () => {
  it("makes one rebuild, with the new text, of an atomic save (a temporary file renamed over the postmortem)", async () => {
    project = tempDir();
    write("2024/cache-outage.md", text("Cache outage"));
    const url = await start();
    // As write-file-atomic and many editors save: the whole text to a new file beside it, then a rename.
    write("2024/cache-outage.md.1f3a9c", text("Cache outage, saved atomically"));
    fs.renameSync(content("2024/cache-outage.md.1f3a9c"), content("2024/cache-outage.md"));
    await expect.poll(async () => (await page(`${url}postmortems/2024/cache-outage/`)).body, { timeout: 5000 }).toContain("Cache outage, saved atomically");
    await settled();
    expect(rebuilds()).toBe(1);

    // Vim's way: the old file moved aside as a backup, the new text written under the name.
    fs.renameSync(content("2024/cache-outage.md"), content("2024/cache-outage.md~"));
    write("2024/cache-outage.md", text("Cache outage, saved by vim"));
    await expect.poll(async () => (await page(`${url}postmortems/2024/cache-outage/`)).body, { timeout: 5000 }).toContain("Cache outage, saved by vim");
  });

  it("picks up a new folder with a new postmortem in it", async () => {
    project = tempDir();
    write("2024/cache-outage.md", text("Cache outage"));
    const url = await start();
    write("2025/q1/queue-backlog.md", text("Queue backlog", "2025-02-01"));
    await expect.poll(async () => (await page(`${url}postmortems/2025/q1/queue-backlog/`)).status, { timeout: 5000 }).toBe(200);
    expect((await page(`${url}postmortems/2025/q1/queue-backlog/`)).body).toContain("Queue backlog");
    // A second postmortem in the folder, now watched.
    write("2025/q1/disk-full.md", text("Disk full", "2025-03-01"));
    await expect.poll(async () => (await page(`${url}postmortems/2025/q1/disk-full/`)).status, { timeout: 5000 }).toBe(200);
  });

  it("picks up a renamed postmortem, a renamed folder and a deleted postmortem", async () => {
    project = tempDir();
    write("2024/cache-outage.md", text("Cache outage"));
    write("2024/dns/resolver-loop.md", text("Resolver loop"));
    write("2023/older.md", text("An older outage", "2023-01-01"));
    const url = await start();
    expect((await page(`${url}postmortems/2023/older/`)).status).toBe(200);

    fs.renameSync(content("2024/cache-outage.md"), content("2024/cache-stampede.md"));
    await expect.poll(async () => (await page(`${url}postmortems/2024/cache-stampede/`)).status, { timeout: 5000 }).toBe(200);
    expect((await page(`${url}postmortems/2024/cache-outage/`)).status).toBe(404);

    fs.renameSync(content("2024/dns"), content("2024/network"));
    await expect.poll(async () => (await page(`${url}postmortems/2024/network/resolver-loop/`)).status, { timeout: 5000 }).toBe(200);
    expect((await page(`${url}postmortems/2024/dns/resolver-loop/`)).status).toBe(404);

    fs.rmSync(content("2023/older.md"));
    await expect.poll(async () => (await page(`${url}postmortems/2023/older/`)).status, { timeout: 5000 }).toBe(404);
    await settled();
    expect((await page(url)).body).not.toContain("An older outage");
  });
});
