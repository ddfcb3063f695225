import { readFileSync } from 'node:fs';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import { captureOutput, emittedMetrics } from '../support/captured-output.js';
import {
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemEnvelope,
  orderItemRecord,
  PRODUCTS_TOPIC,
  type ProductRow,
  productRecord,
} from '../support/debezium.js';

const laptop: ProductRow = {
  id: 1001,
  name: 'Laptop',
  description: 'High-performance laptop',
  price: '1299.99',
  stock_quantity: 45,
};
const mouse: ProductRow = {
  id: 1002,
  name: 'Wireless Mouse',
  description: null,
  price: '24.99',
  stock_quantity: 12,
};

describe('handler against embedded DynamoDB and S3', () => {
  let aws: EmbeddedAws;
  let service: LocalService;
  let run = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws.stop();
  });

  // A fresh table, ledger and bucket per test: the ledger remembers deletes and order lines for good.
  beforeEach(async () => {
    run += 1;
    service = await startLocalService({
      aws,
      env: { DYNAMODB_TABLE: `handler-${run}`, DLQ_S3_BUCKET: `handler-${run}` },
    });
  });

  afterEach(async () => {
    await service.stop();
  });

  it('upserts products with the seed item shape and exact price strings', async () => {
    // Prepare
    const event = mskEvent([productRecord('r', laptop, 0), productRecord('c', mouse, 1)]);

    // Act
    const summary = await service.invoke(event);

    // Assess
    const items = await service.scanInventory();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      product_id: 1001,
      name: 'Laptop',
      description: 'High-performance laptop',
      price: '1299.99',
      stock_quantity: 45,
      // epoch, tier, last commit LSN and change LSN in fixed-width hex (inventory/position.ts)
      cdc_position: expect.stringMatching(/^[0-9a-f]{37}$/),
    });
    expect(items[0]?.last_updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof items[0]?.cdc_timestamp).toBe('number');
    expect(items[1]).not.toHaveProperty('description');
    expect(summary.counts.ProductsUpserted).toBe(2);
  });

  it('applies an update, keeps a TOAST-placeholder column, and deletes on op d with its tombstone skipped', async () => {
    // Prepare
    const update = productRecord(
      'u',
      { ...laptop, description: '__debezium_unavailable_value', price: '1199.00' },
      1,
    );
    const tombstone = kafkaRecord(PRODUCTS_TOPIC, 0, 4, null, { id: mouse.id });
    const event = mskEvent([
      productRecord('c', laptop, 0),
      update,
      productRecord('c', mouse, 2),
      productRecord('d', mouse, 3),
      tombstone,
    ]);

    // Act
    const summary = await service.invoke(event);

    // Assess
    const items = await service.scanInventory();
    expect(items.map((item) => item.product_id)).toEqual([1001]);
    expect(items[0]).toMatchObject({ price: '1199.00', description: 'High-performance laptop' });
    expect(summary.counts).toMatchObject({ ProductsUpserted: 3, ProductsDeleted: 1, TombstonesSkipped: 1 });
  });

  it('decrements stock once per order item, even when the batch is delivered again', async () => {
    // Prepare
    await service.invoke(mskEvent([productRecord('c', laptop, 0)]));
    const orders = mskEvent([
      orderItemRecord({ id: 1, order_id: 9001, product_id: 1001, quantity: 2 }, 10, 0),
      orderItemRecord({ id: 2, order_id: 9002, product_id: 1001, quantity: 3 }, 7, 1),
      orderItemRecord({ id: 3, order_id: 9002, product_id: 1001, quantity: 1 }, 11, 0),
    ]);

    // Act
    const first = await service.invoke(orders);
    const second = await service.invoke(orders);

    // Assess
    const [item] = await service.scanInventory();
    expect(item?.stock_quantity).toBe(45 - 6);
    expect(Object.keys(item ?? {}).sort()).toEqual([
      'cdc_position',
      'cdc_timestamp',
      'description',
      'last_updated',
      'name',
      'price',
      'product_id',
      'source_stock',
      'stock_position',
      'stock_quantity',
    ]);
    expect(first.counts.StockDecremented).toBe(3);
    expect(second.counts).toMatchObject({ StockDecremented: 0, DuplicatesSkipped: 3 });
  });

  it('applies only the unapplied suffix when a redelivered batch overlaps an applied one', async () => {
    // Prepare
    await service.invoke(mskEvent([productRecord('c', laptop, 0)]));
    const a = orderItemRecord({ id: 1, order_id: 1, product_id: 1001, quantity: 1 }, 0);
    const b = orderItemRecord({ id: 2, order_id: 1, product_id: 1001, quantity: 2 }, 1);
    const c = orderItemRecord({ id: 3, order_id: 1, product_id: 1001, quantity: 4 }, 2);
    await service.invoke(mskEvent([a, b]));

    // Act
    const summary = await service.invoke(mskEvent([a, b, c]));

    // Assess
    const [item] = await service.scanInventory();
    expect(item?.stock_quantity).toBe(45 - 7);
    expect(summary.counts).toMatchObject({ StockDecremented: 1, DuplicatesSkipped: 2 });
  });

  it('warns once and emits LowStockAlerts when a decrement leaves stock below the threshold', async () => {
    // Prepare
    await service.invoke(mskEvent([productRecord('c', mouse, 0)]));
    const orders = mskEvent([
      orderItemRecord({ id: 1, order_id: 1, product_id: 1002, quantity: 2 }, 0, 0),
      orderItemRecord({ id: 2, order_id: 2, product_id: 1002, quantity: 3 }, 0, 1),
    ]);

    // Act
    const { result, lines } = await captureOutput(() => service.invoke(orders));

    // Assess
    const warnings = lines.filter((line) => line.message === 'Low stock');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 'WARN',
      productId: 1002,
      name: 'Wireless Mouse',
      stock: 7,
      threshold: 10,
    });
    expect(emittedMetrics(lines)).toMatchObject({ LowStockAlerts: 1, StockDecremented: 2 });
    expect(result.lowStockAlerts).toEqual([
      { productId: 1002, name: 'Wireless Mouse', stock: 7, threshold: 10 },
    ]);
  });

  it('keeps an order for a product not yet in the table pending: no phantom item, no dead letter', async () => {
    // Prepare
    const order = orderItemRecord({ id: 5, order_id: 1, product_id: 4242, quantity: 1 }, 33, 2);

    // Act
    const summary = await service.invoke(mskEvent([order]));

    // Assess
    expect(await service.scanInventory()).toEqual([]);
    expect(await service.listDeadLetters()).toEqual([]);
    expect(summary.counts).toMatchObject({ OrderLinesPending: 1, DLQWrites: 0, RecordsProcessed: 1 });
  });

  it('keeps an order whose product is still missing past the lag bound pending, with a WARN and no letter', async () => {
    // Prepare: committed nine days ago (the bound is 192 h)
    const nineDaysAgo = Date.now() - 9 * 24 * 3_600_000;
    const row = { id: 5, order_id: 1, product_id: 4242, quantity: 1 };
    const order = kafkaRecord(ORDER_ITEMS_TOPIC, 2, 33, orderItemEnvelope('c', row, 70_000, nineDaysAgo), {
      id: 5,
    });

    // Act
    const { result: summary, lines } = await captureOutput(() => service.invoke(mskEvent([order])));

    // Assess: only the expiry function writes its letter, if no create counted it (never both)
    expect(await service.scanInventory()).toEqual([]);
    expect(await service.listDeadLetters()).toEqual([]);
    expect(summary.counts).toMatchObject({
      OrderLinesPending: 1,
      DLQWrites: 0,
      ChangesBeyondLagBound: 1,
      RecordsProcessed: 1,
    });
    expect(
      lines.find((line) => line.message === 'Changes older than the lag bound: these products may be off'),
    ).toMatchObject({
      level: 'WARN',
      products: [4242],
    });
  });

  it('dead-letters poison records with their code and applies the rest of the batch', async () => {
    // Prepare
    const event = mskEvent([
      kafkaRecord(PRODUCTS_TOPIC, 0, 0, '{"op": "c", "after": '),
      kafkaRecord(PRODUCTS_TOPIC, 0, 1, ''),
      productRecord('c', laptop, 2),
      kafkaRecord('dbserver1.public.customers', 0, 7, { op: 'c', after: { id: 1 } }),
    ]);

    // Act
    const summary = await service.invoke(event);

    // Assess
    expect((await service.scanInventory()).map((item) => item.product_id)).toEqual([1001]);
    const codes = Object.fromEntries(
      (await service.listDeadLetters()).map(({ key, letter }) => [key, letter.error.code]),
    );
    expect(codes).toEqual({
      [`${PRODUCTS_TOPIC}/0/0.json`]: 'INVALID_JSON',
      [`${PRODUCTS_TOPIC}/0/1.json`]: 'EMPTY_VALUE',
      'dbserver1.public.customers/0/7.json': 'UNKNOWN_TOPIC',
    });
    expect(summary.counts).toMatchObject({ DLQWrites: 3, ProductsUpserted: 1, RecordsProcessed: 4 });
  });

  it('skips a product change older than what the item reflects and counts it as stale', async () => {
    // Prepare
    await service.invoke(mskEvent([productRecord('u', { ...laptop, price: '999.00' }, 5, 2_000)]));

    // Act
    const summary = await service.invoke(
      mskEvent([productRecord('u', { ...laptop, price: '1.00' }, 3, 1_500)]),
    );

    // Assess
    const [item] = await service.scanInventory();
    expect(item?.price).toBe('999.00');
    expect(summary.counts.StaleEventsSkipped).toBe(1);
  });

  it('updates and decrements items written by the seed service, which carry no bookkeeping', async () => {
    // Prepare
    await service.aws.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: {
          product_id: { N: '1001' },
          name: { S: 'Laptop' },
          description: { S: 'legacy' },
          price: { S: '1299.99' },
          stock_quantity: { N: '20' },
          last_updated: { S: '2025-01-15T10:30:00' },
          cdc_timestamp: { N: '1736936400000' },
        },
      }),
    );

    // Act
    await service.invoke(
      mskEvent([orderItemRecord({ id: 1, order_id: 1, product_id: 1001, quantity: 4 }, 0)]),
    );

    // Assess
    const [item] = await service.scanInventory();
    expect(item).toMatchObject({ stock_quantity: 16, description: 'legacy' });
  });

  it('updates an existing item from a change that carries only some columns, keeping the others', async () => {
    // Prepare
    await service.invoke(mskEvent([productRecord('c', laptop, 0)]));
    const priceOnly = kafkaRecord(PRODUCTS_TOPIC, 0, 1, {
      op: 'u',
      before: null,
      after: { id: laptop.id, price: '1099.00' },
      source: { lsn: 5_000, ts_ms: 1_736_936_500_000 },
      ts_ms: 1_736_936_500_005,
    });

    // Act
    const summary = await service.invoke(mskEvent([priceOnly]));

    // Assess
    const [item] = await service.scanInventory();
    expect(item).toMatchObject({ price: '1099.00', name: 'Laptop', stock_quantity: 45 });
    expect(summary.counts.ProductsUpserted).toBe(1);
  });

  it('keeps the scale a NUMERIC(12,4) column declares, end to end', async () => {
    // Prepare: a schema envelope whose price schema says scale "4" (base64 of the unscaled 12999950)
    const fixture = JSON.parse(
      readFileSync(
        new URL('../fixtures/debezium/products-create-numeric-12-4.json', import.meta.url),
        'utf8',
      ),
    );
    const record = kafkaRecord(PRODUCTS_TOPIC, 0, 0, fixture, { id: 1010 });

    // Act
    await service.invoke(mskEvent([record]));

    // Assess
    expect((await service.scanInventory())[0]).toMatchObject({ product_id: 1010, price: '1299.9950' });
  });

  it('dead-letters every change of a refused folded write, not only the first', async () => {
    // Prepare: two partial updates (no name) of a product not in the table fold into one refused write
    const partial = (offset: number, price: string) =>
      kafkaRecord(PRODUCTS_TOPIC, 0, offset, {
        op: 'u',
        before: null,
        after: { id: 4040, price },
        source: {
          lsn: 5_000 + offset,
          sequence: JSON.stringify([String(4_990 + offset), String(5_000 + offset)]),
        },
        ts_ms: Date.now(),
      });

    // Act
    const summary = await service.invoke(mskEvent([partial(0, '1.00'), partial(1, '2.00')]));

    // Assess
    expect(await service.scanInventory()).toEqual([]);
    const letters = await service.listDeadLetters();
    expect(letters.map(({ key, letter }) => [key, letter.error.code]).sort()).toEqual([
      [`${PRODUCTS_TOPIC}/0/0.json`, 'MISSING_FIELD'],
      [`${PRODUCTS_TOPIC}/0/1.json`, 'MISSING_FIELD'],
    ]);
    expect(summary.counts).toMatchObject({ RecordsProcessed: 2, DLQWrites: 2 });
  });

  it('refuses an event that is not from a Kafka mapping with INVALID_EVENT', async () => {
    // Prepare
    const sqsLike = { Records: [{ body: '{}' }] };

    // Act
    const invocation = service.invoke(sqsLike);

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'InvalidEventError', code: 'INVALID_EVENT' });
  });

  it('fails the invocation for redelivery when the time budget is nearly spent, writing nothing more', async () => {
    // Prepare
    const event = mskEvent([productRecord('c', laptop, 0)]);
    const almostOutOfTime = {
      ...(await import('../../scripts/local/lambda-context.js')).createLambdaContext(5_000),
    };

    // Act
    const invocation = service.invoke(event, almostOutOfTime);

    // Assess
    await expect(invocation).rejects.toMatchObject({ code: 'TIME_BUDGET_EXHAUSTED' });
    expect(await service.scanInventory()).toEqual([]);
  });
});
