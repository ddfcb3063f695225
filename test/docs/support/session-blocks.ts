/**
 * The shell lines of the Markdown blocks marked ```sh session, each with what its trailing comment promises:
 * `# exit N` (default 0) and `→ text` pieces of output. A reader pastes the block as it is (the shell ignores
 * the comments); the docs test runs the same lines and holds them to the same comments.
 */

export interface SessionLine {
  /** The command as a reader pastes it, without its comment. */
  readonly command: string;
  readonly expectedExitCode: number;
  /** Pieces the command's output (stdout and stderr) must contain, spaces collapsed. */
  readonly expectedOutput: readonly string[];
  /** `export NAME=value` lines carry into the lines after them, as in a terminal. */
  readonly isExport: boolean;
  /** Where it is written, e.g. `docs/operations.md:57`. */
  readonly source: string;
}

const OPENING = /^ {0,3}```\s*sh\s+session\s*$/;
const CLOSING = /^ {0,3}```\s*$/;
/** A comment starts at a `#` after whitespace (the documented commands carry no `#` of their own). */
const COMMENT = /\s#\s?(.*)$/;
const EXIT_CODE = /^exit\s+(\d+)\b/;

/** Spaces collapsed, so that aligned columns and a reader's spacing compare alike. */
export const collapseSpaces = (text: string): string => text.replace(/\s+/g, ' ').trim();

const parseLine = (text: string, source: string): SessionLine => {
  const comment = COMMENT.exec(text);
  const command = (comment === null ? text : text.slice(0, comment.index)).trim();
  const promise = comment?.[1]?.trim() ?? '';
  const [head = '', ...pieces] = promise.split('→');
  const exit = EXIT_CODE.exec(head.trim());
  return {
    command,
    expectedExitCode: exit?.[1] === undefined ? 0 : Number(exit[1]),
    expectedOutput: pieces.map(collapseSpaces).filter((piece) => piece !== ''),
    isExport: /^export\s+\w+=/.test(command),
    source,
  };
};

/** The lines of every ```sh session block of a Markdown text, in order; blank and comment-only lines skipped. */
export const sessionLines = (markdown: string, file: string): SessionLine[] => {
  const lines: SessionLine[] = [];
  let inBlock = false;
  markdown.split('\n').forEach((text, index) => {
    if (!inBlock) {
      inBlock = OPENING.test(text);
      return;
    }
    if (CLOSING.test(text)) {
      inBlock = false;
      return;
    }
    if (text.trim() === '' || text.trim().startsWith('#')) return;
    lines.push(parseLine(text, `${file}:${index + 1}`));
  });
  return lines;
};

/** The shell text that runs a line as it would run in the reader's terminal after the lines before it. */
export const shellScript = (line: SessionLine, before: readonly SessionLine[]): string => {
  const exports = before.filter((earlier) => earlier.isExport).map((earlier) => earlier.command);
  return [...exports, line.command].join('\n');
};
