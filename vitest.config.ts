import fs from "node:fs";
import path from "node:path";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * tsconfig.client.json's rootDirs, for the tests that import the browser's modules from src/: a
 * module under src/client/ imports one under src/shared/ as its sibling (`./format.js` for
 * src/shared/search/format.ts), as the browser, which gets the two folders as one, does.
 */
function clientRootDirs(): Plugin {
  const client = path.resolve(import.meta.dirname, "src", "client");
  const shared = path.resolve(import.meta.dirname, "src", "shared");
  return {
    name: "hindsight:client-root-dirs",
    enforce: "pre",
    resolveId(source, importer) {
      if (!source.startsWith(".") || !importer?.startsWith(client + path.sep)) return null;
      const own = path.resolve(path.dirname(importer), source).replace(/\.js$/, ".ts");
      if (!own.startsWith(client + path.sep) || fs.existsSync(own)) return null;
      const twin = path.join(shared, path.relative(client, own));
      return fs.existsSync(twin) ? twin : null;
    },
  };
}

export default defineConfig({
  plugins: [clientRootDirs()],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
