// The search page's result card (served beside the search client as card.js): the theme's
// template filled with one result, its excerpt marked where the query matched.
import type { Fragment, SearchMeta as Meta } from "./format.js";
import { excerpt, findMarks, type Piece } from "./highlight.js";
import type { Matched } from "./score.js";
import { stemmer } from "./stemmer.js";
import { STOPWORDS } from "./tokenize.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// Pages of the archive are linked from the search page, one folder below the root.
const toRoot = "../";
const template = document.querySelector<HTMLTemplateElement>("#SearchResultTemplate");

/**
 * A result, from the theme's `<template id="SearchResultTemplate">`: its `data-slot` elements
 * take the severity, date, title link, excerpt and services (the `service` slot is repeated).
 */
export function resultItem(m: Meta, f: Fragment, matched: Matched | undefined): HTMLElement {
  const item = template?.content.firstElementChild?.cloneNode(true) as HTMLElement | undefined;
  if (!item) return fallbackItem(f, matched, m);
  const slot = (name: string) => item.querySelector<HTMLElement>(`[data-slot="${name}"]`);
  const level = m.severities.find(([id]) => id === f.severity);
  const badge = slot("severity");
  if (badge) {
    badge.textContent = level ? level[1] : "Unrated";
    badge.classList.toggle("unrated", !level);
    if (level) badge.style.setProperty("--sev", level[2]);
  }
  const date = slot("date");
  if (date) {
    date.textContent = formatDate(f.date);
    if (f.date) date.setAttribute("datetime", f.date);
  }
  const link = slot("title");
  if (link) {
    link.textContent = f.title;
    link.setAttribute("href", toRoot + f.url);
  }
  slot("excerpt")?.append(...pieces(excerptOf(f, matched, m)));
  const service = slot("service");
  const list = service?.parentElement;
  if (service && list) {
    service.remove();
    for (const name of f.services) {
      const chip = service.cloneNode(true) as HTMLElement;
      (chip.querySelector(".chip") ?? chip).textContent = name;
      list.append(chip);
    }
    if (f.services.length === 0) list.remove();
  }
  return item;
}

/** A result for a theme whose search page has no result template: a link and the excerpt. */
function fallbackItem(f: Fragment, matched: Matched | undefined, m: Meta): HTMLElement {
  const item = element("li", "pm-item");
  const link = element("a", "", f.title);
  link.setAttribute("href", toRoot + f.url);
  const text = element("p", "excerpt");
  text.append(...pieces(excerptOf(f, matched, m)));
  item.append(link, text);
  return item;
}

/**
 * The excerpt of a result: from its summary and text, around the words the query matched; when
 * those are not in it, its tags and taxonomy values if they matched (`company: Heroku`).
 */
function excerptOf(f: Fragment, matched: Matched | undefined, m: Meta): Piece[] {
  // The summary leads, unless the text has it already (as its first section).
  const text = f.summary && !f.text.includes(f.summary) ? `${f.summary} ${f.text}` : f.text;
  if (!matched) return excerpt(text, []);
  const words = { stem: stemmer, stopwords: m.stopwords ? STOPWORDS : undefined };
  const marks = findMarks(text, matched, words);
  if (marks.length === 0 && f.terms.length > 0) {
    const terms = f.terms.join(" · ");
    const termMarks = findMarks(terms, matched, words);
    if (termMarks.length > 0) return excerpt(terms, termMarks);
  }
  return excerpt(text, marks);
}

function pieces(list: readonly Piece[]): (string | Node)[] {
  return list.map((piece) => (piece.marked ? element("mark", "", piece.text) : piece.text));
}

export function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatDate(iso: string | null): string {
  if (!iso) return "Undated";
  return `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1] ?? "?"} ${iso.slice(0, 4)}`;
}
