import type { Logger } from '@aws-lambda-powertools/logger';
import { forEachConcurrently } from './concurrency.js';
import type { Config } from './config.js';
import { type DecodedRecord, decodeRecord } from './decode/decode-record.js';
import { flattenRecords, type KafkaEvent, type KafkaRecord } from './decode/kafka-event.js';
import { ErrorCode, isPoisonRecordError, PoisonRecordError, TimeBudgetExhaustedError } from './errors.js';
import {
  type InventoryChange,
  type ProductsTruncated,
  type SkippedRecord,
  SkipReason,
} from './inventory/changes.js';
import { type LowStockAlert, LowStockTracker } from './inventory/low-stock.js';
import { planWrites, recordsOfStep, splitStep, type WriteStep } from './inventory/plan.js';
import { buildDeadLetter, type DeadLetterStore } from './store/dead-letter.js';
import type { InventoryStore } from './store/inventory-store.js';
import { Outcome } from './store/outcome.js';
import { BatchCounters, type Counts } from './telemetry/batch-counters.js';
import { MetricName } from './telemetry/metric-names.js';

export interface BatchDependencies {
  readonly config: Pick<
    Config,
    | 'productsTopic'
    | 'orderItemsTopic'
    | 'priceScale'
    | 'lowStockThreshold'
    | 'writeConcurrency'
    | 'timeBudgetMarginMs'
    | 'sourceEpoch'
    | 'stockModel'
    | 'lagBoundHours'
  > &
    Partial<Pick<Config, 'registryValues'>>;
  readonly store: InventoryStore;
  readonly deadLetters: DeadLetterStore;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface BatchResult {
  readonly counts: Readonly<Counts>;
  readonly lowStockAlerts: readonly LowStockAlert[];
  readonly deadLetterKeys: readonly string[];
}

/** The seed logged progress every 100 messages; so do we, within an invocation. */
export const PROGRESS_EVERY = 100;

const SKIP_METRIC: Record<SkippedRecord['reason'], MetricName> = {
  [SkipReason.TOMBSTONE]: MetricName.TOMBSTONES_SKIPPED,
  [SkipReason.ROWLESS_OP]: MetricName.EVENTS_IGNORED,
  [SkipReason.ORDER_LINE_NOT_COUNTED]: MetricName.EVENTS_IGNORED,
  [SkipReason.ORDER_LINE_UNCHANGED]: MetricName.EVENTS_IGNORED,
  [SkipReason.ORDER_LINE_REMOVAL_UNKNOWN]: MetricName.ORDER_LINE_EDITS_UNKNOWN,
  [SkipReason.ORDER_ITEMS_TRUNCATED]: MetricName.TRUNCATES_IGNORED,
};

const OUTCOME_METRIC: Record<Outcome, MetricName> = {
  [Outcome.APPLIED]: MetricName.PRODUCTS_UPSERTED,
  [Outcome.DUPLICATE]: MetricName.DUPLICATES_SKIPPED,
  [Outcome.STALE]: MetricName.STALE_EVENTS_SKIPPED,
  [Outcome.ALREADY_ABSENT]: MetricName.DUPLICATES_SKIPPED,
};

const coordinates = (record: KafkaRecord) => ({
  topic: record.topic,
  partition: record.partition,
  offset: record.offset,
});

/** One invocation's work: decode every record, dead-letter poison, apply the rest exactly once. */
export class BatchProcessor {
  readonly #deps: BatchDependencies;
  readonly #counters: BatchCounters;
  readonly #lowStock: LowStockTracker;
  readonly #deadLetterKeys: string[] = [];
  /** TRUNCATEs of products: each applies to the whole table at its position, whatever else the batch holds. */
  readonly #truncates: ProductsTruncated[] = [];
  /** Products whose stock order lines moved: read once after the batch for low-stock alerts. */
  readonly #decremented = new Set<number>();
  readonly #remainingMs: () => number;
  readonly #source: { eventSource?: string; eventSourceArn?: string };

