import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HindsightError, UsageError } from "../../src/errors.js";
import { BUILD_MARKER, writeOutput } from "../../src/write/index.js";
import { listFiles, snapshot, tempDir } from "../helpers.js";

describe("writeOutput", () => {
  it("writes files and public/ into the output folder, generated files winning", async () => {
    const root = tempDir();
    const publicDir = path.join(root, "public");
    fs.mkdirSync(publicDir);
    fs.writeFileSync(path.join(publicDir, "robots.txt"), "public");
    fs.writeFileSync(path.join(publicDir, "index.html"), "public index");
    const outDir = path.join(root, "dist");
    await writeOutput({ outDir, publicDir, protectedDirs: [root] }, [
      { path: "index.html", contents: "generated" },
      { path: "a/b/index.html", contents: "deep" },
    ]);
    expect(listFiles(outDir)).toEqual([BUILD_MARKER, "a/b/index.html", "index.html", "robots.txt"]);
    expect(fs.readFileSync(path.join(outDir, "index.html"), "utf8")).toBe("generated");
  });

  // Regression: a public file named like a generated folder (public/services) failed the
  // build with "Cannot write the archive … EEXIST"; a public folder named like a generated file, with EISDIR.
  it("leaves out public/ entries in the way of generated files or folders", async () => {
    const root = tempDir();
    const publicDir = path.join(root, "public");
    fs.mkdirSync(path.join(publicDir, "index.html"), { recursive: true });
    fs.writeFileSync(path.join(publicDir, "index.html", "inside.txt"), "public");
    fs.writeFileSync(path.join(publicDir, "services"), "public");
    fs.mkdirSync(path.join(publicDir, "services-extra"));
    fs.writeFileSync(path.join(publicDir, "services-extra", "kept.txt"), "public");
    const outDir = path.join(root, "dist");
    await writeOutput({ outDir, publicDir, protectedDirs: [root] }, [
      { path: "index.html", contents: "generated" },
      { path: "services/api/index.html", contents: "generated" },
    ]);
    expect(listFiles(outDir)).toEqual([BUILD_MARKER, "index.html", "services-extra/kept.txt", "services/api/index.html"]);
  });

  it("replaces a previous build whole, leaving no staging folder behind", async () => {
    const root = tempDir();
    const outDir = path.join(root, "dist");
    await writeOutput({ outDir, protectedDirs: [] }, [{ path: "old.html", contents: "old" }]);
    await writeOutput({ outDir, protectedDirs: [] }, [{ path: "new.html", contents: "new" }]);
    expect(listFiles(outDir)).toEqual([BUILD_MARKER, "new.html"]);
    expect(fs.readdirSync(root)).toEqual(["dist"]);
  });

  it("refuses a path that leaves the output folder, and leaves the previous build untouched", async () => {
    const root = tempDir();
    const outDir = path.join(root, "dist");
    await writeOutput({ outDir, protectedDirs: [] }, [{ path: "keep.html", contents: "keep" }]);
    for (const bad of ["../escape.html", "/etc/escape.html", "a/../../escape.html"]) {
      await expect(writeOutput({ outDir, protectedDirs: [] }, [{ path: bad, contents: "x" }])).rejects.toThrow(HindsightError);
    }
    expect(listFiles(outDir)).toEqual([BUILD_MARKER, "keep.html"]);
    expect(fs.readdirSync(root)).toEqual(["dist"]);
  });

  it("refuses to replace a folder it did not make, or one that holds the project", async () => {
    const root = tempDir();
    const outDir = path.join(root, "docs");
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(outDir, "handbook.md"), "precious");
    await expect(writeOutput({ outDir, protectedDirs: [] }, [])).rejects.toThrow(/not made by Hindsight/);
    await expect(writeOutput({ outDir: root, protectedDirs: [path.join(root, "content")] }, [])).rejects.toThrow(UsageError);
    expect(fs.readFileSync(path.join(outDir, "handbook.md"), "utf8")).toBe("precious");
  });

  // Regression: `--out notes.txt` moved the file aside, swapped a folder in, and deleted the file.
  it("refuses an output path that is a file, and leaves the file as it was", async () => {
    const root = tempDir();
    const notes = path.join(root, "notes.txt");
    fs.writeFileSync(notes, "precious");
    await expect(writeOutput({ outDir: notes, protectedDirs: [] }, [{ path: "index.html", contents: "x" }])).rejects.toThrow(
      /Refusing to use .*notes\.txt as the output folder: it is a file/,
    );
    expect(fs.readFileSync(notes, "utf8")).toBe("precious");
    expect(fs.readdirSync(root)).toEqual(["notes.txt"]);
  });
});

