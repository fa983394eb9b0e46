import { spawnSync } from "node:child_process";
import path from "node:path";
import type { TestProject } from "vitest/node";

const repoRoot = path.resolve(import.meta.dirname, "..");

/**
 * Compiles src/ into .build/ (`npm run compile`, incremental) before any test runs, and again
 * before each rerun in watch mode. Tests import src/ directly, but the worker pool, the search
 * and dev clients, the CLI children and the lock's child processes run .build/: without this, a
 * stale .build/ could pass or fail them. A compile error stops the run before the first test.
 */
export default function setup(project: TestProject): void {
  compile();
  project.onTestsRerun(() => compile());
}

function compile(): void {
  const result = spawnSync("npm", ["run", "compile", "--silent"], { cwd: repoRoot, encoding: "utf8" });
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim() || String(result.error);
    throw new Error(`npm run compile failed (exit ${result.status}): the tests run .build/ (the worker pool, the CLI), so none ran.\n${output}`);
  }
}
