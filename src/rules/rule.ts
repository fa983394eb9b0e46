import type { Point } from "unist";
import type { ResolvedConfig } from "../config.js";
import type { ParsedPostmortem } from "../types.js";
import { addProblem as record } from "../util/messages.js";

/** What a rule sees: one parsed postmortem and the configuration. */
export interface RuleContext {
  readonly pm: ParsedPostmortem;
  readonly config: ResolvedConfig;
  /** Content-relative paths of every postmortem of the archive, for rules about links. */
  readonly sources: ReadonlySet<string>;
  /** Where a frontmatter field's value is written, or the file's first line when it is absent (a function, not a method: rules destructure it). */
  readonly placeOf: (field: string) => Point;
}

/** A problem as a rule states it; the wrapper adds the rule id and severity. */
export interface RuleProblem {
  readonly reason: string;
  readonly place?: Point | undefined;
  readonly hint: string;
}

/** A validation rule, created with `lintRule`. */
export interface Rule {
  readonly id: string;
  check(context: RuleContext): void;
}

/** How a rule is declared. */
export interface RuleMeta {
  /** Rule id, as shown in messages and documented in the README (`frontmatter/required`). */
  readonly id: string;
  readonly severity: "error" | "warning";
  /** In a `status: draft` postmortem this rule's errors are only warnings. */
  readonly lenientInDrafts?: boolean;
  /** Frontmatter rules have nothing to say about a frontmatter that could not be read. */
  readonly needsFrontmatter?: boolean;
  /** Body rules have nothing to say about a body that was not parsed. */
  readonly needsBody?: boolean;
}

/**
 * Wraps a rule body once (like unified-lint-rule), stamping rule id and severity on every
 * message so that each rule stays a few lines.
 */
export function lintRule(meta: RuleMeta, body: (context: RuleContext, report: (problem: RuleProblem) => void) => void): Rule {
  return {
    id: meta.id,
    check(context) {
      if ((meta.needsFrontmatter && !context.pm.frontmatterOk) || (meta.needsBody && !context.pm.bodyOk)) return;
      const lenient = meta.lenientInDrafts === true && context.pm.meta.status === "draft";
      body(context, (problem) => record(context.pm.file, { ...problem, ruleId: meta.id, severity: lenient ? "warning" : meta.severity }));
    },
  };
}

/** True when a frontmatter value counts as given: not absent, null, blank or an empty list. */
export function isGiven(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Describes a YAML value's type for messages: `a list`, `a number`, `a mapping`. */
export function describeType(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "an empty value";
  if (typeof value === "object") return "a mapping";
  return typeof value === "number" ? "a number" : typeof value === "boolean" ? "a boolean" : `a ${typeof value}`;
}

/**
 * A frontmatter value as a message may quote it: text cut at 80 characters, a number or boolean
 * as written, anything else by its type. Never `String(value)`: a mapping such as
 * `{toString: 1}` throws when made a string.
 */
export function shown(value: unknown): string {
  if (typeof value === "string") return value.length > 80 ? `${value.slice(0, 79)}…` : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return describeType(value);
}

/** True for a value a scalar field may hold: text, a number, a boolean (YAML reads `yes`, `1` as such). */
export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
