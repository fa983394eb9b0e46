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

describe("an update in place of the previous build", () => {
  const archive = (changes: Record<string, string | undefined> = {}) => {
    const files = new Map(Array.from({ length: 40 }, (_, i) => [`pages/${i}/index.html`, `page ${i}`]));
    files.set("index.html", "home");
    for (const [file, contents] of Object.entries(changes)) {
      if (contents === undefined) files.delete(file);
      else files.set(file, contents);
    }
    return [...files].map(([file, contents]) => ({ path: file, contents }));
  };
  const setup = async () => {
    const root = tempDir();
    const target = { outDir: path.join(root, "dist"), protectedDirs: [], manifestFile: path.join(root, ".cache", "outputs.json") };
    await writeOutput(target, archive());
    return { root, target, ino: (file = "") => fs.statSync(path.join(target.outDir, file)).ino };
  };

  it("writes only the files that changed, leaving the folder and the other files as they were", async () => {
    const { root, target, ino } = await setup();
    const folder = ino();
    const kept = ino("pages/1/index.html");
    const replaced = ino("index.html");
    await writeOutput(target, archive({ "index.html": "new home", "pages/0/index.html": undefined, "extra/new/index.html": "added" }));
    // Not swapped: the same folder, and the same file for what did not change.
    expect(ino()).toBe(folder);
    expect(ino("pages/1/index.html")).toBe(kept);
    expect(ino("index.html")).not.toBe(replaced);
    expect(fs.readFileSync(path.join(target.outDir, "index.html"), "utf8")).toBe("new home");
    expect(fs.readFileSync(path.join(target.outDir, "extra/new/index.html"), "utf8")).toBe("added");
    // The removed page and the folder it leaves empty are gone.
    expect(fs.existsSync(path.join(target.outDir, "pages/0"))).toBe(false);
    expect(snapshot(target.outDir)).toEqual(
      snapshot(await fresh(archive({ "index.html": "new home", "pages/0/index.html": undefined, "extra/new/index.html": "added" }))),
    );
    // Nothing left beside the output folder (staging, lock), and the next build knows it.
    expect(fs.readdirSync(root).sort()).toEqual([".cache", "dist"]);
    const again = ino("index.html");
    await writeOutput(target, archive({ "index.html": "new home", "pages/0/index.html": undefined, "extra/new/index.html": "added" }));
    expect(ino("index.html")).toBe(again);
  });

  it("writes a page longer than a slice with the bytes of its whole text, in place or whole, and knows its size the next time", async () => {
    const { root, target, ino } = await setup();
    // A surrogate pair across the first cut, two- and three-byte characters, a lone surrogate.
    const big = `${"a".repeat(2 ** 20 - 1)}😀${"é—".repeat(2 ** 19)}\uD800z`;
    const folder = ino();
    await writeOutput(target, archive({ "index.html": big }));
    const whole = { ...target, outDir: path.join(root, "whole"), manifestFile: path.join(root, ".cache", "whole.json") };
    await writeOutput(whole, archive({ "index.html": big }));
    expect(ino()).toBe(folder);
    for (const outDir of [target.outDir, whole.outDir]) {
      expect(fs.readFileSync(path.join(outDir, "index.html")).equals(Buffer.from(big))).toBe(true);
    }
    // The size each manifest holds is the file's: the next build keeps the file as it is.
    const [inPlace, swapped] = [ino("index.html"), fs.statSync(path.join(whole.outDir, "index.html")).ino];
    await writeOutput(target, archive({ "index.html": big }));
    await writeOutput(whole, archive({ "index.html": big }));
    expect([ino("index.html"), fs.statSync(path.join(whole.outDir, "index.html")).ino]).toEqual([inPlace, swapped]);
  });

  it("fails whole when a file given in pieces fails midway, in place or whole: the previous build stays, no file is left open", async () => {
    const { root, target } = await setup();
    const before = snapshot(target.outDir);
    const openFiles = () => fs.readdirSync("/proc/self/fd").length;
    const opened = openFiles();
    const failing = {
      path: "index.html",
      key: "failing",
      render: () => "never",
      *chunks() {
        yield "x".repeat(2 ** 20 + 1);
        throw new HindsightError("The cached body of a.md changed during the build");
      },
    };
    const files = archive().map((file) => (file.path === "index.html" ? failing : file));
    await expect(writeOutput(target, files)).rejects.toThrow("The cached body of a.md changed during the build");
    const whole = { ...target, outDir: path.join(root, "whole"), manifestFile: path.join(root, ".cache", "whole.json") };
    await writeOutput(whole, archive());
    await expect(writeOutput(whole, files)).rejects.toThrow("The cached body of a.md changed during the build");
    expect(snapshot(target.outDir)).toEqual(before);
    expect(snapshot(whole.outDir)).toEqual(before);
    expect(fs.readdirSync(root).sort()).toEqual([".cache", "dist", "whole"]);
    expect(openFiles()).toBe(opened);
  });

  it("makes a new folder when more files change than an update in place may replace", async () => {
    const { target, ino } = await setup();
    // 300 pages more, then all of them changed.
    const more = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`more/${i}.html`, `more ${i}`]));
    await writeOutput(target, archive(more));
    const folder = ino();
    const changes = Object.fromEntries(Object.keys(more).map((file) => [file, `changed ${file}`]));
    await writeOutput(target, archive(changes));
    expect(ino()).not.toBe(folder);
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive(changes))));
  });

  it("does not trust a folder changed since the manifest was saved: a file cut by hand is made again", async () => {
    const { target } = await setup();
    const page = path.join(target.outDir, "pages/3/index.html");
    fs.writeFileSync(page, "cut");
    await writeOutput(target, archive({ "index.html": "new home" }));
    expect(fs.readFileSync(page, "utf8")).toBe("page 3");
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive({ "index.html": "new home" }))));
  });

  it("makes the folder anew when an update in place fails halfway (a file in the way of a new folder)", async () => {
    const { target, ino } = await setup();
    const folder = ino();
    // Put there by hand, below the top, where the folder's identity does not see it.
    fs.writeFileSync(path.join(target.outDir, "pages", "extra"), "in the way");
    const changes = { "index.html": "new home", "pages/extra/index.html": "a new page" };
    await writeOutput(target, archive(changes));
    expect(ino()).not.toBe(folder);
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive(changes))));
  });

  it("does not trust a manifest that names a file outside the output folder", async () => {
    const { root, target, ino } = await setup();
    const outside = path.join(root, "outside.html");
    fs.writeFileSync(outside, "not the archive's");
    const manifest = JSON.parse(fs.readFileSync(target.manifestFile, "utf8")) as { files: Record<string, unknown> };
    manifest.files["../outside.html"] = ["x", 17];
    fs.writeFileSync(target.manifestFile, JSON.stringify(manifest));
    const folder = ino();
    await writeOutput(target, archive({ "index.html": "new home" }));
    // Made anew (the manifest was not used), and the file outside left alone.
    expect(ino()).not.toBe(folder);
    expect(fs.readFileSync(outside, "utf8")).toBe("not the archive's");
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive({ "index.html": "new home" }))));
  });

  it("makes the folder anew when a folder stands where the previous build wrote a file", async () => {
    const { target, ino } = await setup();
    const folder = ino();
    const page = path.join(target.outDir, "pages/3/index.html");
    fs.rmSync(page);
    fs.mkdirSync(page);
    await writeOutput(target, archive({ "index.html": "new home" }));
    expect(ino()).not.toBe(folder);
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive({ "index.html": "new home" }))));
  });

  it("refuses two files at one path, as a whole build does", async () => {
    const { target } = await setup();
    const files = [...archive({ "index.html": "new home" }), { path: "index.html", contents: "again" }];
    await expect(writeOutput(target, files)).rejects.toThrow(/Two output files share the path index.html/);
    expect(fs.readFileSync(path.join(target.outDir, "index.html"), "utf8")).toBe("home");
  });

  it("breaks the lock of a build that was killed, and waits for one that is running", async () => {
    const { root, target } = await setup();
    const lock = path.join(root, ".dist.lock");
    // A pid that is not running, a while ago: the lock is stale.
    fs.writeFileSync(lock, "999999999 0123456789abcdef");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    await writeOutput(target, archive({ "index.html": "after a dead build" }));
    expect(fs.readFileSync(path.join(target.outDir, "index.html"), "utf8")).toBe("after a dead build");
    expect(fs.existsSync(lock)).toBe(false);
    // A lock held by a live process (this one, as far as the file says): the swap waits for it.
    fs.writeFileSync(lock, String(process.ppid));
    const changes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pages/${i}/index.html`, `waited ${i}`]));
    let settled = false;
    const writing = writeOutput(target, archive(changes)).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    fs.rmSync(lock);
    await writing;
    expect(fs.readFileSync(path.join(target.outDir, "pages/0/index.html"), "utf8")).toBe("waited 0");
  });
});

/** The same files written to a fresh folder, to compare an updated folder with. */
async function fresh(files: { path: string; contents: string }[]): Promise<string> {
  const outDir = path.join(tempDir(), "dist");
  await writeOutput({ outDir, protectedDirs: [] }, files);
  return outDir;
}
