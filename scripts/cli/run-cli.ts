import { CliError, ExitCode, UsageError } from './errors.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout is a terminal: tools may redraw a progress line instead of printing one line per step. */
  readonly isTty?: boolean;
  /** stderr is a terminal: progress written to stderr may be redrawn in place even when stdout is redirected. */
  readonly stderrIsTty?: boolean;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
};

/**
 * Runs a tool's main function and turns its outcome into an exit code: CliErrors become one clear line
 * on stderr, anything else is a bug and keeps its stack. A main that returns an exit code (reconcile's 3,
 * drift found) exits with it; one that returns nothing exits 0.
 */
export const runCli = async (
  name: string,
  // biome-ignore lint/suspicious/noConfusingVoidType: tools whose main returns nothing (Promise<void>) fit as they are
  main: (argv: readonly string[], io: CliIo) => Promise<void | ExitCode>,
  argv: readonly string[] = process.argv.slice(2),
  io: CliIo = processIo,
): Promise<ExitCode> => {
  try {
    return (await main(argv, io)) ?? ExitCode.OK;
  } catch (error) {
    if (error instanceof CliError) {
      const hint = error instanceof UsageError ? `\nRun '${name} --help' for usage.` : '';
      io.stderr(`${name}: ${error.message}${hint}\n`);
      return error.exitCode;
    }
    io.stderr(
      `${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return ExitCode.FAILURE;
  }
};
