import { MetricName } from './metric-names.js';

export type Counts = Record<MetricName, number>;

const zeroCounts = (): Counts =>
  Object.fromEntries(Object.values(MetricName).map((name) => [name, 0])) as Counts;

/** Running counts of one invocation; published as metrics once, logged every `progressEvery` records. */
export class BatchCounters {
  readonly counts: Counts = zeroCounts();
  readonly #progressEvery: number;
  readonly #onProgress: (counts: Readonly<Counts>) => void;

  constructor(progressEvery: number, onProgress: (counts: Readonly<Counts>) => void) {
    this.#progressEvery = progressEvery;
    this.#onProgress = onProgress;
  }

  add(name: MetricName, by = 1): void {
    this.counts[name] += by;
  }

  /** A record's fate is final (applied, skipped or dead-lettered). */
  recordDone(count = 1): void {
    for (let i = 0; i < count; i++) {
      this.counts[MetricName.RECORDS_PROCESSED] += 1;
      if (this.counts[MetricName.RECORDS_PROCESSED] % this.#progressEvery === 0)
        this.#onProgress(this.counts);
    }
  }
}
