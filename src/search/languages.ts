import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { stemmer as english } from "stemmer";
import { stemmer as arabic } from "@orama/stemmers/arabic";
import { stemmer as armenian } from "@orama/stemmers/armenian";
import { stemmer as bulgarian } from "@orama/stemmers/bulgarian";
import { stemmer as danish } from "@orama/stemmers/danish";
import { stemmer as dutch } from "@orama/stemmers/dutch";
import { stemmer as finnish } from "@orama/stemmers/finnish";
import { stemmer as french } from "@orama/stemmers/french";
import { stemmer as german } from "@orama/stemmers/german";
import { stemmer as greek } from "@orama/stemmers/greek";
import { stemmer as hungarian } from "@orama/stemmers/hungarian";
import { stemmer as indonesian } from "@orama/stemmers/indonesian";
import { stemmer as irish } from "@orama/stemmers/irish";
import { stemmer as italian } from "@orama/stemmers/italian";
import { stemmer as lithuanian } from "@orama/stemmers/lithuanian";
import { stemmer as nepali } from "@orama/stemmers/nepali";
import { stemmer as norwegian } from "@orama/stemmers/norwegian";
import { stemmer as portuguese } from "@orama/stemmers/portuguese";
import { stemmer as romanian } from "@orama/stemmers/romanian";
import { stemmer as russian } from "@orama/stemmers/russian";
import { stemmer as serbian } from "@orama/stemmers/serbian";
import { stemmer as spanish } from "@orama/stemmers/spanish";
import { stemmer as swedish } from "@orama/stemmers/swedish";
import { stemmer as tamil } from "@orama/stemmers/tamil";
import { stemmer as turkish } from "@orama/stemmers/turkish";
import { stemmer as ukrainian } from "@orama/stemmers/ukrainian";
import { STOPWORDS } from "./client/tokenize.js";

type Stem = (word: string) => string;

/**
 * Snowball stemmers by language subtag (`de`, `pt-BR` → `pt`), from `@orama/stemmers`; English
 * keeps the Porter stemmer of the `stemmer` package. Each is a self-contained ES module, served
 * to the search client as `stemmer.js`, so the browser stems a query as the index was stemmed.
 */
const STEMMERS: Readonly<Record<string, { stem: Stem; module: string }>> = {
  en: { stem: english, module: "stemmer" },
  ar: { stem: arabic, module: "@orama/stemmers/arabic" },
  hy: { stem: armenian, module: "@orama/stemmers/armenian" },
  bg: { stem: bulgarian, module: "@orama/stemmers/bulgarian" },
  da: { stem: danish, module: "@orama/stemmers/danish" },
  nl: { stem: dutch, module: "@orama/stemmers/dutch" },
  fi: { stem: finnish, module: "@orama/stemmers/finnish" },
  fr: { stem: french, module: "@orama/stemmers/french" },
  de: { stem: german, module: "@orama/stemmers/german" },
  el: { stem: greek, module: "@orama/stemmers/greek" },
  hu: { stem: hungarian, module: "@orama/stemmers/hungarian" },
  id: { stem: indonesian, module: "@orama/stemmers/indonesian" },
  ga: { stem: irish, module: "@orama/stemmers/irish" },
  it: { stem: italian, module: "@orama/stemmers/italian" },
  lt: { stem: lithuanian, module: "@orama/stemmers/lithuanian" },
  ne: { stem: nepali, module: "@orama/stemmers/nepali" },
  no: { stem: norwegian, module: "@orama/stemmers/norwegian" },
  nb: { stem: norwegian, module: "@orama/stemmers/norwegian" },
  nn: { stem: norwegian, module: "@orama/stemmers/norwegian" },
  pt: { stem: portuguese, module: "@orama/stemmers/portuguese" },
  ro: { stem: romanian, module: "@orama/stemmers/romanian" },
  ru: { stem: russian, module: "@orama/stemmers/russian" },
  sr: { stem: serbian, module: "@orama/stemmers/serbian" },
  es: { stem: spanish, module: "@orama/stemmers/spanish" },
  sv: { stem: swedish, module: "@orama/stemmers/swedish" },
  ta: { stem: tamil, module: "@orama/stemmers/tamil" },
  tr: { stem: turkish, module: "@orama/stemmers/turkish" },
  uk: { stem: ukrainian, module: "@orama/stemmers/ukrainian" },
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

/** The search index's treatment of a language tag (`en`, `de-CH`, `ja`). */
export function languageOf(tag: string): Language {
  const subtag = tag.toLowerCase().split("-")[0]!;
  const known = STEMMERS[subtag];
  if (!known) return { stem: (word) => word, stopwords: undefined, clientModule: () => AS_WRITTEN };
  return {
    stem: known.stem,
    stopwords: subtag === "en" ? STOPWORDS : undefined,
    // The module's ES build, as the browser imports it (`require` would resolve to CommonJS).
    clientModule: () => fs.readFileSync(fileURLToPath(import.meta.resolve(known.module))),
  };
}
