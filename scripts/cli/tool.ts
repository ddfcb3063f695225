import { ExitCode } from './errors.js';

/** What every tool shares: how it is called, its help, and what its exit codes mean (docs/operations.md). */
export interface ToolDefinition {
  /** Starts every line the tool writes to stderr: `replay`, `start`. */
  readonly name: string;
  /** What a user types: `npm run replay`, `npm start`. Usage lines and refusals name it. */
  readonly command: string;
  /** Usage, what it does, options and one example; the exit codes are appended by toolHelp. */
  readonly help: string;
  /** What exit code 3 means for this tool; absent when it never exits 3. */
  readonly found?: string;
  /** What exit code 1 also covers for this tool, beyond a failed AWS or database call. */
  readonly failure?: string;
}

/** What a refusal points at: `npm run replay -- --help`. */
export const helpCommand = (tool: Pick<ToolDefinition, 'command'>): string => `${tool.command} -- --help`;

const EXIT_CODE_MEANINGS = {
  [ExitCode.OK]: 'done',
  [ExitCode.FAILURE]: 'an AWS or database call failed (one line on stderr)',
  [ExitCode.USAGE]: 'bad command line, setting or input file (one line on stderr)',
} as const;

const HELP_WIDTH = 110;
const MEANING_INDENT = '     ';

/** One exit code and its meaning, wrapped under the meaning so that a long one stays readable. */
const exitCodeLine = (code: ExitCode, meaning: string): string => {
  const lines: string[] = [];
  let line = `  ${code}  `;
  for (const word of meaning.split(' ')) {
    if (line.trim() !== String(code) && line.length + word.length + 1 > HELP_WIDTH) {
      lines.push(line.trimEnd());
      line = MEANING_INDENT;
    }
    line += line.endsWith(' ') ? word : ` ${word}`;
  }
  return [...lines, line].join('\n');
};

/** The exit-code lines of every tool's help, worded once so that no tool tells them differently. */
export const exitCodeHelp = (tool: Pick<ToolDefinition, 'found' | 'failure'>): string =>
  [
    'Exit codes (the same in every tool):',
    exitCodeLine(ExitCode.OK, EXIT_CODE_MEANINGS[ExitCode.OK]),
    exitCodeLine(
      ExitCode.FAILURE,
      `${EXIT_CODE_MEANINGS[ExitCode.FAILURE]}${tool.failure === undefined ? '' : `; ${tool.failure}`}`,
    ),
    exitCodeLine(ExitCode.USAGE, EXIT_CODE_MEANINGS[ExitCode.USAGE]),
    ...(tool.found === undefined ? [] : [exitCodeLine(ExitCode.FOUND, tool.found)]),
  ].join('\n');

/** The whole text `--help` prints. */
export const toolHelp = (tool: ToolDefinition): string => `${tool.help.trimEnd()}\n\n${exitCodeHelp(tool)}\n`;

/** `-h` or `--help` anywhere before a `--` asks for the help, whatever else the command line holds. */
export const wantsHelp = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
};
