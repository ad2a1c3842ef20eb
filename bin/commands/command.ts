// The shape every CLI command module exports, so the dispatcher lists and runs them alike.

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Returns the exit status; throws UsageError for bad input (exit 2). */
  run(args: readonly string[]): number | Promise<number>;
}
