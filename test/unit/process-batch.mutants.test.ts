import { describe, expect, it } from 'vitest';
import { BatchProcessor, PROGRESS_EVERY } from '../../lambda/process-batch.js';
import type { DeadLetter, DeadLetterStore } from '../../lambda/store/dead-letter.js';
import type { InventoryStore } from '../../lambda/store/inventory-store.js';
import type { OrderLinesResult } from '../../lambda/store/order-writes.js';
import { Outcome } from '../../lambda/store/outcome.js';
import { createLogger } from '../../lambda/telemetry/powertools.js';
import { captureOutput } from '../support/captured-output.js';
import {
  BASE_TS_MS,
  kafkaRecord,
  mskEvent,
  orderItemRecordAt,
  PRODUCTS_TOPIC,
  productRecordAt,
  type TestKafkaRecord,
} from '../support/debezium.js';

// What BatchProcessor tells the operator and the dead-letter bucket, and the edges of its lag bound and time
// budget: survivors of `npm run mutate` that the scheduling and outcome tests do not look at.

const HOUR_MS = 3_600_000;
const config = {
  productsTopic: PRODUCTS_TOPIC,
  orderItemsTopic: 'dbserver1.public.order_items',
  priceScale: 2,
  lowStockThreshold: 10,
  timeBudgetMarginMs: 5_000,
  writeConcurrency: 4,
  sourceEpoch: 0,
  stockModel: 'orders',
  lagBoundHours: 2,
} as const;

const at = (lsn: number, tsMs = BASE_TS_MS + lsn) => ({ lastCommit: lsn - 1, lsn, tsMs });
const row = (id: number, stock = 50) => ({
  id,
  name: `P${id}`,
  description: null,
  price: '1.00',
  stock_quantity: stock,
});
const orderLine = (id: number, productId: number, offset: number, tsMs?: number) =>
  orderItemRecordAt({ id, order_id: 1, product_id: productId, quantity: 1 }, at(200 + offset, tsMs), offset);

/** A store that applies everything; a test overrides the answers it needs. */
const applyingStore = (): InventoryStore => ({
  upsertProductGroup: async (changes) => ({ applied: changes, duplicates: [], stale: [] }),
  deleteProduct: async () => Outcome.APPLIED,
  recordOrderLines: async (_productId, items): Promise<OrderLinesResult> => ({
    applied: items,
    inCount: [],
    pending: [],
    duplicates: [],
  }),
  readStocks: async () => new Map(),
  truncateProducts: async () => ({ removed: 0, kept: 0 }),
});

const collectingDeadLetters = () => {
  const letters: DeadLetter[] = [];
  const store: DeadLetterStore = {
    put: async (letter) => {
      letters.push(letter);
      return `letters/${letter.record.offset}.json`;
    },
  };
  return { letters, store };
};

interface Run {
  readonly records: readonly TestKafkaRecord[];
  readonly store?: InventoryStore;
  readonly now?: Date;
  readonly remainingMs?: number;
  readonly event?: Record<string, unknown>;
}

/** Processes one event and collects what the processor logged (Powertools' JSON lines). */
const run = async ({ records, store = applyingStore(), now, remainingMs = 60_000, event }: Run) => {
  const deadLetters = collectingDeadLetters();
  const kafkaEvent = { ...mskEvent(records), ...event };
  const processor = new BatchProcessor(
    {
      config,
      store,
      deadLetters: deadLetters.store,
      logger: createLogger(),
      ...(now === undefined ? {} : { now: () => now }),
    },
    kafkaEvent,
    () => remainingMs,
  );
  const { result, lines } = await captureOutput(() => processor.process(kafkaEvent));
  return { result, lines, letters: deadLetters.letters };
};

const logged = (lines: readonly Record<string, unknown>[], message: string) =>
  lines.filter((line) => line.message === message);

describe('BatchProcessor: dead letters and what it logs', () => {
  it('writes the mapping (event source and ARN) into each dead letter and returns the letter keys', async () => {
    // Arrange
    const records = [kafkaRecord(PRODUCTS_TOPIC, 3, 17, '{"op":')];

    // Act
    const { result, letters, lines } = await run({ records });

    // Assert
    expect(letters[0]?.source).toEqual({
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/shop-cdc/0f1e2d3c-test',
    });
    expect(result.deadLetterKeys).toEqual(['letters/17.json']);
    expect(logged(lines, 'Record dead-lettered')).toEqual([
      expect.objectContaining({
        topic: PRODUCTS_TOPIC,
        partition: 3,
        offset: 17,
        code: 'INVALID_JSON',
        deadLetterKey: 'letters/17.json',
      }),
    ]);
  });

  it('leaves the source out of a dead letter when the event names none (a hand-made or replayed event)', async () => {
    // Arrange
    const records = [kafkaRecord(PRODUCTS_TOPIC, 0, 1, '{"op":')];

    // Act
    const { letters } = await run({ records, event: { eventSource: undefined, eventSourceArn: 42 } });

    // Assert
    expect(letters[0]?.source).toEqual({});
  });

  it(`logs progress with the running counts every ${PROGRESS_EVERY} records`, async () => {
    // Arrange
    const records = Array.from({ length: PROGRESS_EVERY }, (_, offset) =>
      productRecordAt('u', row(offset), at(100 + offset), offset),
    );

    // Act
    const { lines } = await run({ records });

    // Assert
    const progress = logged(lines, 'Progress');
    expect(progress).toHaveLength(1);
    expect(progress[0]?.counts).toMatchObject({ RecordsProcessed: PROGRESS_EVERY });
  });

  it('counts a delete that finds the product already gone as a duplicate, not as a delete', async () => {
    // Arrange
    const store = { ...applyingStore(), deleteProduct: async () => Outcome.ALREADY_ABSENT };
    const records = [productRecordAt('d', row(7), at(100), 0)];

    // Act
    const { result } = await run({ records, store });

    // Assert
    expect(result.counts).toMatchObject({ ProductsDeleted: 0, DuplicatesSkipped: 1, RecordsProcessed: 1 });
  });

  it('raises a low-stock alert from the stock an upsert leaves', async () => {
    // Arrange
    const store: InventoryStore = {
      ...applyingStore(),
      upsertProductGroup: async (changes) => ({
        applied: changes,
        duplicates: [],
        stale: [],
        stockAfter: 4,
        name: 'P7',
      }),
    };

    // Act
    const { result } = await run({ records: [productRecordAt('u', row(7, 4), at(100), 0)], store });

    // Assert
    expect(result.lowStockAlerts).toEqual([{ productId: 7, name: 'P7', stock: 4, threshold: 10 }]);
    expect(result.counts).toMatchObject({ LowStockAlerts: 1 });
  });
});

