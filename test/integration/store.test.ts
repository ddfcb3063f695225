import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderItemCreated, ProductColumns, ProductUpserted } from '../../lambda/inventory/changes.js';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { readItem } from '../../lambda/store/item-reader.js';
import { recordOrderLines } from '../../lambda/store/order-writes.js';
import { deleteProduct, upsertProductGroup } from '../../lambda/store/product-writes.js';
import type { StoreContext } from '../../lambda/store/store-context.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { plainItem } from '../../scripts/local/local-service.js';
import { orderItemCreated, positionAt, productDeleted, productUpserted } from '../unit/support/changes.js';

const upsertAt = (productId: number, lsn: number, columns: ProductColumns): ProductUpserted =>
  productUpserted(productId, lsn, { position: positionAt(lsn), columns });

/** Order lines of one product spread over `partitions` order_items partitions, committed from `lsn` on. */
const orderLines = (productId: number, count: number, partitions: number, lsn: number): OrderItemCreated[] =>
  Array.from({ length: count }, (_, index) => ({
    ...orderItemCreated(productId, index, 1, index % partitions, lsn + index),
    orderItemId: productId * 100_000 + index,
  }));

/** Counts the commands a client sends, by name. */
const countCalls = (client: DynamoDBClient): Map<string, number> => {
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.set(context.commandName as string, (calls.get(context.commandName as string) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return calls;
};

/** DynamoDB's item size: attribute names plus values (strings and numbers by their text, roughly). */
const itemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + name.length + JSON.stringify(value).length, 0);

describe('the store on DynamoDB Local', () => {
  let aws: EmbeddedAws;
  let calls: Map<string, number>;
  let tables = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    calls = countCalls(aws.dynamoDb);
  });

  afterAll(async () => {
    await aws.stop();
  });

  const context = async (stockModel: StockModel = 'orders'): Promise<StoreContext> => {
    tables += 1;
    const tableName = `store-${tables}`;
    await aws.createTable(tableName);
    await aws.createLedgerTable(`${tableName}-ledger`);
    return {
      client: aws.dynamoDb,
      tableName,
      ledgerTableName: `${tableName}-ledger`,
      stockModel,
      ledgerRetentionSeconds: 3600,
      now: () => new Date(),
    };
  };

  const stored = async (store: StoreContext, productId: number) => {
    const item = await readItem(store.client, store.tableName, productId);
    return item === undefined ? undefined : plainItem(item);
  };

  it('creates a product from a run of upserts with one transaction after the refused blind write, later columns winning', async () => {
    // Prepare
    const store = await context();
    const changes = [
      upsertAt(1, 10, { name: 'Laptop', description: 'fast', price: '10.00', stockQuantity: 5 }),
      upsertAt(1, 20, { name: 'Laptop Pro', description: null }),
      upsertAt(1, 30, { price: '12.00' }),
    ];
    calls.clear();

    // Act
    const result = await upsertProductGroup(store, changes);

    // Assess
    expect(result.applied).toHaveLength(3);
    expect(Object.fromEntries(calls)).toEqual({
      UpdateItemCommand: 1,
      GetItemCommand: 3,
      TransactWriteItemsCommand: 1,
    });
    expect(await stored(store, 1)).toMatchObject({ name: 'Laptop Pro', price: '12.00', stock_quantity: 5 });
    expect((await stored(store, 1))?.description).toBeUndefined();
  });

  it('edits an existing product with one conditional update and no read', async () => {
    // Prepare
    const store = await context();
    await upsertProductGroup(store, [upsertAt(1, 10, { name: 'Laptop', price: '10.00', stockQuantity: 5 })]);
    calls.clear();

    // Act
    await upsertProductGroup(store, [upsertAt(1, 20, { price: '11.00', stockQuantity: 5 })]);

    // Assess
    expect(Object.fromEntries(calls)).toEqual({ UpdateItemCommand: 1 });
    expect(await stored(store, 1)).toMatchObject({ price: '11.00', stock_quantity: 5 });
  });

  it('keeps the item the same size whatever the number of order lines and partitions', async () => {
    // Prepare
    const store = await context();
    await upsertProductGroup(store, [
      upsertAt(1, 10, { name: 'Laptop', price: '10.00', stockQuantity: 1_000 }),
    ]);
    await upsertProductGroup(store, [
      upsertAt(2, 11, { name: 'Mouse', price: '10.00', stockQuantity: 1_000 }),
    ]);
    await recordOrderLines(store, 1, orderLines(1, 4, 4, 1_000));
    const small = await stored(store, 1);
    calls.clear();

    // Act: 300 order lines from 200 partitions, more than one transaction can hold
    const result = await recordOrderLines(store, 2, orderLines(2, 300, 200, 2_000));

    // Assess
    const big = await stored(store, 2);
    expect(result.applied).toHaveLength(300);
    expect(big?.stock_quantity).toBe(700);
    expect(calls.get('TransactWriteItemsCommand')).toBe(4);
    expect(Object.keys(big ?? {}).sort()).toEqual(Object.keys(small ?? {}).sort());
    expect(itemBytes(big ?? {})).toBeLessThanOrEqual(itemBytes(small ?? {}) + 8);
  });

  it('skips every order line of a redelivered group as a duplicate, even split differently', async () => {
    // Prepare
    const store = await context();
    await upsertProductGroup(store, [
      upsertAt(1, 10, { name: 'Laptop', price: '10.00', stockQuantity: 500 }),
    ]);
    const lines = orderLines(1, 120, 7, 1_000);
    await recordOrderLines(store, 1, lines.slice(0, 70));

    // Act
    const again = await recordOrderLines(store, 1, [...lines].reverse());

    // Assess
    expect(again.duplicates).toHaveLength(70);
    expect(again.applied).toHaveLength(50);
    expect((await stored(store, 1))?.stock_quantity).toBe(380);
  });

  it('updates, decrements and deletes an item written by the Python inventory-service', async () => {
    // Prepare: the seed's item shape, no bookkeeping at all
    const store = await context();
    await aws.dynamoDb.send(
      new PutItemCommand({
        TableName: store.tableName,
        Item: {
          product_id: { N: '7' },
          name: { S: 'Old name' },
          description: { S: 'from the old service' },
          price: { S: '5.00' },
          stock_quantity: { N: '30' },
          last_updated: { S: '2024-01-01T00:00:00' },
          cdc_timestamp: { N: '1700000000000' },
        },
      }),
    );

    // Act
    await recordOrderLines(store, 7, orderLines(7, 2, 2, 1_000));
    const afterOrders = await stored(store, 7);
    await upsertProductGroup(store, [
      upsertAt(7, 2_000, { name: 'New name', price: '6.00', stockQuantity: 25 }),
    ]);
    const afterUpdate = await stored(store, 7);
    await recordOrderLines(
      store,
      7,
      orderLines(7, 3, 2, 3_000).map((line) => ({ ...line, orderItemId: line.orderItemId + 50 })),
    );
    const afterMore = await stored(store, 7);
    const outcome = await deleteProduct(store, { ...productDeleted(7, 0), position: positionAt(4_000) });

    // Assess
    expect(afterOrders?.stock_quantity).toBe(28);
    expect(afterUpdate).toMatchObject({ name: 'New name', price: '6.00', stock_quantity: 25 });
    expect(afterMore?.stock_quantity).toBe(22);
    expect(outcome).toBe('APPLIED');
    expect(await stored(store, 7)).toBeUndefined();
  });

  it('keeps order lines of an absent product pending and counts them when it is created', async () => {
    // Prepare
    const store = await context();
    const early = orderLines(3, 5, 3, 2_000);

    // Act
    const pending = await recordOrderLines(store, 3, early);
    await upsertProductGroup(store, [upsertAt(3, 1_500, { name: 'Hub', price: '1.00', stockQuantity: 50 })]);

    // Assess
    expect(pending.pending).toHaveLength(5);
    expect((await stored(store, 3))?.stock_quantity).toBe(45);
  });

  it('counts an order line recorded while a create was between its read and its write', async () => {
    // Prepare: the create reads the ledger, an order line lands, then the create writes
    const store = await context();
    let raced = false;
    const racing: StoreContext = {
      ...store,
      client: new Proxy(store.client, {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return async (command: { constructor: { name: string } }) => {
            if (command.constructor.name === 'TransactWriteItemsCommand' && !raced) {
              raced = true;
              await recordOrderLines(store, 4, orderLines(4, 1, 1, 2_000));
            }
            return target.send(command as never);
          };
        },
      }),
    };

    // Act
    await upsertProductGroup(racing, [upsertAt(4, 1_500, { name: 'Key', price: '1.00', stockQuantity: 10 })]);

    // Assess
    expect(raced).toBe(true);
    expect((await stored(store, 4))?.stock_quantity).toBe(9);
  });
});
