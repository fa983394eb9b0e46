import type { PostmortemMeta } from "../types.js";
import type { MessageRecord, PostmortemRecord } from "./record.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One copy of each string that many records repeat, for the records a build holds. A record
 * comes from a worker (structured clone) or from the cache (JSON), each with its own copies: at
 * 10,000 postmortems, 11 MB of an 85 MB heap were copies of the same strings (a warning's text
 * and hint 7,000 times, `frontmatter`, `final`, `SEV3`, a service's name). Fewer bytes held
 * through the write stage is also less for every collection to go through.
 */
export class SharedStrings {
  private readonly strings = new Map<string, string>();

  /**
   * The record, its messages and its meta's values that are few across an archive made to share
   * their strings, in place: the record is this build's own (a worker's clone, or parsed from
   * the cache), and a copy made by spreading took a hidden class of its own (see pool.test.ts).
   */
  record(record: PostmortemRecord): PostmortemRecord {
    const meta = record.meta as Mutable<PostmortemMeta>;
    meta.titleFrom = this.one(meta.titleFrom);
    meta.year = this.maybe(meta.year);
    meta.severity = this.maybe(meta.severity);
    meta.status = this.one(meta.status);
    for (const list of [meta.services, meta.tags, meta.authors] as string[][]) list.forEach((value, i) => (list[i] = this.one(value)));
    for (const message of record.messages as Mutable<MessageRecord>[]) {
      message.reason = this.one(message.reason);
      message.ruleId = this.maybe(message.ruleId);
      message.note = this.maybe(message.note);
    }
    return record;
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
