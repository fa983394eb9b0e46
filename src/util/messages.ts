import type { Point } from "unist";
import type { VFile } from "vfile";
import type { VFileMessage } from "vfile-message";

/** What a stage or rule says about a content problem. */
export interface Problem {
  /** "Unexpected X, expected Y" or a plain statement of what is wrong. */
  readonly reason: string;
  /** Stable rule id, e.g. `frontmatter/syntax`. */
  readonly ruleId: string;
  /** Where: 1-based line and column; defaults to the file's start. */
  readonly place?: Point | undefined;
  /** How to fix it, in one sentence. */
  readonly hint: string;
  /** Errors fail the build; warnings do not. @default "warning" */
  readonly severity?: "error" | "warning";
  readonly cause?: Error;
}

/** Records a content problem as a vfile message (`fatal` marks an error). */
export function report(file: VFile, problem: Problem): VFileMessage {
  const message = file.message(problem.reason, {
    place: problem.place ?? { line: 1, column: 1 },
    ruleId: problem.ruleId,
    source: "hindsight",
    ...(problem.cause ? { cause: problem.cause } : {}),
  });
  message.note = problem.hint;
  message.fatal = problem.severity === "error";
  return message;
}

/** True when a message is an error rather than a warning. */
export function isError(message: VFileMessage): boolean {
  return message.fatal === true;
}