describe('BatchProcessor: the lag bound', () => {
  const now = new Date(BASE_TS_MS + 10 * HOUR_MS);

  it('warns once about the products of changes older than the bound, each product once', async () => {
    // Arrange: two changes of product 7 and one of 8, all three hours old; one of 9 within the bound
    const old = now.getTime() - 3 * HOUR_MS;
    const records = [
      productRecordAt('u', row(7), at(100, old), 0),
      productRecordAt('u', row(7), at(101, old), 1),
      productRecordAt('u', row(8), at(102, old), 2),
      productRecordAt('u', row(9), at(103, now.getTime() - HOUR_MS), 3),
    ];

    // Act
    const { result, lines } = await run({ records, now });

    // Assert
    expect(result.counts).toMatchObject({ ChangesBeyondLagBound: 3 });
    expect(logged(lines, 'Changes older than the lag bound: these products may be off')).toEqual([
      expect.objectContaining({ products: [7, 8], changes: 3, lagBoundHours: 2 }),
    ]);
  });

  it('names at most 100 products in that warning, however many are late', async () => {
    // Arrange
    const old = now.getTime() - 3 * HOUR_MS;
    const records = Array.from({ length: 101 }, (_, index) =>
      productRecordAt('u', row(index + 1), at(100 + index, old), index),
    );

    // Act
    const { result, lines } = await run({ records, now });

    // Assert
    expect(result.counts).toMatchObject({ ChangesBeyondLagBound: 101 });
    const [warning] = logged(lines, 'Changes older than the lag bound: these products may be off');
    expect(warning?.products).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(warning?.changes).toBe(101);
  });

  it('takes a change exactly at the bound as within it', async () => {
    // Arrange
    const records = [productRecordAt('u', row(7), at(100, now.getTime() - 2 * HOUR_MS), 0)];

    // Act
    const { result, lines } = await run({ records, now });

    // Assert
    expect(result.counts).toMatchObject({ ChangesBeyondLagBound: 0 });
    expect(logged(lines, 'Changes older than the lag bound: these products may be off')).toEqual([]);
  });

  it('keeps a pending order line past the bound pending, without a letter: the expiry function decides', async () => {
    // Arrange
    const store: InventoryStore = {
      ...applyingStore(),
      recordOrderLines: async (_productId, items) => ({
        applied: [],
        inCount: [],
        pending: items,
        duplicates: [],
      }),
    };
    const records = [
      orderLine(1, 7, 0, now.getTime() - 3 * HOUR_MS),
      orderLine(2, 7, 1, now.getTime() - HOUR_MS),
    ];

    // Act
    const { result, letters } = await run({ records, store, now });

    // Assert: a letter now and the pending entry would count the line twice once its product arrives
    expect(letters).toEqual([]);
    expect(result.counts).toMatchObject({
      RecordsProcessed: 2,
      OrderLinesPending: 2,
      DLQWrites: 0,
      ChangesBeyondLagBound: 1,
    });
  });
});

describe('BatchProcessor: the time budget', () => {
  it('still writes with exactly the margin left', async () => {
    // Arrange
    const records = [productRecordAt('u', row(7), at(100), 0)];

    // Act
    const { result } = await run({ records, remainingMs: config.timeBudgetMarginMs });

    // Assert
    expect(result.counts).toMatchObject({ ProductsUpserted: 1 });
  });

  it('stops before a write with less than the margin left, for the mapping to redeliver', async () => {
    // Arrange
    const records = [productRecordAt('u', row(7), at(100), 0)];

    // Act
    const outcome = run({ records, remainingMs: config.timeBudgetMarginMs - 1 });

    // Assert
    await expect(outcome).rejects.toMatchObject({
      code: 'TIME_BUDGET_EXHAUSTED',
      message: `Stopped before new writes with ${config.timeBudgetMarginMs - 1} ms left (safety margin ${config.timeBudgetMarginMs} ms); the batch will be redelivered`,
    });
  });
});
