import { CliError, ExitCode, UsageError } from './errors.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout is a terminal: tools may redraw a progress line instead of printing one line per step. */
  readonly isTty?: boolean;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stdout.isTTY === true,
};

/**
 * Runs a tool's main function and turns its outcome into an exit code: CliErrors become one clear line
 * on stderr, anything else is a bug and keeps its stack.
 */
export const runCli = async (
  name: string,
  main: (argv: readonly string[], io: CliIo) => Promise<void>,
  argv: readonly string[] = process.argv.slice(2),
  io: CliIo = processIo,
): Promise<ExitCode> => {
  try {
    await main(argv, io);
    return ExitCode.OK;
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
