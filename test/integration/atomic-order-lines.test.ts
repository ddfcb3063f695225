import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderItemCreated, ProductColumns, ProductUpserted } from '../../lambda/inventory/changes.js';
import { readItem } from '../../lambda/store/item-reader.js';
import { recordOrderLines } from '../../lambda/store/order-writes.js';
import { upsertProductGroup } from '../../lambda/store/product-writes.js';
import type { StoreContext } from '../../lambda/store/store-context.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { plainItem, startLocalService } from '../../scripts/local/local-service.js';
import { BASE_TS_MS, mskEvent, orderItemRecordAt, productRecordAt } from '../support/debezium.js';
import { seededRandom } from '../support/fault-injection.js';
import { injectTransactionConflicts } from '../support/transaction-conflicts.js';
import { orderItemCreated, positionAt, productUpserted } from '../unit/support/changes.js';

const upsertAt = (productId: number, lsn: number, columns: ProductColumns): ProductUpserted =>
  productUpserted(productId, lsn, { position: positionAt(lsn), columns });

/** `count` order lines of one product, each its own committed change from `lsn` on, over a few partitions. */
const orderLines = (productId: number, count: number, lsn: number, firstId = 0): OrderItemCreated[] =>
  Array.from({ length: count }, (_, index) => ({
    ...orderItemCreated(productId, index, 1, index % 5, lsn + index),
    orderItemId: productId * 100_000 + firstId + index,
  }));

/** Records every command a client sends, by name, in order. */
const recordCalls = (client: DynamoDBClient): string[] => {
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return calls;
};

describe('order lines as commutative updates (lambda/store/order-writes.ts)', () => {
  let aws: EmbeddedAws;
  let calls: string[];
  let tables = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    calls = recordCalls(aws.dynamoDb);
  });

  afterAll(async () => {
    await aws.stop();
  });

  const context = async (client: DynamoDBClient = aws.dynamoDb): Promise<StoreContext> => {
    tables += 1;
    const tableName = `atomic-${tables}`;
    await aws.createTable(tableName);
    await aws.createLedgerTable(`${tableName}-ledger`);
    return {
      client,
      tableName,
      ledgerTableName: `${tableName}-ledger`,
      stockModel: 'orders',
      ledgerRetentionSeconds: 3600,
      now: () => new Date(),
    };
  };

  const stockOf = async (store: StoreContext, productId: number): Promise<unknown> => {
    const item = await readItem(aws.dynamoDb, store.tableName, productId);
    return item === undefined ? undefined : plainItem(item).stock_quantity;
  };

  const created = async (store: StoreContext, productId: number, stock: number, lsn = 10) => {
    await upsertProductGroup(store, [
      upsertAt(productId, lsn, { name: `P${productId}`, price: '1.00', stockQuantity: stock }),
    ]);
    calls.length = 0;
  };

  it('writes a product’s order lines with one transaction and no read first', async () => {
    // Prepare
    const store = await context();
    await created(store, 1, 100);

    // Act
    const result = await recordOrderLines(store, 1, orderLines(1, 7, 1_000));

    // Assess
    expect(calls).toEqual(['TransactWriteItemsCommand']);
    expect(result).toMatchObject({ attempts: 1 });
    expect(result.applied).toHaveLength(7);
    expect(await stockOf(store, 1)).toBe(93);
  });

  it('drops lines already in the ledger from the refused transaction, with no read', async () => {
    // Prepare: the first five were applied by an earlier delivery
    const store = await context();
    await created(store, 2, 100);
    const lines = orderLines(2, 8, 1_000);
    await recordOrderLines(store, 2, lines.slice(0, 5));
    calls.length = 0;

    // Act: the mapping redelivers them with three new ones, in another order
    const result = await recordOrderLines(store, 2, [...lines].reverse());

    // Assess
    expect(calls).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(result.duplicates).toHaveLength(5);
    expect(result.applied).toHaveLength(3);
    expect(await stockOf(store, 2)).toBe(92);
  });

  it('learns from the refused condition that a count was set after some lines, with no read', async () => {
    // Prepare: a stock-take at LSN 2,000 already counts the lines committed before it
    const store = await context();
    await created(store, 3, 100);
    await upsertProductGroup(store, [upsertAt(3, 2_000, { stockQuantity: 50 })]);
    calls.length = 0;
    const before = orderLines(3, 2, 1_500);
    const after = orderLines(3, 3, 2_500, 10);

    // Act
    const result = await recordOrderLines(store, 3, [...before, ...after]);

    // Assess
    expect(calls).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(result.inCount).toHaveLength(2);
    expect(result.applied).toHaveLength(3);
    expect(await stockOf(store, 3)).toBe(47);
  });

  it('learns from the refused condition that the product is absent, keeps the lines pending, and its create counts them', async () => {
    // Prepare
    const store = await context();
    calls.length = 0;

    // Act
    const early = await recordOrderLines(store, 4, orderLines(4, 4, 2_000));
    const readsBeforeCreate = calls.filter((call) => call === 'GetItemCommand').length;
    await upsertProductGroup(store, [upsertAt(4, 1_000, { name: 'P4', price: '1.00', stockQuantity: 30 })]);

    // Assess
    expect(readsBeforeCreate).toBe(0);
    expect(early.pending).toHaveLength(4);
    expect(await stockOf(store, 4)).toBe(26);
  });

  it('retries transactions DynamoDB cancels for conflict inside the call, and counts each line once', async () => {
    // Prepare: half the writes are refused as real DynamoDB refuses them while another transaction holds the item
    const store = await context();
    await created(store, 5, 1_000);
    const conflicts = injectTransactionConflicts(store.client, 0.5, seededRandom(7));

    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, writer) =>
        recordOrderLines(store, 5, orderLines(5, 5, 1_000 + writer * 10, writer * 10)),
      ),
    );
    conflicts.rate = 0;

    // Assess
    expect(conflicts.injected.transactions).toBeGreaterThan(5);
    expect(results.reduce((sum, result) => sum + result.applied.length, 0)).toBe(100);
    expect(results.reduce((sum, result) => sum + (result.attempts ?? 1), 0)).toBe(
      20 + conflicts.injected.transactions,
    );
    expect(await stockOf(store, 5)).toBe(900);
  });

  it('retries a price edit that met a transaction holding the item, without failing', async () => {
    // Prepare
    const store = await context();
    await created(store, 6, 40);
    const conflicts = injectTransactionConflicts(store.client, 1, () => 0);

    // Act
    const editing = upsertProductGroup(store, [upsertAt(6, 2_000, { price: '2.00', stockQuantity: 40 })]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    conflicts.rate = 0;
    const result = await editing;

    // Assess
    expect(conflicts.injected.updates).toBeGreaterThan(0);
    expect(result.applied).toHaveLength(1);
    expect(plainItem((await readItem(aws.dynamoDb, store.tableName, 6)) ?? {})).toMatchObject({
      price: '2.00',
      stock_quantity: 40,
    });
  });
});

