import type { PostmortemRecord } from "./record.js";

/**
 * One copy of each string that many records repeat, for the records a build holds. A record
 * comes from a worker (structured clone) or from the cache (JSON), each with its own copies: at
 * 10,000 postmortems, 11 MB of an 85 MB heap were copies of the same strings (a warning's text
 * and hint 7,000 times, `frontmatter`, `final`, `SEV3`, a service's name). Fewer bytes held
 * through the write stage is also less for every collection to go through.
 */
export class SharedStrings {
  private readonly strings = new Map<string, string>();

  /** The record with its messages, and its meta's values that are few across an archive, shared. */
  record(record: PostmortemRecord): PostmortemRecord {
    const { meta } = record;
    return {
      ...record,
      meta: {
        ...meta,
        titleFrom: this.one(meta.titleFrom),
        year: this.maybe(meta.year),
        severity: this.maybe(meta.severity),
        status: this.one(meta.status),
        services: meta.services.map((s) => this.one(s)),
        tags: meta.tags.map((s) => this.one(s)),
        authors: meta.authors.map((s) => this.one(s)),
      },
      messages: record.messages.map((m) => ({ ...m, reason: this.one(m.reason), ruleId: this.maybe(m.ruleId), note: this.maybe(m.note) })),
    };
  }

  private one<T extends string>(text: T): T {
    const known = this.strings.get(text);
    if (known !== undefined) return known as T;
    this.strings.set(text, text);
    return text;
  }

  private maybe(text: string | undefined): string | undefined {
    return text === undefined ? undefined : this.one(text);
  }
}
