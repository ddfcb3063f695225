/**
 * Process exit codes, the same in every tool under `scripts/` (docs/operations.md, "The tools"); the help of
 * each tool prints them from scripts/cli/tool.ts.
 */
export const ExitCode = {
  /** Done. */
  OK: 0,
  /** An AWS or database call failed (unreachable, refused, throttled): one line, nothing else is wrong. */
  FAILURE: 1,
  /** The command line, a setting or an input file is wrong: unknown or bad option, malformed event file. */
  USAGE: 2,
  /** The run completed and found what the tool checks for: drift, letters or objects still failing. */
  FOUND: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Root of the errors a tool reports to its user: the message is shown as is, on one line, without a stack. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The command line or a setting cannot be honoured; the tool prints the message and a pointer to `--help`. */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.USAGE, options);
  }
}

/** An input file is read but wrong (not JSON, not an event, no key to derive): exit code 2, like a bad option. */
export class InputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.USAGE, options);
  }
}

/** stdout or stderr was closed by its reader (`| head -1`): the run ends quietly, with exit code 0. */
export class OutputClosedError extends CliError {
  constructor(stream: string, options?: { cause?: unknown }) {
    super(`${stream} was closed by its reader`, ExitCode.OK, options);
  }
}
