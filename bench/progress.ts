/** Where the bench reports what it is doing while it measures: stderr, so stdout keeps only the figures. */
export interface BenchProgress {
  /** A new phase starts; `total` records when it applies records. */
  phase(label: string, total?: number): void;
  /** `count` more records of the current phase are done. */
  advance(count: number): void;
}

const INTERVAL_MS = 5_000;

/**
 * One line per phase as it starts, then a line at most every 5 s with the records done, so a run of several
 * minutes always shows where it is. Nothing is redrawn in place: the lines read the same in a terminal and
 * in a CI log.
 */
export const stderrProgress = (
  write: (text: string) => void = (text) => process.stderr.write(text),
  now: () => number = Date.now,
): BenchProgress => {
  let label = '';
  let total: number | undefined;
  let done = 0;
  let last = 0;
  return {
    phase(next, records) {
      label = next;
      total = records;
      done = 0;
      last = now();
      write(
        `bench: ${label}${records === undefined ? '' : ` (${records.toLocaleString('en-US')} records)`}\n`,
      );
    },
    advance(count) {
      done += count;
      const at = now();
      if (at - last < INTERVAL_MS) return;
      last = at;
      const of = total === undefined ? '' : ` of ${total.toLocaleString('en-US')}`;
      write(`bench: ${label}: ${done.toLocaleString('en-US')}${of} records done\n`);
    },
  };
};

/** For callers that do not report progress. */
export const silentProgress: BenchProgress = { phase: () => {}, advance: () => {} };
