import { describe, expect, it } from "vitest";
import { parseText } from "../helpers.js";

describe("action items", () => {
  it("come from the task list of the corrective-measures section, with owner, due date and ticket", () => {
    const pm = parseText(
      [
        "## Timeline",
        "",
        "- [ ] not an action: outside the section",
        "",
        "## Action Items",
        "",
        "- [ ] Add TTL jitter @mlopez due:2025-04-01 OPS-123",
        "- [x] Roll back the flush @dana",
        "- plain bullet, not a task",
        "  - [ ] Nested follow-up due:2025-02-30",
        "",
        "## Lessons Learned",
        "",
        "- [ ] also outside",
      ].join("\n"),
    );
    expect(pm.meta.actions).toEqual([
      { text: "Add TTL jitter", done: false, owner: "mlopez", due: "2025-04-01", ticket: "OPS-123", line: 7 },
      { text: "Roll back the flush", done: true, owner: "dana", due: undefined, ticket: undefined, line: 8 },
      // An impossible due date is no date.
      { text: "Nested follow-up", done: false, owner: undefined, due: undefined, ticket: undefined, line: 10 },
    ]);
  });

  it("come from anywhere when there is no corrective-measures section", () => {
    expect(parseText("Intro\n\n- [ ] Fix it @ops\n").meta.actions.map((a) => a.text)).toEqual(["Fix it"]);
  });

  it("come from the section playing the actions role, whatever its name (issue 15)", () => {
    const text = ["## Next steps", "", "- [ ] Add jitter", "", "## Notes", "", "- [ ] not an action"].join("\n");
    const pm = parseText(text, "2024/a.md", { sections: [{ name: "Summary" }, { name: "Next steps", role: "actions" }] });
    expect(pm.meta.actions.map((a) => a.text)).toEqual(["Add jitter"]);
  });

  it("take the summary from the section playing the summary role, not from the first configured section (issue 15)", () => {
    const text = ["## Timeline", "", "10:00 it broke.", "", "## What happened", "", "The cache was flushed."].join("\n");
    const pm = parseText(text, "2024/a.md", { sections: [{ name: "Timeline" }, { name: "What happened", role: "summary" }] });
    expect(pm.meta.summary).toBe("The cache was flushed.");
  });
});
