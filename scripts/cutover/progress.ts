import type { CliIo } from '../cli/run-cli.js';
import { StatusLine } from '../cli/status-line.js';

/** Cutover's status: the first update at once, then a plain line every 5 s off a terminal. */
export class CutoverProgress extends StatusLine {
  constructor(io: CliIo, now: () => number = Date.now) {
    super(io, { tool: 'cutover', quietMs: 0, lineIntervalMs: 5_000 }, now);
  }
}
