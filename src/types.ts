import type { DocTerms } from "./search/terms.js";
import type { Root as MdastRoot } from "mdast";
import type { VFile } from "vfile";
import type { ActionItem } from "./stages/actions.js";
import type { FieldPlace } from "./stages/frontmatter.js";
import { getOrAdd } from "./util/lookup.js";

/** A postmortem file found in the content folder. */
export interface SourceFile {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the content folder, with `/` separators. */
  readonly relPath: string;
  /** The file's text, with a leading BOM removed and line endings as written; empty when the file is too big to read. */
  readonly text: string;
  /** Set, to the file's size, when it is over `limits.fileBytes`: it was not read. */
  readonly tooBig?: number | undefined;
  /** The content key of the text (`contentKey`), when discovery made it already. */
  readonly textKey?: string | undefined;
  /** True when the text is not held (`text` is empty; `textKey` is set): its stamp was unchanged since a build read it, or discovery keyed it and let it go. */
  readonly unread?: true | undefined;
}

/** The statuses a postmortem can have; drafts are left out of builds unless asked for. */
export const STATUSES = ["draft", "in-review", "final"] as const;

/** The status of a postmortem. */
export type Status = (typeof STATUSES)[number];

/** Normalised metadata of one postmortem, from frontmatter and fallbacks. */
export interface PostmortemMeta {
  readonly slug: string;
  readonly title: string;
  /** Where the title came from: the frontmatter, the first `#` heading, the first sentence (when the file name is a UUID, a hash or a number), or the file name. */
  readonly titleFrom: "frontmatter" | "heading" | "text" | "file";
  /** Incident start, ISO date (`2024-03-01`) or date-time (`2024-03-01T10:00:00Z`). */
  readonly date: string | undefined;
  readonly year: string | undefined;
  /** Severity id on the configured scale, or undefined when missing or unknown. */
  readonly severity: string | undefined;
  readonly services: readonly string[];
  readonly tags: readonly string[];
  readonly authors: readonly string[];
  readonly status: Status;
  readonly summary: string | undefined;
  readonly impact: string | undefined;
  readonly incidentId: string | undefined;
  /** Incident duration in minutes, from `duration` or `started`/`resolved`. */
  readonly durationMinutes: number | undefined;
  /** Minutes from `started` to `detected`, to `mitigated`, to `resolved`. */
  readonly timeToDetect: number | undefined;
  readonly timeToMitigate: number | undefined;
  readonly timeToResolve: number | undefined;
  /** Follow-ups from the corrective-measures task list. */
  readonly actions: readonly ActionItem[];
  /** The fields read from the text rather than the frontmatter (`date`, `severity`, …), each said in an info message. */
  readonly fromText: readonly string[];
  /** Every frontmatter field as written, unknown ones included (templates may use them). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Output of the parse stage. */
export interface ParsedPostmortem {
  readonly source: SourceFile;
  readonly file: VFile;
  readonly meta: PostmortemMeta;
  readonly tree: MdastRoot;
  /** Where each frontmatter field is written, for messages about it. */
  readonly places: ReadonlyMap<string, FieldPlace>;
  /** False when the frontmatter could not be read (its fields are then unknown, not missing). */
  readonly frontmatterOk: boolean;
  /** False when the body was refused unparsed (nested too deep): its sections are unknown. */
  readonly bodyOk: boolean;
}

/** A heading of the table of contents. */
export interface TocEntry {
  readonly id: string;
  readonly text: string;
  readonly depth: number;
}

/** A postmortem's body as its page shows it. */
export interface PageBody {
  readonly html: string;
  readonly toc: readonly TocEntry[];
  /** The body as plain words, for the search index. */
  readonly text: string;
}

/** Output of the render stage: a postmortem ready for the templates. */
export interface RenderedPostmortem {
  readonly source: Pick<SourceFile, "path" | "relPath">;
  readonly meta: PostmortemMeta;
  /**
   * Its body as its page shows it (links to other postmortems resolved): HTML, table of contents
   * and plain words. Read when asked for: a build makes again only the pages whose key changed.
   */
  readonly body: () => PageBody;
  /** `fragmentHash` of its search fragment, when known already (made from `body()` when absent). */
  readonly fragment?: string | undefined;
  /** Its search terms, counted when it was processed: held, or read back from the cache (counted from the body's text when absent). */
  readonly terms?: (() => DocTerms) | undefined;
  /** From git, when the archive is a git checkout: last change and its authors. */
  readonly history?: { readonly updated: string; readonly contributors: readonly string[] } | undefined;
  /** The "edit this postmortem" link, when `editUrl` is set. */
  readonly editUrl?: string | undefined;
  /** A hash of all its pages show of it: the file, the config it was processed with, the final body. */
  readonly key?: string | undefined;
  /** A hash of what lists show of it, its metadata (history and edit link aside): a change to its body alone leaves them as they were. */
  readonly listKey?: string | undefined;
}

/** One term of a taxonomy (a service, a severity level, a tag) and its postmortems. */
export interface Term {
  /** URL-safe key (`auth-service`, `sev1`). */
  readonly id: string;
  readonly label: string;
  readonly color?: string;
  readonly postmortems: readonly RenderedPostmortem[];
}

/** A taxonomy (`services`, `severity`, `tags`, …) with its terms in display order. */
export interface Taxonomy {
  readonly key: string;
  readonly label: string;
  /** What one term is called: `service`, `tag`, `level`. */
  readonly singular: string;
  readonly terms: readonly Term[];
  /** Term ids by normalised label (`termKey`), for links from postmortems to their terms. */
  readonly ids: ReadonlyMap<string, string>;
}

/** A file of the archive, ready to be written: path relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly contents: string | Uint8Array;
}

/**
 * A file of the archive made only when needed: `key` is a hash of everything it is made from,
 * so when the previous build wrote the same key the file is taken from it instead.
 */
export interface LazyOutputFile {
  readonly path: string;
  readonly key: string;
  render(): string | Uint8Array;
  /** The same text in pieces of whole characters, for a big file: written as they come, never held whole. */
  readonly chunks?: (() => Iterable<string>) | undefined;
  /** The postmortem (its `relPath`) whose body it is made from: see `bodiesTogether`. */
  readonly bodyOf?: string | undefined;
}

/** Any file of the archive. */
export type Output = OutputFile | LazyOutputFile;

/** The bytes of any output file, made now if it is lazy. */
export function contentsOf(file: Output): string | Uint8Array {
  return "render" in file ? file.render() : file.contents;
}

/**
 * The outputs in the order to make them: the files made from one postmortem's body (its page,
 * its search fragment) one after another, where the first of them is, so that the body read
 * back from the cache for the first is still at hand for the next (see `generate`). At 100,000
 * postmortems each body was read, parsed and checked twice, 100,000 files apart.
 */
export function bodiesTogether(outputs: readonly Output[]): Output[] {
  const groups = new Map<string, Output[]>();
  for (const file of outputs) {
    if ("key" in file && file.bodyOf !== undefined) getOrAdd(groups, file.bodyOf, () => []).push(file);
  }
  return outputs.flatMap((file) => {
    if (!("key" in file) || file.bodyOf === undefined) return [file];
    // The whole group where its first file is; nothing where the others were.
    const group = groups.get(file.bodyOf) ?? [];
    groups.delete(file.bodyOf);
    return group;
  });
}
