// Issue 13: hostile content against the machine that builds the archive. Each finding of the
// issue that is about budgets, crashes or hangs has a regression here, run as a user runs it.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../src/build.js";
import { check } from "../src/check.js";
import { DATE_FIELDS } from "../src/rules/dates.js";
import { TEXT_FIELDS, WORD_FIELDS } from "../src/rules/field-types.js";
import { readFrontmatter } from "../src/stages/frontmatter.js";
import { VFile } from "vfile";
import { makePng, repoRoot, runCliAsync, runCliChildAsync, tempDir } from "./helpers.js";

const valid = fs.readFileSync(path.join(repoRoot, "test/fixtures/rules/valid/input.md"), "utf8");

/** A project whose content folder holds these files (name → text). */
function project(files: Record<string, string>, config?: object): string {
  const root = tempDir();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, "content", name)), { recursive: true });
    fs.writeFileSync(path.join(root, "content", name), text);
  }
  if (config) fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify(config));
  return root;
}

/** `file rule` for each message. */
const rulesOf = (files: readonly VFile[]) => files.flatMap((f) => f.messages.map((m) => `${path.basename(f.path)} ${m.ruleId}`));

/** This process's CPU time since `started`, in ms: unlike the clock, not stretched by other work on a shared machine. */
const cpuMs = (started: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
};

/** A valid postmortem with more body after its root cause. */
const withBody = (body: string) => valid.replace("A flush.", `A flush.\n\n${body}`);

describe("budgets per postmortem (issue 13, finding 3)", () => {
  // About 16 s to parse at 50 KB, over 100 s at 100 KB: superlinear in micromark.
  const slow = withBody("_a*".repeat(20_000));

  // The limit leaves a cold thread time to compile the parser (its first postmortem), on a busy machine.
  it("stops a postmortem that takes too long to parse, in this thread, and reports it at the file", async () => {
    const root = project({ "slow.md": slow, "ok.md": valid.replace("Cache flush", "Other flush") }, { limits: { fileMs: 2_000 } });
    const started = Date.now();
    const result = await build({ root, workers: 0, cache: false });
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(result.ok).toBe(false);
    expect(rulesOf(result.files)).toEqual(["slow.md limits/time"]);
    // check runs the same way and says the same.
    expect(rulesOf((await check({ root, workers: 0, cache: false })).files)).toEqual(["slow.md limits/time"]);
  });

  it("stops a worker whose postmortem takes too long, replaces it, and processes the rest", async () => {
    const files: Record<string, string> = { "slow.md": slow };
    for (let i = 0; i < 6; i++) files[`ok-${i}.md`] = valid.replace("Cache flush", `Flush ${i}`);
    const root = project(files, { limits: { fileMs: 2_000 } });
    const started = Date.now();
    const result = await build({ root, workers: 2, cache: false });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(rulesOf(result.files)).toEqual(["slow.md limits/time"]);
  });

  it("does not count the time a postmortem waits for its downloads", async () => {
    // An image server on loopback that answers after 2.5 s, longer than the file's 1.5 s.
    const server = http.createServer((_, res) => void setTimeout(() => res.writeHead(200, { "content-type": "image/png" }).end(makePng(2, 2)), 2_500));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const files: Record<string, string> = {};
      for (let i = 0; i < 4; i++) files[`ok-${i}.md`] = withBody(`![graph ${i}](${url}/${i}.png)`).replace("Cache flush", `Flush ${i}`);
      const config = { limits: { fileMs: 1_500 }, images: { allowHosts: ["127.0.0.1"], timeoutMs: 10_000 } };
      for (const workers of [0, 2]) {
        const result = await build({ root: project(files, config), workers, cache: false });
        expect(rulesOf(result.files), `workers: ${workers}`).toEqual([]);
        expect(result.images.downloaded, `workers: ${workers}`).toBe(4);
      }
    } finally {
      server.close();
    }
  });

  it("refuses a Markdown file over limits.fileBytes without parsing it: a 2 MB list exited 134", async () => {
    const list = "- a\n".repeat(520_000);
    const root = project({ "list.md": withBody(list), "ok.md": valid.replace("Cache flush", "Other flush") });
    // A child process: the bug was the process dying (exit 134).
    const run = await runCliChildAsync(["build"], root);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain("limits/file-bytes");
    expect(run.stdout + run.stderr).toMatch(/Unexpected file of 2(\.\d)? MB, expected at most 1 MB \(limits\.fileBytes\)/);
    expect(fs.existsSync(path.join(root, "dist"))).toBe(false);
  });

  it("refuses a postmortem whose reference links would make gigabytes of HTML", async () => {
    const url = `https://example.com/${"x".repeat(100_000)}`;
    // The time limit is not what this test is about (a loaded machine reached it), and CPU time, not the clock, says no gigabytes were made.
    const root = project({ "refs.md": withBody(`[r]: ${url}\n\n${"[a][r] ".repeat(10_000)}\n`) }, { limits: { fileMs: 120_000 } });
    const started = process.cpuUsage();
    const result = await build({ root, cache: false });
    expect(cpuMs(started)).toBeLessThan(20_000);
    expect(rulesOf(result.files)).toEqual(["refs.md limits/output-bytes"]);
  });

  it("refuses 20,000 tags (20,017 pages) and a summary repeated on every list it is on", async () => {
    const tags = Array.from({ length: 20_000 }, (_, i) => `t${i}`).join(", ");
    const summary = "Logins failed. ".repeat(60_000);
    const root = project({
      "tags.md": valid.replace("services: [auth]", `services: [auth]\ntags: [${tags}]`),
      "summary.md": valid.replace(
        "services: [auth]",
        `services: [auth]\ntags: [${Array.from({ length: 90 }, (_, i) => `t${i}`).join(", ")}]\nsummary: "${summary}"`,
      ),
    });
    const result = await build({ root, cache: false });
    expect(result.ok).toBe(false);
    // The tags' chips on 20,000 lists are over the output budget too.
    expect(rulesOf(result.files).sort()).toEqual(["summary.md limits/output-bytes", "tags.md limits/output-bytes", "tags.md limits/terms"]);
  });
});

