import fs from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { stemmer as english } from "stemmer";
import { STOPWORDS } from "../shared/search/tokenize.js";

type Stem = (word: string) => string;

/**
 * Snowball stemmers by language subtag (`de`, `pt-BR` → `pt`): the module of `@orama/stemmers`
 * for each. English keeps the Porter stemmer of the `stemmer` package. Each is a self-contained
 * ES module, served to the search client as `stemmer.js`, so the browser stems a query as the
 * index was stemmed. Only the archive's own is loaded (26 of them took 50–80 ms to import, in
 * every worker thread), through its CommonJS build, so that loading it stays synchronous.
 */
const SNOWBALL: Readonly<Record<string, string>> = {
  ar: "arabic",
  hy: "armenian",
  bg: "bulgarian",
  da: "danish",
  nl: "dutch",
  fi: "finnish",
  fr: "french",
  de: "german",
  el: "greek",
  hu: "hungarian",
  id: "indonesian",
  ga: "irish",
  it: "italian",
  lt: "lithuanian",
  ne: "nepali",
  no: "norwegian",
  nb: "norwegian",
  nn: "norwegian",
  pt: "portuguese",
  ro: "romanian",
  ru: "russian",
  sr: "serbian",
  es: "spanish",
  sv: "swedish",
  ta: "tamil",
  tr: "turkish",
  uk: "ukrainian",
};

/** The stemmer of a language without one: words are matched as written (Chinese, Japanese, Korean, …). */
const AS_WRITTEN = "export function stemmer(word) {\n  return word;\n}\n";

/** How the search index treats words of an archive's language. */
export interface Language {
  readonly stem: Stem;
  /** Words left out of the index: English has a list; other languages keep every word. */
  readonly stopwords: ReadonlySet<string> | undefined;
  /** The stemmer's ES module for the browser, exporting `stemmer`. */
  clientModule(): Buffer | string;
}

const require = createRequire(import.meta.url);

/** The search index's treatment of a language tag (`en`, `de-CH`, `ja`). */
export function languageOf(tag: string): Language {
  const [subtag = ""] = tag.toLowerCase().split("-");
  // The module's ES build is what the browser imports (`require` resolves to the CommonJS one).
  const esModule = (name: string) => () => fs.readFileSync(fileURLToPath(import.meta.resolve(name)));
  if (subtag === "en") return { stem: english, stopwords: STOPWORDS, clientModule: esModule("stemmer") };
  const snowball = SNOWBALL[subtag];
  if (!snowball) return { stem: (word) => word, stopwords: undefined, clientModule: () => AS_WRITTEN };
  const module = `@orama/stemmers/${snowball}`;
  const { stemmer } = require(module) as { stemmer: Stem };
  return { stem: stemmer, stopwords: undefined, clientModule: esModule(module) };
}
