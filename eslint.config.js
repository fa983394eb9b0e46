// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: [".build/", "dist/", ".cache/", "node_modules/", "coverage/", ".scratch/", "test/fixtures/", "content/", "public/", "themes/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
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
);