describe("budgets found by the attack review of issue 13", () => {
  it("measures a file before reading it: ten 450 MB files (0.5 MB in git) crashed check with exit 134", async () => {
    const root = project({ "ok.md": valid });
    // Sparse: the size is there without the bytes on disk.
    for (let i = 0; i < 3; i++) {
      const fd = fs.openSync(path.join(root, "content", `huge-${i}.md`), "w");
      fs.ftruncateSync(fd, 450 * 1024 * 1024);
      fs.closeSync(fd);
    }
    const started = Date.now();
    // A child process: the bug was the process dying (exit 134).
    const run = await runCliChildAsync(["check"], root);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.code).toBe(1);
    expect(run.stdout.match(/limits\/file-bytes/g)).toHaveLength(3);
    expect(run.stdout).toContain("Unexpected file of 450 MB, expected at most 1 MB (limits.fileBytes)");
  });

  it("measures a local image before reading it", async () => {
    const root = project({ "a.md": withBody("![graph](big.png)") });
    const fd = fs.openSync(path.join(root, "content", "big.png"), "w");
    fs.ftruncateSync(fd, 200 * 1024 * 1024);
    fs.closeSync(fd);
    const result = await check({ root, cache: false });
    expect(result.files[0]!.messages.map((m) => `${m.ruleId} ${m.reason}`)).toEqual([
      "image/too-large Unexpected image `big.png` of 200 MB, expected at most 10 MB (images.maxBytes)",
    ]);
  });

  it("counts a long title once per action item, and long term names on every list: builds died or made 100 MB", async () => {
    const actions = "- [ ] a\n".repeat(4_000);
    const root = project(
      {
        "actions.md": valid.replace("title: Cache flush broke logins", `title: "${"T".repeat(150_000)}"`).replace("- [ ] Add jitter", actions),
        "services.md": valid.replace("services: [auth]", `services: [${Array.from({ length: 100 }, (_, j) => `s${j}${"a".repeat(9_000)}`).join(", ")}]`),
        // The time budget is not what this test is about: on a loaded machine, 4,000 items outlasted the default.
      },
      { limits: { fileMs: 120_000 } },
    );
    const checked = await check({ root, cache: false });
    expect(rulesOf(checked.files).sort()).toEqual(["actions.md limits/output-bytes", "services.md limits/output-bytes"]);
    const built = await build({ root, cache: false });
    expect(rulesOf(built.files).sort()).toEqual(["actions.md limits/output-bytes", "services.md limits/output-bytes"]);
    expect(fs.existsSync(path.join(root, "dist"))).toBe(false);
  });

  it("reports 100 problems of one rule per file, then how many more", async () => {
    const root = project({ "a.md": withBody(Array.from({ length: 1_000 }, (_, i) => `![](m${i}.png)`).join("\n\n")) });
    const messages = (await check({ root, cache: false })).files[0]!.messages;
    const missing = messages.filter((m) => m.ruleId === "image/missing");
    expect(missing).toHaveLength(101);
    expect(missing[100]!.reason).toBe("Unexpected 900 more problems like the ones above in this file, not shown");
  });
});

