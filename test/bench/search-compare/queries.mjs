// search-compare's queries, made from an archive at run time (nothing of it is committed): the
// known-item queries and their answers, and the taxonomy terms with the postmortems each lists.
import fs from "node:fs";
import path from "node:path";
import matter from "gray-matter";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { stemmer } from "stemmer";
import { unified } from "unified";

export const DEFAULT_TAXONOMIES = ["services", "severity", "tags"];
export const KINDS = ["word", "two", "inflected", "word", "three", "inflected", "two", "word", "inflected", "two"];
/** The most postmortems, as a share of the archive, a query's words may be in (at least one): an inflected word is in its postmortem only. */
const MAX_DF = { word: 0.0125, two: 0.05, three: 0.1, inflected: 0 };
/** Words too common to be a known item's, whatever their count in a small archive. */
const COMMON = new Set(
  (
    "about above after again against also because before being below between both could does doing down during each " +
    "always even every first from further have here however into just last later made many more most much must never next " +
    "only onto other over same several should since some still such than that their them then there these they this " +
    "those through under until upon very were what when where which while will with within without would your"
  ).split(" "),
);
export const WORD = /[\p{L}\p{N}]+/gu;

/** Every postmortem of the build: its page's key (path without index.html), title and the words of its text. */
export function readPostmortems(dist, content) {
  const exported = JSON.parse(fs.readFileSync(path.join(dist, "postmortems.json"), "utf8")).postmortems;
  const markdown = unified().use(remarkParse).use(remarkGfm);
  return exported
    .map((p) => {
      const source = fs.readFileSync(path.join(content, p.source), "utf8");
      let body = source;
      try {
        body = matter(source).content;
      } catch {
        // Frontmatter gray-matter cannot read: the whole file is the body.
      }
      const text = `${p.summary ?? ""}\n${visibleText(markdown.parse(body))}`;
      const words = new Set(text.toLowerCase().match(WORD) ?? []);
      // Candidate query words: plain lower-case or capitalised words, not parts of a hyphenated,
      // dotted or camel-cased token, which the two engines split differently.
      const plain = new Map();
      const named = new Set();
      for (const [token] of text.matchAll(/[\p{L}\p{N}]+(?:['’._\-/@][\p{L}\p{N}]+)*/gu)) {
        if (!/^[A-Z]?[a-z]{4,}$/.test(token)) continue;
        plain.set(token.toLowerCase(), (plain.get(token.toLowerCase()) ?? 0) + 1);
        if (token[0] !== token[0].toLowerCase()) named.add(token.toLowerCase());
      }
      const titleStems = new Set((p.title.toLowerCase().match(WORD) ?? []).map(stemmer));
      return {
        key: keyOf(p.url),
        url: p.url,
        title: p.title,
        words,
        stems: new Set([...words].map(stemmer)),
        plain: [...plain.keys()].sort(),
        counts: plain,
        named,
        titleStems,
      };
    })
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * The text a reader sees of a Markdown tree, blocks and table cells apart (mdast-util-to-string
 * glues them: "failed" + "Context" → "failedContext"); not raw HTML's tags, nor images' alt text.
 */
export function visibleText(node) {
  if (node.type === "text" || node.type === "inlineCode" || node.type === "code") return node.value;
  if (node.type === "break") return "\n";
  const parts = (node.children ?? []).map(visibleText);
  return ["paragraph", "heading", "emphasis", "strong", "delete", "link", "linkReference"].includes(node.type) ? parts.join("") : parts.join("\n");
}

/** A page's path from the site's root without a final index.html: how results are compared. */
export function keyOf(url) {
  return decodeURIComponent(new URL(url, "http://x/").pathname.slice(1)).replace(/index\.html$/, "");
}

/** About `wanted` known-item queries, made from the postmortems in a seeded order, cycling through KINDS. */
export function knownItemQueries(docs, wanted, seed) {
  const df = new Map();
  for (const doc of docs) {
    for (const stem of doc.stems) df.set(stem, (df.get(stem) ?? 0) + 1);
  }
  const rand = random(seed);
  const order = shuffle(rand, docs);
  const queries = [];
  const used = new Set();
  for (let pass = 0, added = true; added && queries.length < wanted; pass++) {
    added = false;
    for (const doc of order) {
      if (queries.length >= wanted) break;
      const first = KINDS[(queries.length + pass) % KINDS.length];
      for (const kind of [first, ...new Set(KINDS)].filter((k, i, all) => all.indexOf(k) === i)) {
        const most = Math.max(1, Math.floor(MAX_DF[kind] * docs.length));
        const usable = doc.plain.filter((w) => !COMMON.has(w) && !doc.titleStems.has(stemmer(w)) && df.get(stemmer(w)) <= most);
        // Words it repeats first: what a reader remembers of a postmortem is what it is about.
        const repeated = usable.filter((w) => doc.counts.get(w) > 1);
        const text = makeQuery(kind, repeated.length >= 3 ? repeated : usable, doc, rand, used);
        if (!text) continue;
        queries.push({ kind, text, answer: doc.key });
        used.add(text);
        added = true;
        break;
      }
    }
  }
  return queries;
}

/** One query of `kind` from the postmortem's usable words, not one already `used`; undefined when it has none. */
export function makeQuery(kind, usable, doc, rand, used) {
  if (kind === "inflected") {
    // Not names: a word it writes capitalised (Telia) has no plural.
    const forms = usable.filter((w) => !doc.named.has(w)).flatMap((word) => inflections(word).filter((f) => !doc.words.has(f) && !used.has(f)));
    return forms.length ? pick(rand, forms) : undefined;
  }
  const count = { word: 1, two: 2, three: 3 }[kind];
  const byStem = [...new Map(usable.map((w) => [stemmer(w), w])).values()];
  if (byStem.length < count) return undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const text = shuffle(rand, byStem).slice(0, count).join(" ");
    if (!used.has(text)) return text;
  }
  return undefined;
}

/**
 * Another form of an inflected word with the same stem (-ed → -ing, plural → singular), if any.
 * Only these: adding an -s to any word, or -ed to an -ing (nothing, building), makes too many
 * that are not words.
 */
export function inflections(word) {
  const rules = [
    [/ied$/, "ying"],
    [/ed$/, "ing"],
    [/ies$/, "y"],
    [/(x|z|ch|sh)es$/, "$1"],
    [/([^aeious])es$/, "$1e"],
    [/([^suie])s$/, "$1"],
  ];
  const [pattern, replacement] = rules.find(([pattern]) => pattern.test(word)) ?? [/$/, ""];
  const form = word.replace(pattern, replacement);
  return form !== word && stemmer(form) === stemmer(word) ? [form] : [];
}

/** The terms of a taxonomy: label (its page's <h1>) and the keys of the postmortems its page lists. */
export function termsOf(dist, taxonomy, docs) {
  const folder = path.join(dist, taxonomy);
  if (!fs.existsSync(folder)) return [];
  const pages = new Set(docs.map((d) => d.key));
  return fs
    .readdirSync(folder)
    .sort()
    .filter((name) => fs.existsSync(path.join(folder, name, "index.html")))
    .map((name) => {
      const html = fs.readFileSync(path.join(folder, name, "index.html"), "utf8");
      const here = `${taxonomy}/${name}/index.html`;
      const listed = [...html.matchAll(/href="([^"]+)"/g)]
        .map((m) => keyOf(new URL(m[1].replace(/&amp;/g, "&"), `http://x/${here}`).href))
        .filter((k) => pages.has(k));
      return { text: decodeEntities(/<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1] ?? name), expected: [...new Set(listed)] };
    })
    .filter((t) => t.expected.length > 0);
}

export function decodeEntities(text) {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]);
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same queries on every run. */
export function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick(rand, items) {
  return items[Math.floor(rand() * items.length)];
}

export function shuffle(rand, items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function sample(items, n, seed) {
  return n >= items.length
    ? items
    : shuffle(random(seed), items)
        .slice(0, n)
        .sort((a, b) => a.text.localeCompare(b.text));
}
