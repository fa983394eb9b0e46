import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers.js";

function project(config?: object): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "content"));
  if (config) fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify(config));
  return root;
}

describe("hindsight new", () => {
  it("writes content/<yyyy>/<slug>.md, a draft with every section, that check accepts", () => {
    const root = project();
    const result = runCli(
      ["new", "Checkout timeouts after a pool change", "--severity", "sev-2", "--service", "checkout", "--service", "payments", "--date", "2025-03-12T14:05Z"],
      root,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Wrote content/2025/checkout-timeouts-after-a-pool-change.md");
    const text = fs.readFileSync(path.join(root, "content/2025/checkout-timeouts-after-a-pool-change.md"), "utf8");
    expect(text).toContain('title: "Checkout timeouts after a pool change"');
    expect(text).toContain('date: 2025-03-12T14:05:00Z\nseverity: SEV2\nservices: ["checkout","payments"]\nstatus: draft');
    for (const section of ["Issue Summary", "Timeline", "Root Cause and Resolution", "Corrective and Preventative Measures"]) {
      expect(text).toContain(`## ${section}\n\n<!-- `);
    }
    const check = runCli(["check"], root);
    expect(check.code).toBe(0);
    expect(check.stdout).not.toMatch(/\d+:\d+\s+error/);
    expect(check.stdout).toContain("(0 errors, 4 warnings)");
    // A draft is left out of the archive.
    expect(runCli(["build"], root).stdout).toContain("Built 0 postmortems");
  });

  it("uses the configured sections and scale", () => {
    const root = project({ sections: [{ name: "Summary" }, { name: "Follow-ups" }], severities: ["P1", "P2", "P3"] });
    expect(runCli(["new", "Queue backlog", "--date", "2024-01-02"], root).code).toBe(0);
    const text = fs.readFileSync(path.join(root, "content/2024/queue-backlog.md"), "utf8");
    expect(text).toContain("severity: P2");
    expect(text).toContain("## Summary\n\n<!-- Write the summary here. -->");
    expect(text).toContain("## Follow-ups");
    expect(text).not.toContain("## Timeline");
  });

  it("refuses to overwrite, and explains bad input with exit 2", () => {
    const root = project();
    expect(runCli(["new", "Same title", "--date", "2024-05-01"], root).code).toBe(0);
    const again = runCli(["new", "Same title", "--date", "2024-05-01"], root);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("content/2024/same-title.md already exists");
    expect(runCli(["new", "X", "--severity", "SEV9"], root).stderr).toContain("Unexpected --severity SEV9, expected one of SEV1, SEV2, SEV3, SEV4, SEV5");
    expect(runCli(["new", "X", "--date", "yesterday"], root).code).toBe(2);
    expect(runCli(["new"], root).code).toBe(2);
  });
});