describe("no stack trace for content (issue 13, finding 5)", () => {
  it("reports {toString: 1} in every field read as a date, word or text as frontmatter/type, in check and build", async () => {
    const fields = [...TEXT_FIELDS, ...WORD_FIELDS, ...DATE_FIELDS, "duration"];
    const files: Record<string, string> = {};
    for (const field of fields) {
      for (const [n, value] of ["{toString: 1}", "[{toString: 1}]"].entries()) {
        const lines = valid.split("\n").filter((line) => !line.startsWith(`${field}:`));
        lines.splice(1, 0, `${field}: ${value}`);
        files[`${field}-${n}.md`] = lines.join("\n");
      }
    }
    const root = project(files);
    for (const command of ["check", "build"]) {
      const run = await runCliAsync([command], root);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).not.toContain("internal error");
      for (const name of Object.keys(files)) expect(run.stdout + run.stderr, name).toContain(name);
    }
  });

  it("reports emphasis 4,000 deep (8 KB) as content/too-deep in check and build: build died in to-html", async () => {
    // The time limit is not what this test is about: a loaded machine reached it first.
    const root = project({ "deep.md": withBody(`${"*".repeat(4_000)}a${"*".repeat(4_000)}`) }, { limits: { fileMs: 120_000 } });
    for (const command of ["check", "build"]) {
      const run = await runCliAsync([command], root);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout + run.stderr).toContain("content/too-deep");
    }
  });

  it("gives a tag whose hashed id is another tag's slug an id of its own: check and build agree", async () => {
    const root = project({ "a.md": valid.replace("services: [auth]", 'services: [db, "db-61650a", "🔥 db"]\ntags: [db, "db-61650a", "🔥 db"]') });
    expect((await check({ root })).ok).toBe(true);
    const result = await build({ root });
    expect(result.ok).toBe(true);
    const tags = fs
      .readdirSync(path.join(root, "dist", "tags"))
      .filter((name) => name !== "index.html")
      .sort();
    expect(tags).toHaveLength(3);
    expect(tags).toContain("db");
    expect(tags).toContain("db-61650a");
    expect(fs.readdirSync(path.join(root, "dist", "services")).filter((name) => name !== "index.html")).toHaveLength(3);
  });
});

describe("dates (issue 13, finding 6)", () => {
  it("refuses dates outside the years 0001–9999 at their line, and builds no +010 year", async () => {
    const root = project({ "far.md": valid.replace("date: 2024-02-10T09:30:00Z", "date: 9999-12-31T23:00:00-05:00") });
    const result = await build({ root });
    expect(result.ok).toBe(false);
    const message = result.files[0]!.messages[0]!;
    expect([message.ruleId, message.line]).toEqual(["frontmatter/date", 3]);
    expect(message.reason).toContain("outside the years 0001 to 9999");
  });

  it("orders a plain date against a date-time by the UTC day, not as strings", async () => {
    const text = valid.replace("date: 2024-02-10T09:30:00Z", "date: 2024-02-10\nstarted: 2024-02-10\ndetected: 2024-02-09T23:30:00-02:00");
    const result = await check({ root: project({ "a.md": text }) });
    // 2024-02-09T23:30-02:00 is 2024-02-10T01:30Z: the same day as the start, not before it.
    expect(rulesOf(result.files)).toEqual([]);
  });
});

describe("YAML (issue 13, finding 6)", () => {
  it("checks 80,000 keys for duplicates in linear time (55 s before), and still finds a duplicate", () => {
    const keys = Array.from({ length: 80_000 }, (_, i) => `k${i}: 1`).join("\n");
    const started = process.cpuUsage();
    const result = readFrontmatter(`---\n${keys}\n---\nbody\n`, new VFile());
    expect(cpuMs(started)).toBeLessThan(10_000);
    expect(result.ok).toBe(true);
    const file = new VFile();
    expect(readFrontmatter("---\na: 1\nb:\n  c: 1\n  c: 2\n---\n", file).ok).toBe(false);
    expect(file.messages.map((m) => `${m.line}:${m.column} ${m.reason}`)).toEqual(["5:3 Cannot parse frontmatter: Map keys must be unique"]);
  });
});
