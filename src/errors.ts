/** Base class of every error Hindsight throws: bugs, I/O failures, bad usage or config. */
export class HindsightError extends Error {
  /** Exit code the CLI uses when this error ends a run. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong command-line usage or an invalid configuration: exit code 2. */
export class UsageError extends HindsightError {
  override readonly exitCode = 2;
}

/** Reading content or writing output failed for a reason outside the content itself. */
export class IOError extends HindsightError {}

/**
 * A broken invariant: a bug in Hindsight, never a problem with the content or the machine. The
 * CLI says "internal error, please report it" and prints the stack (exit code 70).
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = "InternalError";
  }
}