describe("a build killed mid-write", () => {
  it("leaves the previous archive as it was, and the next build removes its staging folder", async () => {
    const { spawn } = await import("node:child_process");
    const { repoRoot: root } = await import("../helpers.js");
    const project = tempDir();
    fs.cpSync(path.join(root, "content"), path.join(project, "content"), { recursive: true });
    const outDir = path.join(project, "dist");
    await writeOutput({ outDir, protectedDirs: [] }, [
      { path: "index.html", contents: "previous" },
      { path: "images/a.png", contents: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]) },
    ]);
    const previous = snapshot(outDir);
    // A build that is killed as soon as its staging folder appears.
    const child = spawn(process.execPath, [path.join(root, ".build/cli.js"), "build", "--offline"], { cwd: project, stdio: "ignore" });
    const staging = await new Promise<string>((resolve) => {
      const timer = setInterval(() => {
        const found = fs.readdirSync(project).find((name) => name.startsWith(".dist.tmp-"));
        if (found) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve(found);
        }
      }, 1);
    });
    await new Promise((resolve) => child.on("exit", resolve));
    expect(snapshot(outDir)).toEqual(previous);
    expect(fs.existsSync(path.join(project, staging))).toBe(true);
    // The next build cleans up after the dead one.
    await writeOutput({ outDir, protectedDirs: [] }, [{ path: "index.html", contents: "next" }]);
    expect(
      fs
        .readdirSync(project)
        .filter((name) => name !== ".cache")
        .sort(),
    ).toEqual(["content", "dist"]);
    expect(fs.readFileSync(path.join(outDir, "index.html"), "utf8")).toBe("next");
  });
});

describe("staging folders left beside the output folder", () => {
  it("are removed when their writer is gone, and kept while a writer elsewhere may be alive", async () => {
    const root = tempDir();
    const outDir = path.join(root, "dist");
    await writeOutput({ outDir, protectedDirs: [] }, [{ path: "index.html", contents: "first" }]);
    // A build in another pid namespace (another container on the same volume), writing now.
    const elsewhere = path.join(root, ".dist.tmp-1-4026531999-abcdef");
    fs.mkdirSync(elsewhere);
    // An earlier build of this namespace, killed: its pid is not running.
    const namespace = /\[(\d+)\]/.exec(fs.readlinkSync("/proc/self/ns/pid"))![1];
    const killed = path.join(root, `.dist.tmp-999999999-${namespace}-abcdef`);
    fs.mkdirSync(killed);
    await writeOutput({ outDir, protectedDirs: [] }, [{ path: "index.html", contents: "second" }]);
    expect(fs.existsSync(elsewhere)).toBe(true);
    expect(fs.existsSync(killed)).toBe(false);
    // Untouched for minutes, it is abandoned, wherever its writer was.
    const old = new Date(Date.now() - 5 * 60_000);
    fs.utimesSync(elsewhere, old, old);
    await writeOutput({ outDir, protectedDirs: [] }, [{ path: "index.html", contents: "third" }]);
    expect(fs.readdirSync(root)).toEqual(["dist"]);
  });
});
