import { describe, expect, it } from "vitest";
import { collectNow } from "../../src/util/heap.js";
import { Tripwire } from "../../src/util/tripwire.js";

/** How many of 100 results, each waited for through `wait`, are still in memory once every wait is over. */
async function kept(wait: (work: Promise<object>) => Promise<object>): Promise<number> {
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < 100; i++) {
    const result = { text: `${"x".repeat(1000)}${i}` };
    refs.push(new WeakRef(result));
    expect(await wait(Promise.resolve(result))).toBe(result);
  }
  // A WeakRef keeps its target until the current job is over.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectNow();
  return refs.filter((ref) => ref.deref() !== undefined).length;
}

describe("Tripwire", () => {
  it("gives what the work gives, its value or its error", async () => {
    const wire = new Tripwire();
    await expect(wire.guard(Promise.resolve(7))).resolves.toBe(7);
    await expect(wire.guard(Promise.reject(new Error("parse failed")))).rejects.toThrow("parse failed");
    expect(wire.pending).toBe(0);
  });

  it("ends every wait in progress, and every later one, with the first trip's error", async () => {
    const wire = new Tripwire();
    let finish!: (value: number) => void;
    const slow = new Promise<number>((resolve) => (finish = resolve));
    const waits = [wire.guard(slow), wire.guard(new Promise<number>(() => undefined))];
    expect(wire.pending).toBe(2);
    wire.trip(new Error("No worker thread left"));
    wire.trip(new Error("a second trip"));
    for (const wait of waits) await expect(wait).rejects.toThrow("No worker thread left");
    expect(wire.pending).toBe(0);
    finish(1);
    // A work that fails after the trip is no unhandled rejection (vitest would fail the run).
    await expect(wire.guard(Promise.reject(new Error("too late")))).rejects.toThrow("No worker thread left");
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

  it("keeps no result once its wait is over, where racing a promise that never settles keeps them all", async () => {
    const wire = new Tripwire();
    expect(await kept((work) => wire.guard(work))).toBeLessThanOrEqual(1);
    // What the pool did before: every processed postmortem stayed in memory until the build's last one.
    const never = new Promise<never>(() => undefined);
    expect(await kept((work) => Promise.race([work, never]))).toBeGreaterThanOrEqual(99);
  });
});
