/**
 * How Hindsight fails, in three kinds:
 *
 * - An expected failure is a value, a `Result`: bad content (a corrupt `data:` URI, an image
 *   path outside the content folder, a date that is not one) or a remote host that does not
 *   answer. Failing is part of the function's job, and its caller decides what follows,
 *   usually a message at the content's place; nothing is thrown.
 * - A failure that ends the run is thrown as a `HindsightError` subclass (`UsageError` for bad
 *   arguments or config, `IOError` for a disk that cannot be read or written), with its `cause`;
 *   the CLI prints it and sets the exit code.
 * - A bug, a broken invariant, is thrown as an `InternalError`: never the content's fault or
 *   the machine's, it asks to be reported.
 */
import type { Problem } from "./messages.js";

/** A success: the value asked for. */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

/** An expected failure: why there is no value. */
export interface Fail<E> {
  readonly ok: false;
  readonly error: E;
}

/** The outcome of something that may fail in an expected way: its value, or its error (a content `Problem` unless said otherwise). */
export type Result<T, E = Problem> = Ok<T> | Fail<E>;

/** A success carrying `value`. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** A failure carrying `error`. */
export function fail<E>(error: E): Fail<E> {
  return { ok: false, error };
}
