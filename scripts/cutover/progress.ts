import type { CliIo } from '../cli/run-cli.js';

const CLEAR_LINE = '\r\u001b[2K';
const TTY_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 5_000;

/**
 * Progress on stderr, so stdout keeps only the summary (or the JSON). On a terminal one line redrawn in place,
 * cleared at the end; elsewhere (CI, a log, a pipe) a plain line at the start and then every 5 s, so a long
 * run over a large table shows it moves without flooding the log.
 */
export class CutoverProgress {
  readonly #io: CliIo;
  readonly #now: () => number;
  #last: number | undefined;
  #shown = false;

  constructor(io: CliIo, now: () => number = Date.now) {
    this.#io = io;
    this.#now = now;
  }

  /** A line that always shows (what the run is about to do). */
  note(text: string): void {
    this.#clear();
    this.#io.stderr(`cutover: ${text}\n`);
  }

  update(status: string): void {
    const now = this.#now();
    if (this.#io.stderrIsTty === true) {
      if (this.#last !== undefined && now - this.#last < TTY_INTERVAL_MS) return;
      this.#io.stderr(`${CLEAR_LINE}cutover: ${status}`);
      this.#shown = true;
      this.#last = now;
      return;
    }
    if (this.#last !== undefined && now - this.#last < LINE_INTERVAL_MS) return;
    this.#io.stderr(`cutover: ${status}\n`);
    this.#last = now;
  }

  finish(): void {
    this.#clear();
  }

  #clear(): void {
    if (this.#shown) this.#io.stderr(CLEAR_LINE);
    this.#shown = false;
  }
}
