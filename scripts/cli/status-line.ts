import type { CliIo } from './run-cli.js';

const CLEAR_LINE = '\r\u001b[2K';
const TTY_INTERVAL_MS = 100;

/** How often a tool's status shows where stderr is not a terminal (CI, a log, a pipe). */
export interface StatusPace {
  /** The tool's name, which starts every line. */
  readonly tool: string;
  /** Nothing before this long after the start, so short runs stay quiet (0: the first update shows). */
  readonly quietMs: number;
  /** Then a plain line at most this often, so a long run shows it moves without flooding the log. */
  readonly lineIntervalMs: number;
}

/**
 * Progress on stderr, so stdout keeps only the report (or the JSON). On a terminal one line redrawn in place
 * (at most every 100 ms) and cleared at the end; elsewhere plain lines at the tool's pace.
 */
export class StatusLine {
  readonly #io: CliIo;
  readonly #pace: StatusPace;
  readonly #now: () => number;
  readonly #start: number;
  #last: number | undefined;
  #shown = false;

  constructor(io: CliIo, pace: StatusPace, now: () => number = Date.now) {
    this.#io = io;
    this.#pace = pace;
    this.#now = now;
    this.#start = now();
  }

  /** A line that always shows (what the run is about to do). */
  note(text: string): void {
    this.finish();
    this.#io.stderr(`${this.#pace.tool}: ${text}\n`);
  }

  update(status: string): void {
    const now = this.#now();
    if (this.#io.stderrIsTty === true) {
      if (this.#last !== undefined && now - this.#last < TTY_INTERVAL_MS) return;
      this.#io.stderr(`${CLEAR_LINE}${this.#pace.tool}: ${status}`);
      this.#shown = true;
      this.#last = now;
      return;
    }
    const due =
      this.#last === undefined ? this.#start + this.#pace.quietMs : this.#last + this.#pace.lineIntervalMs;
    if (now < due) return;
    this.#io.stderr(`${this.#pace.tool}: ${status}\n`);
    this.#last = now;
  }

  finish(): void {
    if (this.#shown) this.#io.stderr(CLEAR_LINE);
    this.#shown = false;
  }
}