describe('a hot product ordered from many partitions at once, through the handler', () => {
  it('never fails an invocation for contention, even when DynamoDB cancels transactions that collide', async () => {
    // Prepare: 60 order_items partitions, 5 lines each of product 1, every invocation in flight together;
    // 5 ms per call, and a third of the writes refused as real DynamoDB refuses colliding transactions
    const aws = await startEmbeddedAws();
    let conflicts: ReturnType<typeof injectTransactionConflicts> | undefined;
    const service = await startLocalService({
      aws,
      env: { DYNAMODB_TABLE: 'hot-product', DLQ_S3_BUCKET: 'hot-product' },
      configureClients: ({ dynamoDb }) => {
        dynamoDb.middlewareStack.add(
          (next) => async (args) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            return next(args);
          },
          { step: 'initialize', name: 'latency' },
        );
        conflicts = injectTransactionConflicts(dynamoDb, 0, seededRandom(11));
      },
    });
    const row = { id: 1, name: 'Console', description: null, price: '499.00', stock_quantity: 5_000 };
    await service.invoke(
      mskEvent([productRecordAt('c', row, { lastCommit: 5, lsn: 10, tsMs: BASE_TS_MS }, 0)]),
    );
    (conflicts as NonNullable<typeof conflicts>).rate = 1 / 3;
    const batches = Array.from({ length: 60 }, (_, partition) =>
      mskEvent(
        Array.from({ length: 5 }, (_, index) => {
          const lsn = 1_000 + partition * 10 + index;
          const line = { id: partition * 10 + index + 1, order_id: partition, product_id: 1, quantity: 2 };
          return orderItemRecordAt(
            line,
            { lastCommit: lsn - 1, lsn, tsMs: BASE_TS_MS + lsn },
            index,
            partition,
          );
        }),
      ),
    );

    try {
      // Act
      const outcomes = await Promise.allSettled(batches.map((event) => service.invoke(event)));

      // Assess
      const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
      const counts = outcomes.flatMap((outcome) =>
        outcome.status === 'fulfilled' ? [outcome.value.counts] : [],
      );
      const sum = (name: string) =>
        counts.reduce((total, count) => total + ((count as Record<string, number>)[name] ?? 0), 0);
      expect(failed).toEqual([]);
      expect(conflicts?.injected.transactions).toBeGreaterThan(0);
      expect(sum('StockDecremented')).toBe(300);
      expect(sum('DynamoDbWriteAttempts')).toBeGreaterThan(sum('DynamoDbWrites'));
      const [item] = await service.scanInventory();
      expect(item).toMatchObject({ product_id: 1, stock_quantity: 5_000 - 600 });
    } finally {
      await service.stop();
      await aws.stop();
    }
  });
});
