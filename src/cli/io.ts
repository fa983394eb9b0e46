/** An output stream: `process.stdout` or `process.stderr` in the bin, a collector in tests. */
export interface CliOutput {
  write(text: string): unknown;
  /** True on a terminal (a Node stream leaves it undefined otherwise). */
  readonly isTTY?: boolean;
  /** The terminal's width, read by the progress bar on a terminal. */
  readonly columns?: number;
}

/** What a run of the CLI gets from its process, so that it can run in any process, several times. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** The environment: NO_COLOR, TERM, CI and DEBUG are read from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working folder: the project root, and where relative paths on the command line start. */
  readonly cwd: string;
  /** Resolves when `hindsight dev` should stop (the bin: on SIGINT or SIGTERM). @default never */
  readonly stopped?: () => Promise<void>;
}

/** Writes a line, as console.log does with one string. */
export function writeLine(stream: CliOutput, text: string): void {
  stream.write(`${text}\n`);
}

/** A function writing lines to `stream`. */
export function lineWriter(stream: CliOutput): (text: string) => void {
  return (text) => {
    writeLine(stream, text);
  };
}

/** True when output to `stream` may be coloured: a terminal, and neither NO_COLOR nor TERM=dumb. */
export function useColor(stream: CliOutput, env: CliIo["env"]): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}
