import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InventoryChange } from '../../lambda/inventory/changes.js';
import { BatchProcessor } from '../../lambda/process-batch.js';
import type { DeadLetterStore } from '../../lambda/store/dead-letter.js';
import type { InventoryStore } from '../../lambda/store/inventory-store.js';
import { Outcome } from '../../lambda/store/outcome.js';
import { createLogger } from '../../lambda/telemetry/powertools.js';
import {
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemEnvelope,
  PRODUCTS_TOPIC,
  productEnvelope,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { seededRandom } from '../support/fault-injection.js';

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

const idOf = ({ record }: InventoryChange): string => `${record.topic}-${record.partition}-${record.offset}`;

/**
 * A fake table that only watches scheduling: how many writes are in flight, whether one product ever has
 * two at once, and in which order each product's records reach it. Storage itself is tested elsewhere.
 */
class SchedulingProbe implements InventoryStore {
  inFlight = 0;
  maxInFlight = 0;
  sameProductOverlaps = 0;
  readonly #busyProducts = new Set<number>();
  readonly seenByProduct = new Map<number, string[]>();
  readonly #delay: () => number;

  constructor(delay: () => number) {
    this.#delay = delay;
  }

  async #write<T>(productId: number, changes: readonly InventoryChange[], result: T): Promise<T> {
    if (this.#busyProducts.has(productId)) this.sameProductOverlaps += 1;
    this.#busyProducts.add(productId);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const seen = this.seenByProduct.get(productId) ?? [];
    this.seenByProduct.set(productId, [...seen, ...changes.map(idOf)]);
    await sleep(this.#delay());
    this.inFlight -= 1;
    this.#busyProducts.delete(productId);
    return result;
  }

  upsertProductGroup: InventoryStore['upsertProductGroup'] = (changes) =>
    this.#write(changes[0]?.productId as number, changes, { applied: changes, duplicates: [], stale: [] });
  deleteProduct: InventoryStore['deleteProduct'] = (change) =>
    this.#write(change.productId, [change], Outcome.APPLIED);
  recordOrderLines: InventoryStore['recordOrderLines'] = (productId, items) =>
    this.#write(productId, items, {
      applied: items,
      inCount: [],
      pending: [],
      duplicates: [],
    });
  truncateProducts: InventoryStore['truncateProducts'] = async () => ({ removed: 0, kept: 0 });
  readStocks: InventoryStore['readStocks'] = async (productIds) =>
    new Map(productIds.map((id) => [id, { stock: 100, name: undefined }]));
}

const noDeadLetters: DeadLetterStore = {
  put: () => Promise.reject(new Error('no record in this batch is poison')),
};

const config = {
  productsTopic: PRODUCTS_TOPIC,
  orderItemsTopic: ORDER_ITEMS_TOPIC,
  priceScale: 2,
  lowStockThreshold: 10,
  timeBudgetMarginMs: 0,
  sourceEpoch: 0,
  stockModel: 'orders',
  lagBoundHours: 192,
} as const;

/**
 * A mixed batch: product changes on 2 partitions and order items on 4, for `products` products, skewed so
 * product 1 takes a third of the orders; each product's changes are interleaved with everyone else's.
 */
const buildBatch = (random: () => number, products: number, events: number) => {
  const offsets = new Map<string, number>();
  const expected = new Map<number, string[]>();
  const records: TestKafkaRecord[] = [];
  const append = (topic: string, partition: number, productId: number, value: unknown): void => {
    const mapKey = `${topic}-${partition}`;
    const offset = offsets.get(mapKey) ?? 0;
    offsets.set(mapKey, offset + 1);
    records.push(kafkaRecord(topic, partition, offset, value, { id: productId }));
    expected.set(productId, [...(expected.get(productId) ?? []), `${mapKey}-${offset}`]);
  };
  for (let index = 0; index < events; index++) {
    const productId = random() < 0.33 ? 1 : 1 + Math.floor(random() * products);
    if (random() < 0.25) {
      const row = {
        id: productId,
        name: `P${productId}`,
        description: null,
        price: '1.00',
        stock_quantity: 50,
      };
      append(PRODUCTS_TOPIC, productId % 2, productId, productEnvelope('u', row, 1_000 + index));
    } else {
      const row = { id: index + 1, order_id: index, product_id: productId, quantity: 1 };
      append(
        ORDER_ITEMS_TOPIC,
        Math.floor(random() * 4),
        productId,
        orderItemEnvelope('c', row, 9_000 + index),
      );
    }
  }
  return { event: mskEvent(records), expected };
};

/** Each product's records in the order the batch delivers them: partition by partition, as flattened. */
const deliveryOrder = (event: ReturnType<typeof mskEvent>, expected: Map<number, string[]>) => {
  const rank = new Map<string, number>();
  for (const records of Object.values(event.records)) {
    for (const record of records) rank.set(`${record.topic}-${record.partition}-${record.offset}`, rank.size);
  }
  return new Map(
    [...expected].map(([productId, ids]) => [
      productId,
      [...ids].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0)),
    ]),
  );
};

describe('BatchProcessor scheduling', () => {
  it('keeps each product’s writes sequential and in delivery order, with at most the limit in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        async (limit, products, seed) => {
          // Prepare
          const random = seededRandom(seed);
          const { event, expected } = buildBatch(random, products, 200);
          const store = new SchedulingProbe(() => Math.floor(random() * 3));
          const processor = new BatchProcessor(
            {
              config: { ...config, writeConcurrency: limit },
              store,
              deadLetters: noDeadLetters,
              logger: createLogger(),
            },
            event,
            () => 60_000,
          );

          // Act
          const result = await processor.process(event);

          // Assess
          expect(store.sameProductOverlaps).toBe(0);
          expect(store.maxInFlight).toBeLessThanOrEqual(limit);
          expect(store.maxInFlight).toBe(Math.min(limit, expected.size));
          expect(store.inFlight).toBe(0);
          expect(store.seenByProduct).toEqual(deliveryOrder(event, expected));
          expect(result.counts.RecordsProcessed).toBe(200);
        },
      ),
      { numRuns: 25 },
    );
  });
});
