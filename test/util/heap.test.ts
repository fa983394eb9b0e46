import { describe, expect, it } from "vitest";
import { heldClose } from "../../src/util/heap.js";

describe("heldClose", () => {
  it("starts from a full collection: garbage made before it is gone while its work runs", async () => {
    const ref = new WeakRef({ bytes: new Uint8Array(1 << 20) });
    // A WeakRef keeps its target until the current job is over.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await heldClose(() => ref.deref())).toBeUndefined();
  });

  it("gives what its work gives, its value or its error, nested or not", async () => {
    await expect(heldClose(() => heldClose(() => 7))).resolves.toBe(7);
    await expect(heldClose(async () => Promise.reject(new Error("write failed")))).rejects.toThrow("write failed");
  });
});
