import type { CliIo } from '../cli/run-cli.js';
import { type LetterOutcome, type LetterResult, LetterOutcome as Outcomes } from './replay-letter.js';

export interface ReplaySummary {
  /** Letters outside replayed/ when the run started. */
  readonly listed: number;
  /** --key values with no letter outside replayed/. */
  readonly missingKeys: readonly string[];
  readonly skippedByFilter: number;
  readonly counts: Readonly<Record<LetterOutcome, number>>;
  /** Still-failing letters by their latest error code. */
  readonly stillFailingByCode: Readonly<Record<string, number>>;
  readonly results: ReadonlyArray<{ readonly key: string } & LetterResult>;
  readonly dryRun: boolean;
  readonly deleteReplayed: boolean;
  /** Order-line letters replayed (or that would be) whose change is older than LAG_BOUND_HOURS. */
  readonly pastLagBound?: readonly string[];
  readonly lagBoundHours?: number;
}

/** Past the bound the ledger may have forgotten a copy of the line counted earlier: as redrive says it. */
export const pastLagBoundNote = (hoursAgo: number, lagBoundHours: number): string =>
  `committed ${Math.floor(hoursAgo)} h ago, past LAG_BOUND_HOURS (${lagBoundHours} h): the ledger no longer ` +
  'remembers a copy of this line applied earlier, so it may now count twice; check the product with npm run reconcile';

const LABEL: Record<LetterOutcome, [live: string, dry: string]> = {
  [Outcomes.REPLAYED]: ['replayed', 'would replay'],
  [Outcomes.ALREADY_APPLIED]: ['already applied', 'already applied'],
  [Outcomes.NOTHING_TO_APPLY]: ['nothing to apply', 'nothing to apply'],
  [Outcomes.STILL_FAILING]: ['still failing', 'would still fail'],
  [Outcomes.HELD_BACK]: ['held back', 'would hold back'],
  [Outcomes.UNREPLAYABLE]: ['unreplayable', 'unreplayable'],
};

const LABEL_WIDTH = 17;
const BAR_WIDTH = 24;

export const letterLine = (key: string, result: LetterResult, dryRun: boolean): string =>
  `${LABEL[result.outcome][dryRun ? 1 : 0].padEnd(LABEL_WIDTH)} ${key}  ${result.detail}\n`;

/**
 * Progress as the letters are settled. On a terminal: one bar redrawn in place, with failing and held-back
 * letters printed above it; elsewhere (CI, pipes, files): one plain line per letter.
 */
export class ReplayProgress {
  readonly #io: CliIo;
  readonly #total: number;
  readonly #dryRun: boolean;
  readonly #counts: Record<LetterOutcome, number>;
  #done = 0;

  constructor(io: CliIo, total: number, dryRun: boolean, counts: Record<LetterOutcome, number>) {
    this.#io = io;
    this.#total = total;
    this.#dryRun = dryRun;
    this.#counts = counts;
  }

  letter(key: string, result: LetterResult): void {
    this.#done += 1;
    const line = letterLine(key, result, this.#dryRun);
    if (this.#io.isTty !== true) {
      this.#io.stdout(line);
      return;
    }
    const notable =
      result.outcome === Outcomes.STILL_FAILING ||
      result.outcome === Outcomes.HELD_BACK ||
      result.outcome === Outcomes.UNREPLAYABLE;
    this.#io.stdout(`\r\u001b[2K${notable ? line : ''}${this.#bar()}`);
  }

  finish(): void {
    if (this.#io.isTty === true && this.#total > 0) this.#io.stdout('\n');
  }

  #bar(): string {
    const filled = this.#total === 0 ? BAR_WIDTH : Math.round((this.#done / this.#total) * BAR_WIDTH);
    const counts = this.#counts;
    return (
      `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${this.#done}/${this.#total}` +
      `  replayed ${counts.REPLAYED} · already ${counts.ALREADY_APPLIED} · failing ${counts.STILL_FAILING}` +
      ` · held ${counts.HELD_BACK}`
    );
  }
}

export const formatSummary = (summary: ReplaySummary): string => {
  const { counts, dryRun } = summary;
  const byCode = Object.entries(summary.stillFailingByCode)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  const settled = summary.deleteReplayed ? 'deleted' : 'moved to replayed/';
  const row = (label: string, count: number, note = '') =>
    `  ${label.padEnd(LABEL_WIDTH)} ${String(count).padStart(5)}${note === '' ? '' : `   ${note}`}\n`;
  const resolved = counts.REPLAYED + counts.ALREADY_APPLIED + counts.NOTHING_TO_APPLY;
  return [
    `\nSummary${dryRun ? ' (dry run: nothing was changed)' : ''}\n`,
    row('replayed', counts.REPLAYED),
    row('already applied', counts.ALREADY_APPLIED),
    row('nothing to apply', counts.NOTHING_TO_APPLY),
    row(
      'still failing',
      counts.STILL_FAILING,
      byCode === '' ? '' : `${byCode}; ${dryRun ? 'would be kept, error appended' : 'kept, error appended'}`,
    ),
    row(
      'held back',
      counts.HELD_BACK,
      counts.HELD_BACK > 0 ? 'an earlier letter of the product is pending' : '',
    ),
    row(
      'unreplayable',
      counts.UNREPLAYABLE,
      counts.UNREPLAYABLE > 0 ? 'entries that are no record, left as they are: read their "entry"' : '',
    ),
    row('skipped by filter', summary.skippedByFilter),
    resolved > 0 ? `  ${resolved} letter(s) ${dryRun ? `would be ${settled}` : settled}\n` : '',
    (summary.pastLagBound?.length ?? 0) > 0
      ? `  ${summary.pastLagBound?.length} order line(s) ${dryRun ? 'would be' : 'were'} replayed past LAG_BOUND_HOURS (${summary.lagBoundHours} h): check their products with npm run reconcile\n`
      : '',
  ].join('');
};
