import { describe, expect, it } from 'vitest';
import { ErrorCode, PoisonRecordError } from '../../lambda/errors.js';
import type { OrderItemCreated, ProductUpserted } from '../../lambda/inventory/changes.js';
import { BatchProcessor } from '../../lambda/process-batch.js';
import type { DeadLetter, DeadLetterStore } from '../../lambda/store/dead-letter.js';
import type { InventoryStore } from '../../lambda/store/inventory-store.js';
import { Outcome } from '../../lambda/store/outcome.js';
import type { StockReading } from '../../lambda/store/stock-reads.js';
import { createLogger } from '../../lambda/telemetry/powertools.js';
import {
  BASE_TS_MS,
  kafkaRecord,
  mskEvent,
  orderItemRecordAt,
  PRODUCTS_TOPIC,
  productRecordAt,
  type TestKafkaRecord,
} from '../support/debezium.js';

const config = {
  productsTopic: PRODUCTS_TOPIC,
  orderItemsTopic: 'dbserver1.public.order_items',
  priceScale: 2,
  lowStockThreshold: 10,
  timeBudgetMarginMs: 0,
  writeConcurrency: 4,
  sourceEpoch: 0,
  stockModel: 'orders',
  lagBoundHours: 192,
} as const;

const at = (lsn: number) => ({ lastCommit: lsn - 1, lsn, tsMs: BASE_TS_MS + lsn });
const row = (id: number, stock = 50) => ({
  id,
  name: `P${id}`,
  description: null,
  price: '1.00',
  stock_quantity: stock,
});

/** A store whose answers a test scripts: it refuses what `refuse` says and records every call. */
class ScriptedStore implements InventoryStore {
  readonly calls: string[] = [];
  constructor(
    private readonly refuse: (changes: readonly (ProductUpserted | OrderItemCreated)[]) => boolean = () =>
      false,
    private readonly orders: Partial<Awaited<ReturnType<InventoryStore['recordOrderLines']>>> = {},
    private readonly stocks: ReadonlyMap<number, StockReading> = new Map(),
  ) {}

  upsertProductGroup: InventoryStore['upsertProductGroup'] = async (changes) => {
    this.calls.push(`upsert ${changes.map((change) => change.record.offset).join(',')}`);
    if (this.refuse(changes)) throw new PoisonRecordError(ErrorCode.STORE_REJECTED, 'refused');
    return { applied: changes, duplicates: [], stale: [] };
  };
  deleteProduct: InventoryStore['deleteProduct'] = async (change) => {
    this.calls.push(`delete ${change.record.offset}`);
    return Outcome.APPLIED;
  };
  recordOrderLines: InventoryStore['recordOrderLines'] = async (_productId, items) => {
    this.calls.push(`orders ${items.map((item) => item.record.offset).join(',')}`);
    if (this.refuse(items)) throw new PoisonRecordError(ErrorCode.STORE_REJECTED, 'refused');
    return { applied: items, inCount: [], pending: [], duplicates: [], ...this.orders };
  };
  truncateProducts: InventoryStore['truncateProducts'] = async () => {
    this.calls.push('truncate');
    return { removed: 0, kept: 0 };
  };
  readStocks: InventoryStore['readStocks'] = async (productIds) => {
    this.calls.push(`read ${productIds.join(',')}`);
    return new Map([...this.stocks].filter(([id]) => productIds.includes(id)));
  };
}

const collectingDeadLetters = () => {
  const letters: DeadLetter[] = [];
  const store: DeadLetterStore = {
    put: async (letter) => {
      letters.push(letter);
      return `${letter.record.topic}/${letter.record.partition}/${letter.record.offset}.json`;
    },
  };
  return { letters, store };
};

const process = async (
  records: TestKafkaRecord[],
  store: InventoryStore,
  deadLetters = collectingDeadLetters(),
) => {
  const event = mskEvent(records);
  const processor = new BatchProcessor(
    { config, store, deadLetters: deadLetters.store, logger: createLogger() },
    event,
    () => 60_000,
  );
  return { result: await processor.process(event), letters: deadLetters.letters };
};

