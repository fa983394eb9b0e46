// The `stemmer` package's module, served beside the search client as stemmer.js.
/** Porter stemmer: `retries` → `retri`. */
export function stemmer(value: string): string;