  constructor(deps: BatchDependencies, event: KafkaEvent, remainingMs: () => number) {
    this.#deps = deps;
    this.#remainingMs = remainingMs;
    this.#lowStock = new LowStockTracker(deps.config.lowStockThreshold);
    this.#counters = new BatchCounters(PROGRESS_EVERY, (counts) =>
      deps.logger.info('Progress', { counts: { ...counts } }),
    );
    this.#source = {
      ...(typeof event.eventSource === 'string' ? { eventSource: event.eventSource } : {}),
      ...(typeof event.eventSourceArn === 'string' ? { eventSourceArn: event.eventSourceArn } : {}),
    };
  }

  get counts(): Readonly<Counts> {
    return this.#counters.counts;
  }

  async process(event: KafkaEvent): Promise<BatchResult> {
    const changes = await this.#decodeAll(flattenRecords(event));
    this.#warnBeyondLagBound(changes);
    // Order-independent: creates older than a TRUNCATE are refused by its marker, and it sweeps by position.
    for (const truncate of this.#truncates) await this.#truncate(truncate);
    const plan = planWrites(changes);
    this.#counters.add(MetricName.DUPLICATES_SKIPPED, plan.inBatchDuplicates.length);
    this.#counters.recordDone(plan.inBatchDuplicates.length);
    await forEachConcurrently(plan.products, this.#deps.config.writeConcurrency, async ({ steps }) => {
      for (const step of steps) await this.#applyStep(step);
    });
    await this.#observeDecremented();
    const lowStockAlerts = this.#lowStock.alerts();
    for (const alert of lowStockAlerts) this.#deps.logger.warn('Low stock', { ...alert });
    this.#counters.add(MetricName.LOW_STOCK_ALERTS, lowStockAlerts.length);
    return { counts: this.counts, lowStockAlerts, deadLetterKeys: this.#deadLetterKeys };
  }

  async #decodeAll(records: readonly KafkaRecord[]): Promise<InventoryChange[]> {
    const changes: InventoryChange[] = [];
    const poison: Array<{ record: KafkaRecord; error: PoisonRecordError }> = [];
    for (const record of records) {
      const decoded = this.#decode(record);
      if (decoded instanceof PoisonRecordError) poison.push({ record, error: decoded });
      else if (decoded.type === 'Skipped') this.#skip(decoded);
      else if (decoded.type === 'ProductsTruncated') this.#truncates.push(decoded);
      else changes.push(decoded);
    }
    await forEachConcurrently(poison, this.#deps.config.writeConcurrency, ({ record, error }) =>
      this.#deadLetter(record, error),
    );
    return changes;
  }

  #decode(record: KafkaRecord): DecodedRecord | PoisonRecordError {
    try {
      return decodeRecord(record, this.#deps.config);
    } catch (error) {
      if (isPoisonRecordError(error)) return error;
      // Decoding is pure; anything else is a bug in it, which must not lose the record either.
      return new PoisonRecordError(ErrorCode.MALFORMED_RECORD, `Undecodable record: ${String(error)}`, {
        cause: error,
      });
    }
  }

  #skip(skipped: SkippedRecord): void {
    this.#counters.add(SKIP_METRIC[skipped.reason]);
    this.#counters.recordDone();
    const fields = { ...coordinates(skipped.record), reason: skipped.reason, detail: skipped.detail };
    // A TRUNCATE of order_items leaves stock that may be off: the operator must hear of it, and where.
    if (skipped.reason === SkipReason.ORDER_ITEMS_TRUNCATED) {
      this.#deps.logger.warn('TRUNCATE of order_items ignored: stock not changed', {
        ...fields,
        position: skipped.position ?? 'unknown',
      });
      return;
    }
    // The stock may now be off by a quantity nobody sent: the operator must hear of it (reconcile finds it).
    if (skipped.reason === SkipReason.ORDER_LINE_REMOVAL_UNKNOWN)
      this.#deps.logger.warn('Order line edit not applied', fields);
    else this.#deps.logger.debug('Skipped record', fields);
  }

  async #deadLetter(record: KafkaRecord, error: PoisonRecordError): Promise<void> {
    const now = this.#deps.now?.() ?? new Date();
    const key = await this.#deps.deadLetters.put(buildDeadLetter(record, error, now, this.#source));
    this.#deadLetterKeys.push(key);
    this.#counters.add(MetricName.PROCESSING_ERRORS);
    this.#counters.add(MetricName.DLQ_WRITES);
    this.#counters.recordDone();
    this.#deps.logger.warn('Record dead-lettered', {
      ...coordinates(record),
      code: error.code,
      reason: error.message,
      deadLetterKey: key,
    });
  }

  async #truncate(truncate: ProductsTruncated): Promise<void> {
    this.#checkTimeBudget();
    const { removed, kept } = await this.#deps.store.truncateProducts(truncate);
    this.#counters.add(MetricName.PRODUCTS_DELETED, removed);
    this.#counters.recordDone();
    this.#deps.logger.warn('TRUNCATE of products applied', {
      ...coordinates(truncate.record),
      position: truncate.position,
      removed,
      kept,
    });
  }

  /** After every write, so the reading is the product's stock at the end of the batch. */
  async #observeDecremented(): Promise<void> {
    if (this.#decremented.size === 0) return;
    const readings = await this.#deps.store.readStocks([...this.#decremented]);
    for (const [productId, { name, stock }] of readings) this.#lowStock.observe(productId, name, stock);
  }

  #isBeyondLagBound(change: InventoryChange): boolean {
    const now = (this.#deps.now?.() ?? new Date()).getTime();
    return (
      change.sourceTsMs !== undefined && now - change.sourceTsMs > this.#deps.config.lagBoundHours * 3_600_000
    );
  }

  /**
   * Past the lag bound the ledger may have forgotten what the change must be ordered against: the product
   * it names may be off, and the operator is told which (reconcile checks it against the database).
   */
  #warnBeyondLagBound(changes: readonly InventoryChange[]): void {
    const late = changes.filter((change) => this.#isBeyondLagBound(change));
    if (late.length === 0) return;
    this.#counters.add(MetricName.BEYOND_LAG_BOUND, late.length);
    const products = [...new Set(late.map((change) => change.productId))];
    this.#deps.logger.warn('Changes older than the lag bound: these products may be off', {
      products: products.slice(0, 100),
      changes: late.length,
      lagBoundHours: this.#deps.config.lagBoundHours,
    });
  }

  #checkTimeBudget(): void {
    const remaining = this.#remainingMs();
    if (remaining < this.#deps.config.timeBudgetMarginMs) {
      throw new TimeBudgetExhaustedError(remaining, this.#deps.config.timeBudgetMarginMs);
    }
  }

  async #applyStep(step: WriteStep): Promise<void> {
    this.#checkTimeBudget();
    this.#counters.add(MetricName.DYNAMODB_WRITES);
    try {
      await this.#write(step);
    } catch (error) {
      if (!isPoisonRecordError(error)) throw error;
      this.#countAttempts(1);
      const records = recordsOfStep(step);
      if (records.length === 1) {
        await this.#deadLetter((records[0] as InventoryChange).record, error);
        return;
      }
      // A folded write was refused as a whole (nothing of it applied): one change at a time finds the culprits.
      for (const single of splitStep(step)) await this.#applyStep(single);
    }
  }

  async #write(step: WriteStep): Promise<void> {
    const { store } = this.#deps;
    if (step.kind === 'upsert') {
      const result = await store.upsertProductGroup(step.changes);
      this.#countAttempts(result.attempts);
      if (result.stockAfter !== undefined) {
        this.#lowStock.observe(step.changes[0]?.productId as number, result.name, result.stockAfter);
      }
      this.#counters.add(MetricName.PRODUCTS_UPSERTED, result.applied.length);
      this.#counters.add(MetricName.DUPLICATES_SKIPPED, result.duplicates.length);
      this.#counters.add(MetricName.STALE_EVENTS_SKIPPED, result.stale.length);
      this.#counters.recordDone(step.changes.length);
      return;
    }
    if (step.kind === 'delete') {
      this.#countAttempts(1);
      this.#countOutcome(await store.deleteProduct(step.change), MetricName.PRODUCTS_DELETED);
      return;
    }
    const productId = step.items[0]?.productId as number;
    const result = await store.recordOrderLines(productId, step.items);
    this.#countAttempts(result.attempts);
    const edits = result.applied.filter((item) => item.edit !== undefined).length;
    this.#counters.add(MetricName.STOCK_DECREMENTED, result.applied.length - edits);
    this.#counters.add(MetricName.ORDER_LINE_EDITS, edits);
    this.#counters.add(MetricName.ORDER_LINES_IN_COUNT, result.inCount.length);
    this.#counters.add(MetricName.ORDER_LINES_PENDING, result.pending.length);
    this.#counters.add(MetricName.DUPLICATES_SKIPPED, result.duplicates.length);
    this.#counters.add(MetricName.EVENTS_IGNORED, result.unchanged?.length ?? 0);
    this.#warnUnremembered(productId, result.unremembered ?? []);
    this.#counters.recordDone(step.items.filter((item) => item.sharesRecord !== true).length);
    if (result.applied.length > 0) this.#decremented.add(productId);
    // A line whose product is absent waits in the ledger however late it is (the WARN above names it when
    // past the bound): a dead letter now would count it a second time once a create summed the ledger.
    // Only the expiry function, when the entry expires uncounted, writes its letter.
  }

  #warnUnremembered(productId: number, items: readonly InventoryChange[]): void {
    if (items.length === 0) return;
    this.#counters.add(MetricName.ORDER_LINE_EDITS_UNKNOWN, items.length);
    this.#deps.logger.warn('Order line edit not applied: the ledger does not remember the line', {
      productId,
      records: items.map(({ record }) => coordinates(record)),
      hint: 'set REPLICA IDENTITY FULL on order_items; npm run reconcile checks this product',
    });
  }

  /** Over DynamoDbWrites, attempts per write: how much contention hot products meet. */
  #countAttempts(attempts: number | undefined): void {
    this.#counters.add(MetricName.WRITE_ATTEMPTS, attempts ?? 1);
  }

  #countOutcome(outcome: Outcome, appliedMetric: MetricName): void {
    this.#counters.add(outcome === Outcome.APPLIED ? appliedMetric : OUTCOME_METRIC[outcome]);
    this.#counters.recordDone();
  }
}