describe('BatchProcessor outcomes', () => {
  it('splits a refused folded write and dead-letters only the changes refused on their own', async () => {
    // Prepare: three upserts of one product fold into one write; DynamoDB refuses any write that holds offset 1
    const records = [0, 1, 2].map((offset) =>
      productRecordAt('u', row(7, 50 - offset), at(100 + offset), offset),
    );
    const store = new ScriptedStore((changes) => changes.some((change) => change.record.offset === 1));

    // Act
    const { result, letters } = await process(records, store);

    // Assess
    expect(store.calls).toEqual(['upsert 0,1,2', 'upsert 0', 'upsert 1', 'upsert 2']);
    expect(letters.map((letter) => [letter.record.offset, letter.error.code])).toEqual([
      [1, 'STORE_REJECTED'],
    ]);
    expect(result.counts).toMatchObject({
      RecordsProcessed: 3,
      ProductsUpserted: 2,
      DLQWrites: 1,
      ProcessingErrors: 1,
      DynamoDbWrites: 4,
    });
  });

  it('splits a refused group of order lines and dead-letters each refused one, losing none', async () => {
    // Prepare
    const records = [0, 1, 2].map((offset) =>
      orderItemRecordAt(
        { id: 10 + offset, order_id: 1, product_id: 7, quantity: 1 },
        at(200 + offset),
        offset,
      ),
    );
    const store = new ScriptedStore(() => true);

    // Act
    const { result, letters } = await process(records, store);

    // Assess
    expect(store.calls).toEqual(['orders 0,1,2', 'orders 0', 'orders 1', 'orders 2']);
    expect(letters.map((letter) => letter.record.offset)).toEqual([0, 1, 2]);
    expect(result.counts).toMatchObject({ RecordsProcessed: 3, StockDecremented: 0, DLQWrites: 3 });
  });

  it('counts pending, in-count and duplicate order lines, each record once', async () => {
    // Prepare
    const records = [0, 1, 2, 3].map((offset) =>
      orderItemRecordAt(
        { id: 10 + offset, order_id: 1, product_id: 7, quantity: 1 },
        at(200 + offset),
        offset,
      ),
    );
    const [first, second, third, fourth] = records;
    const store = new ScriptedStore(() => false, {}, new Map([[7, { stock: 3, name: 'P7' }]]));
    store.recordOrderLines = async (_productId, items) => ({
      applied: items.filter(({ record }) => record.offset === first?.offset),
      pending: items.filter(({ record }) => record.offset === second?.offset),
      inCount: items.filter(({ record }) => record.offset === third?.offset),
      duplicates: items.filter(({ record }) => record.offset === fourth?.offset),
    });

    // Act
    const { result, letters } = await process(records, store);

    // Assess
    expect(letters).toEqual([]);
    expect(result.counts).toMatchObject({
      RecordsProcessed: 4,
      StockDecremented: 1,
      OrderLinesPending: 1,
      OrderLinesInCount: 1,
      DuplicatesSkipped: 1,
      LowStockAlerts: 1,
    });
    expect(result.lowStockAlerts).toEqual([{ productId: 7, name: 'P7', stock: 3, threshold: 10 }]);
  });

  it('applies a change delivered twice in one batch once, whatever its offsets', async () => {
    // Prepare: a connector re-emission inside one batch: same position, another offset
    const original = productRecordAt('u', row(7), at(100), 0);
    const copy = { ...productRecordAt('u', row(7), at(100), 5) };
    const store = new ScriptedStore();

    // Act
    const { result } = await process([original, copy], store);

    // Assess
    expect(store.calls).toEqual(['upsert 0']);
    expect(result.counts).toMatchObject({ RecordsProcessed: 2, DuplicatesSkipped: 1, ProductsUpserted: 1 });
  });

  it('dead-letters poison before any write and keeps the rest of the batch', async () => {
    // Prepare
    const records = [
      kafkaRecord(PRODUCTS_TOPIC, 0, 0, '{"op":'),
      productRecordAt('c', row(7), at(100), 1),
      kafkaRecord(PRODUCTS_TOPIC, 0, 2, ''),
    ];
    const deadLetters = collectingDeadLetters();
    const store = new ScriptedStore();
    const order: string[] = [];
    const put = deadLetters.store.put;
    deadLetters.store.put = async (letter) => {
      order.push(`letter ${letter.record.offset}`);
      return put(letter);
    };
    const upsert = store.upsertProductGroup;
    store.upsertProductGroup = async (changes) => {
      order.push('upsert');
      return upsert(changes);
    };

    // Act
    const { result, letters } = await process(records, store, deadLetters);

    // Assess
    expect(order).toEqual(['letter 0', 'letter 2', 'upsert']);
    expect(letters.map((letter) => letter.error.code)).toEqual(['INVALID_JSON', 'EMPTY_VALUE']);
    expect(result.counts).toMatchObject({ RecordsProcessed: 3, DLQWrites: 2, ProductsUpserted: 1 });
  });

  it('fails the invocation (no dead letter) when the store fails for a reason that is not the record', async () => {
    // Prepare
    const store = new ScriptedStore();
    store.recordOrderLines = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    };
    const records = [orderItemRecordAt({ id: 1, order_id: 1, product_id: 7, quantity: 1 }, at(200), 0)];

    // Act
    const outcome = process(records, store);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
