import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli, runCliAsync, snapshot, tempDir } from "./helpers.js";

// The promise of the README: "a failed build leaves the previous archive exactly as it was",
// checked byte for byte after each way a build can fail before it swaps in. A build killed
// mid-write is in test/write/write.test.ts.
describe("a build that fails leaves the previous dist/ byte for byte as it was", () => {
  let project = "";
  let previous: Record<string, string> = {};
  beforeAll(() => {
    project = tempDir();
    for (const year of ["2023", "2024"]) fs.cpSync(path.join(repoRoot, "content", year), path.join(project, "content", year), { recursive: true });
    const first = runCli(["build", "--offline"], project);
    expect(first.code, first.stderr).toBe(0);
    previous = snapshot(path.join(project, "dist"));
    expect(Object.keys(previous)).toContain("index.html");
  });

  const expectUntouched = () => {
    expect(snapshot(path.join(project, "dist"))).toEqual(previous);
    // No staging folder left beside it either.
    expect(fs.readdirSync(project).filter((name) => name.startsWith(".dist"))).toEqual([]);
  };

  it("after a bad postmortem (exit 1)", () => {
    const bad = path.join(project, "content", "2024", "bad.md");
    fs.writeFileSync(bad, "---\ntitle: [unclosed\nseverity: SEV9\n---\n\n## Timeline\n");
    try {
      const result = runCli(["build", "--offline"], project);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("frontmatter/syntax");
      expectUntouched();
    } finally {
      fs.rmSync(bad);
    }
  });

  it("after a config file that is broken at the project root (exit 2)", () => {
    const config = path.join(project, "hindsight.config.json");
    fs.writeFileSync(config, '{"title": "unfinished",');
    try {
      const result = runCli(["build", "--offline"], project);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("hindsight.config.json");
      expectUntouched();
    } finally {
      fs.rmSync(config);
    }
  });

  it("after a config that cannot be found, read or used (exit 2 each, naming the file)", async () => {
    const configs = path.join(project, "configs");
    fs.mkdirSync(path.join(configs, "folder.json"), { recursive: true });
    const write = (name: string, text: string) => fs.writeFileSync(path.join(configs, name), text);
    write("unknown-key.json", '{"titel": "typo"}');
    write("wrong-type.json", '{"sections": "none"}');
    write("throws.mjs", 'throw new Error("config exploded");\n');
    write("getter.mjs", 'export default { get title() { throw new Error("getter exploded"); } };\n');
    write("missing-import.mjs", 'import "./nowhere.mjs";\nexport default {};\n');
    write("missing-theme.json", '{"theme": "no-such-theme"}');
    const cases: [string, RegExp][] = [
      ["configs/nowhere.json", /Config file not found: .*nowhere\.json/],
      ["configs/folder.json", /Cannot load config .*folder\.json/],
      ["configs/unknown-key.json", /unknown-key\.json[\s\S]*titel/],
      ["configs/wrong-type.json", /wrong-type\.json[\s\S]*sections/],
      ["configs/throws.mjs", /throws\.mjs: config exploded/],
      ["configs/getter.mjs", /getter\.mjs: getter exploded/],
      ["configs/missing-import.mjs", /missing-import\.mjs: Cannot find module/],
      ["configs/missing-theme.json", /Theme not found: .*no-such-theme/],
    ];
    // None of them gets as far as writing, so they can run at once.
    const runs = await Promise.all(cases.map(([config]) => runCliAsync(["build", "--offline", "--config", config], project)));
    runs.forEach((run, i) => {
      expect(run.stderr, cases[i]![0]).toMatch(cases[i]![1]);
      expect(run.stderr, cases[i]![0]).not.toMatch(/internal error|\n\s+at /);
      expect(run.code, `${cases[i]![0]}\n${run.stderr}`).toBe(2);
    });
    expectUntouched();
  });
});
