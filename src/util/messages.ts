import type { Point } from "unist";
import type { VFile } from "vfile";
import type { VFileMessage } from "vfile-message";

/** How much a message weighs: an error fails the build, a warning only with `--strict`, an info never. */
export type Severity = "error" | "warning" | "info";

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
  /** Errors fail the build; warnings do not; an info says where a value came from, even under `--strict`. @default "warning" */
  readonly severity?: Severity;
  readonly cause?: Error;
}

/** Records a content problem as a vfile message (`fatal`: true for an error, false for a warning, undefined for an info, as vfile has it). */
export function addProblem(file: VFile, problem: Problem): VFileMessage {
  const message = file.message(problem.reason, {
    place: problem.place ?? { line: 1, column: 1 },
    ruleId: problem.ruleId,
    source: "hindsight",
    ...(problem.cause ? { cause: problem.cause } : {}),
  });
  message.note = problem.hint;
  message.fatal = problem.severity === "error" ? true : problem.severity === "info" ? undefined : false;
  return message;
}

/** True when a message is an error rather than a warning. */
export function isError(message: VFileMessage): boolean {
  return message.fatal === true;
}

/** A message's severity, from its `fatal` flag. */
export function severityOf(message: Pick<VFileMessage, "fatal">): Severity {
  return message.fatal === true ? "error" : message.fatal === false ? "warning" : "info";
}
