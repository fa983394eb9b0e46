import { readFileSync } from "node:fs";

/** Hindsight's version, from its package.json (the same path from src/ and from .build/). */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
