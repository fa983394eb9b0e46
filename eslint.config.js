// @ts-check
import { defineConfig } from "eslint/config";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

export default defineConfig(
  { ignores: [".build/", "dist/", ".cache/", "node_modules/", "coverage/", ".scratch/", "test/fixtures/", "content/", "public/", "themes/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      // The config files are in no project (tsconfig.node.json's root is src/): checked on their own with the tests' options (Node's types, strict).
      parserOptions: {
        projectService: { allowDefaultProject: ["eslint.config.js", "vitest.config.ts"], defaultProject: "test/tsconfig.json" },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Counts, sizes and line numbers are what messages quote: a number reads the same in any template.
      // The other options as strictTypeChecked has them: options given replace the rule's whole default, which allows nullish, any, booleans.
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowAny: false, allowBoolean: false, allowNever: false, allowNullish: false, allowRegExp: false },
      ],
      // Destructuring a key beside a rest element is how an object is copied without it (`{ strict: _, ...overrides }`).
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  prettier,
  // Tests are checked as strictly as src/ (test/tsconfig.json gives the types), but for what is a test's own way of saying things.
  {
    files: ["test/**/*.ts"],
    rules: {
      // A test reads what it has just asserted or made (`result.files[0]!`): when it is not there, the TypeError fails the test, as it should.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Tests print messages to compare them (`${m.line}:${m.column} ${m.ruleId}`): an absent line or rule id should read "undefined" in the failure.
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowNullish: true, allowAny: false, allowBoolean: false, allowNever: false, allowRegExp: false },
      ],
      // `(text) => expect(parse(text)).toBe(iso)` and `afterAll(() => server.close())`: callbacks whose result no one reads, written short.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
    },
  },
  // Scripts in plain JavaScript (the benchmarks, the CLI's test host): no types to check them with, so the rules that need none.
  {
    files: ["test/**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  // The benchmarks drive Chromium: the functions they hand to the page run there.
  { files: ["test/bench/**/*.mjs"], languageOptions: { globals: globals.browser } },
);
