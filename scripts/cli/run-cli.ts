import { CliError, ExitCode, OutputClosedError } from './errors.js';
import { helpCommand, type ToolDefinition, toolHelp, wantsHelp } from './tool.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout is a terminal: tools may redraw a progress line instead of printing one line per step. */
  readonly isTty?: boolean;
  /** stderr is a terminal: progress written to stderr may be redrawn in place even when stdout is redirected. */
  readonly stderrIsTty?: boolean;
}

const isClosedPipe = (error: unknown): boolean =>
  ['EPIPE', 'ERR_STREAM_DESTROYED'].includes((error as NodeJS.ErrnoException | undefined)?.code ?? '');

/**
 * Writes to a process stream until its reader goes away (`| head -1`). Node reports that as an 'error' event
 * after the write, which unheard ends the process with a stack trace; heard here, the next write throws
 * OutputClosedError instead, so the tool stops what it does, closes what it opened, and exits 0.
 */
const processWriter = (stream: NodeJS.WriteStream, name: string): ((text: string) => void) => {
  let closed: unknown;
  stream.on('error', (error) => {
    if (!isClosedPipe(error)) throw error;
    closed ??= error;
  });
  return (text) => {
    if (closed !== undefined) throw new OutputClosedError(name, { cause: closed });
    stream.write(text);
  };
};

/** The process's own streams; created once, on first use, so that importing this module changes nothing. */
let processStreams: CliIo | undefined;
export const processIo = (): CliIo => {
  processStreams ??= {
    stdout: processWriter(process.stdout, 'stdout'),
    stderr: processWriter(process.stderr, 'stderr'),
    isTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
  };
  return processStreams;
};

/** A refusal is one line, whatever its message holds. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/** Writes to stderr on the way out, where a closed stderr has nothing left to tell. */
const lastWords = (io: CliIo, text: string): void => {
  try {
    io.stderr(text);
  } catch (error) {
    if (!(error instanceof OutputClosedError)) throw error;
  }
};

/**
 * Runs a tool the way every tool runs: `-h/--help` prints its help and exits 0 before anything else; a
 * CliError becomes one line on stderr and its exit code (an exit-2 line points at the help); a closed
 * stdout or stderr ends the run quietly with 0; anything else is a bug and keeps its stack. A main that
 * returns an exit code (3, found what it checks for) exits with it; one that returns nothing exits 0.
 */
export const runCli = async (
  tool: ToolDefinition,
  // biome-ignore lint/suspicious/noConfusingVoidType: tools whose main returns nothing (Promise<void>) fit as they are
  main: (argv: readonly string[], io: CliIo) => Promise<void | ExitCode>,
  argv: readonly string[] = process.argv.slice(2),
  io: CliIo = processIo(),
): Promise<ExitCode> => {
  try {
    if (wantsHelp(argv)) {
      io.stdout(toolHelp(tool));
      return ExitCode.OK;
    }
    return (await main(argv, io)) ?? ExitCode.OK;
  } catch (error) {
    if (error instanceof OutputClosedError) return ExitCode.OK;
    if (error instanceof CliError) {
      // Exit code 2 is something the user changes (an option, a setting, a file): the help says how.
      const pointer = error.exitCode === ExitCode.USAGE ? ` (see ${helpCommand(tool)})` : '';
      lastWords(io, `${tool.name}: ${oneLine(error.message)}${pointer}\n`);
      return error.exitCode;
    }
    lastWords(
      io,
      `${tool.name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return ExitCode.FAILURE;
  }
};
