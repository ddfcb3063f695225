import type { CliIo } from '../cli/run-cli.js';

const BAR_WIDTH = 24;
const CLEAR_LINE = '\r\u001b[2K';

/** CliIo with the stderr flag some versions of scripts/cli/run-cli.ts carry; without it, stdout's stands in. */
type ProgressIo = CliIo & { readonly stderrIsTty?: boolean };

/**
 * A progress bar on stderr, redrawn in place, when stderr is a terminal; elsewhere it prints nothing, and the
 * per-object lines on stdout tell the progress. Other output goes through `aside` so it never lands in the
 * middle of the bar.
 */
export class ProgressBar {
  readonly #io: ProgressIo;
  readonly #total: number;
  readonly #label: string;
  #shown = false;

  constructor(io: ProgressIo, total: number, label: string) {
    this.#io = io;
    this.#total = total;
    this.#label = label;
  }

  get #active(): boolean {
    return (this.#io.stderrIsTty ?? this.#io.isTty) === true && this.#total > 0;
  }

  update(done: number, status: string): void {
    if (!this.#active) return;
    const filled = Math.round((Math.min(done, this.#total) / this.#total) * BAR_WIDTH);
    this.#io.stderr(
      `${CLEAR_LINE}${this.#label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${this.#total}  ${status}`,
    );
    this.#shown = true;
  }

  /** Writes `text` to stdout with the bar cleared first; the next update draws it again. */
  aside(text: string): void {
    if (this.#shown) this.#io.stderr(CLEAR_LINE);
    this.#shown = false;
    this.#io.stdout(text);
  }

  finish(): void {
    if (this.#shown) this.#io.stderr('\n');
    this.#shown = false;
  }
}
