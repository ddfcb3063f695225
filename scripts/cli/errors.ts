/** Process exit codes shared by the command-line tools under `scripts/`. */
export const ExitCode = {
  OK: 0,
  /** The input was read but is wrong (not JSON, no key to derive, …). */
  FAILURE: 1,
  /** The command line is wrong: unknown or bad option, missing file. Same meaning as in POSIX tools. */
  USAGE: 2,
  /** reconcile: the run completed and the two sides differ (read the report). */
  DRIFT: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Root of the errors a tool reports to its user: the message is shown as is, without a stack. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The command line cannot be honoured; the tool prints the message and a pointer to `--help`. */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.USAGE, options);
  }
}

/** The input cannot be turned into what the tool makes. */
export class InputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.FAILURE, options);
  }
}
