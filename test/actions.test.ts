import { describe, expect, it } from "vitest";
import { parseText } from "./helpers.js";

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
});
