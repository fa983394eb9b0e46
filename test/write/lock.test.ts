import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withLock } from "../../src/write/lock.js";
import { repoRoot, tempDir } from "../helpers.js";

// The output folder's lock: held by one build at a time, across processes, even when several
// builds find the lock of a killed one at the same moment.
describe("the output folder's lock", () => {
  it("is held by one process at a time when four break a dead build's lock at once", async () => {
    const dir = tempDir();
    const child = path.join(dir, "child.mjs");
    fs.writeFileSync(
      child,
      `import fs from "node:fs";
import { withLock } from ${JSON.stringify(path.join(repoRoot, ".build/write/lock.js"))};
const [lock, log, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {}
await withLock(lock, async () => {
  fs.appendFileSync(log, "enter\\n");
  await new Promise((resolve) => setTimeout(resolve, 20));
  fs.appendFileSync(log, "exit\\n");
});
`,
    );
    for (let round = 0; round < 6; round++) {
      const lock = path.join(dir, `${round}.lock`);
      const log = path.join(dir, `${round}.log`);
      // Left by a killed build long ago: a pid that is not running.
      fs.writeFileSync(lock, "999999999 0123456789abcdef");
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(lock, old, old);
      const startAt = Date.now() + 300;
      await Promise.all(
        Array.from(
          { length: 4 },
          () => new Promise((resolve) => spawn(process.execPath, [child, lock, log, String(startAt)], { stdio: "inherit" }).on("exit", resolve)),
        ),
      );
      let inside = 0;
      let most = 0;
      const lines = fs.readFileSync(log, "utf8").trim().split("\n");
      for (const line of lines) most = Math.max(most, (inside += line === "enter" ? 1 : -1));
      expect(lines).toHaveLength(8);
      expect(most).toBe(1);
      // Each released its own lock; none is left.
      expect(fs.existsSync(lock)).toBe(false);
    }
  });

  it("keeps a holder's lock fresh while it works, however long, so that it is never broken", async () => {
    const dir = tempDir();
    const lock = path.join(dir, "dist.lock");
    const child = path.join(dir, "holder.mjs");
    fs.writeFileSync(
      child,
      `import { withLock } from ${JSON.stringify(path.join(repoRoot, ".build/write/lock.js"))};
await withLock(${JSON.stringify(lock)}, async () => {
  process.stdout.write("holding\\n");
  await new Promise((resolve) => setTimeout(resolve, 7000));
});
`,
    );
    const holder = spawn(process.execPath, [child], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((resolve) => holder.stdout.once("data", resolve));
    // Past the 5 s after which an untouched lock is stale: still held.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await withLock(lock, () => Promise.resolve("taken"), { wait: false })).toBeUndefined();
    await new Promise((resolve) => holder.on("exit", resolve));
    expect(await withLock(lock, () => Promise.resolve("taken"), { wait: false })).toBe("taken");
  }, 20_000);

  it("waits for a live holder, and leaves alone a lock that is not its own", async () => {
    const lock = path.join(tempDir(), "dist.lock");
    // A fresh lock of another process that is running: not broken.
    fs.writeFileSync(lock, `${process.ppid} feedfacefeedface`);
    expect(await withLock(lock, () => Promise.resolve("taken"), { wait: false })).toBeUndefined();
    expect(fs.readFileSync(lock, "utf8")).toBe(`${process.ppid} feedfacefeedface`);
    // In one process, holders queue: the second runs after the first.
    fs.rmSync(lock);
    const order: string[] = [];
    await Promise.all([
      withLock(lock, async () => {
        order.push("first in");
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push("first out");
      }),
      withLock(lock, () => {
        order.push("second");
        return Promise.resolve();
      }),
    ]);
    expect(order).toEqual(["first in", "first out", "second"]);
    expect(fs.existsSync(lock)).toBe(false);
  });
});
