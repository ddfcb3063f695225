import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDeadLetter, createDeadLetterStore, type DeadLetter } from '../../lambda/store/dead-letter.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import type { ReplayFilters } from '../../scripts/replay/options.js';
import {
  kafkaRecord,
  mskEvent,
  type OrderItemRow,
  orderItemRecord,
  PRODUCTS_TOPIC,
  type ProductRow,
  productRecord,
} from '../support/debezium.js';
import { bucketKeys, recordingIo, replay, resetStorage } from '../support/replay-harness.js';

const hub: ProductRow = {
  id: 1003,
  name: 'USB-C Hub',
  description: null,
  price: '49.50',
  stock_quantity: 12,
};
const order = (id: number, quantity: number, productId = hub.id): OrderItemRow => ({
  id,
  order_id: 7000 + id,
  product_id: productId,
  quantity,
});
const ORDERS_KEY = 'dbserver1.public.order_items';

describe('dead-letter replay against embedded DynamoDB and S3', () => {
  let service: LocalService;

  const stockOf = async (productId = hub.id) =>
    (await service.scanInventory()).find((item) => item.product_id === productId)?.stock_quantity;

  const readLetter = async (key: string): Promise<DeadLetter> => {
    const object = await service.aws.s3.send(
      new GetObjectCommand({ Bucket: service.config.deadLetterBucket, Key: key }),
    );
    return JSON.parse(await (object.Body?.transformToString() ?? 'null')) as DeadLetter;
  };

  /** Two order items for the hub arrive before the hub itself: both are dead-lettered. */
  const ordersBeforeProduct = mskEvent([
    orderItemRecord(order(1, 2), 4, 1),
    orderItemRecord(order(2, 3), 5, 1),
  ]);
  const productArrives = mskEvent([productRecord('c', hub, 0)]);

  beforeAll(async () => {
    service = await startLocalService();
  });

  afterAll(async () => {
    await service.stop();
  });

  beforeEach(async () => {
    await resetStorage(service);
  });

  it('dead-letters poison and unknown-product records with their codes', async () => {
    // Prepare
    const poison = kafkaRecord(PRODUCTS_TOPIC, 0, 9, '{"op": "c", "after": ', { id: 1 });

    // Act
    await service.invoke(mskEvent([poison]));
    await service.invoke(ordersBeforeProduct);

    // Assess
    const letters = await service.listDeadLetters();
    expect(Object.fromEntries(letters.map(({ key, letter }) => [key, letter.error.code]))).toEqual({
      [`${ORDERS_KEY}/1/4.json`]: 'UNKNOWN_PRODUCT',
      [`${ORDERS_KEY}/1/5.json`]: 'UNKNOWN_PRODUCT',
      'dbserver1.public.products/0/9.json': 'INVALID_JSON',
    });
  });

  it('applies each dead-lettered decrement exactly once after the product arrives, and moves the letters', async () => {
    // Prepare
    await service.invoke(ordersBeforeProduct);
    await service.invoke(productArrives);

    // Act
    const summary = await replay(service);

    // Assess
    expect(await stockOf()).toBe(12 - 2 - 3);
    expect(summary.counts).toMatchObject({ REPLAYED: 2, ALREADY_APPLIED: 0, STILL_FAILING: 0 });
    expect(await bucketKeys(service)).toEqual([
      `replayed/${ORDERS_KEY}/1/4.json`,
      `replayed/${ORDERS_KEY}/1/5.json`,
    ]);
    const [item] = await service.scanInventory();
    expect(item).toMatchObject({
      applied_offsets: { 1: 5 },
      first_offsets: { 1: 4 },
      replayed_records: [`${ORDERS_KEY}:1:4`, `${ORDERS_KEY}:1:5`],
    });
  });

  it('changes nothing on a second replay, even of a letter put back under its key', async () => {
    // Prepare
    await service.invoke(ordersBeforeProduct);
    await service.invoke(productArrives);
    await replay(service);
    const moved = await readLetter(`replayed/${ORDERS_KEY}/1/4.json`);
    await service.aws.s3.send(
      new PutObjectCommand({
        Bucket: service.config.deadLetterBucket,
        Key: `${ORDERS_KEY}/1/4.json`,
        Body: JSON.stringify(moved),
      }),
    );

    // Act
    const summary = await replay(service);

    // Assess
    expect(await stockOf()).toBe(7);
    expect(summary.counts).toMatchObject({ REPLAYED: 0, ALREADY_APPLIED: 1 });
    expect(summary.results[0]?.detail).toContain('earlier replay');
  });

  it('treats a redelivery of the same batch after the replay as a duplicate', async () => {
    // Prepare
    await service.invoke(ordersBeforeProduct);
    await service.invoke(productArrives);
    await replay(service);

    // Act
    const redelivered = await service.invoke(ordersBeforeProduct);

    // Assess
    expect(await stockOf()).toBe(7);
    expect(redelivered.counts).toMatchObject({ StockDecremented: 0, DuplicatesSkipped: 2, DLQWrites: 0 });
    expect(await bucketKeys(service)).toEqual([
      `replayed/${ORDERS_KEY}/1/4.json`,
      `replayed/${ORDERS_KEY}/1/5.json`,
    ]);
  });

  it('recognises letters that a redelivery applied live before the replay', async () => {
    // Prepare
    await service.invoke(ordersBeforeProduct);
    await service.invoke(productArrives);
    await service.invoke(ordersBeforeProduct);

    // Act
    const summary = await replay(service);

    // Assess
    expect(await stockOf()).toBe(7);
    expect(summary.counts).toMatchObject({ REPLAYED: 0, ALREADY_APPLIED: 2 });
    expect(summary.results.map((result) => result.detail)).toEqual([
      expect.stringContaining('applied live'),
      expect.stringContaining('applied live'),
    ]);
    expect(await bucketKeys(service)).toHaveLength(2);
  });

  it('applies once when a replay and a redelivered batch run at the same time', async () => {
    for (const productId of [2001, 2002, 2003, 2004, 2005, 2006]) {
      // Prepare
      const product = { ...hub, id: productId, stock_quantity: 50 };
      const batch = mskEvent([
        orderItemRecord(order(productId * 10, 2, productId), productId, 0),
        orderItemRecord(order(productId * 10 + 1, 5, productId), productId + 100, 0),
      ]);
      await service.invoke(batch);
      await service.invoke(mskEvent([productRecord('c', product, productId)]));

      // Act
      await Promise.all([
        replay(service, { filters: { partition: 0 } }),
        service.invoke(batch),
        replay(service, { filters: { partition: 0 } }),
      ]);

      // Assess
      expect(await stockOf(productId)).toBe(50 - 2 - 5);
    }
  });

  it('--dry-run says what would happen and changes neither the table nor the bucket', async () => {
    // Prepare
    await service.invoke(ordersBeforeProduct);
    await service.invoke(productArrives);
    const io = recordingIo();
    const before = { items: await service.scanInventory(), keys: await bucketKeys(service) };

    // Act
    const summary = await replay(service, { dryRun: true }, io);

    // Assess
    expect(summary.counts).toMatchObject({ REPLAYED: 2 });
    expect(await service.scanInventory()).toEqual(before.items);
    expect(await bucketKeys(service)).toEqual(before.keys);
    expect(io.text()).toContain(`would replay      ${ORDERS_KEY}/1/4.json  product 1003 −2`);
    expect(io.text()).toContain('dry run: nothing was changed');
  });

  it('keeps still-failing letters where they are, with the new error appended', async () => {
    // Prepare
    const poison = kafkaRecord(PRODUCTS_TOPIC, 0, 9, '', { id: 1 });
    await service.invoke(mskEvent([poison]));
    await service.invoke(ordersBeforeProduct);

    // Act
    const summary = await replay(service);

    // Assess
    expect(summary.counts).toMatchObject({ REPLAYED: 0, STILL_FAILING: 3, HELD_BACK: 0 });
    expect(summary.stillFailingByCode).toEqual({ EMPTY_VALUE: 1, UNKNOWN_PRODUCT: 2 });
    const unknown = await readLetter(`${ORDERS_KEY}/1/4.json`);
    expect(unknown.errors.map((error) => error.code)).toEqual(['UNKNOWN_PRODUCT', 'UNKNOWN_PRODUCT']);
    expect(unknown.error).toEqual(unknown.errors[1]);
    const empty = await readLetter('dbserver1.public.products/0/9.json');
    expect(empty.errors.map((error) => error.code)).toEqual(['EMPTY_VALUE', 'EMPTY_VALUE']);
    expect((await readLetter(`${ORDERS_KEY}/1/5.json`)).errors).toHaveLength(2);
    expect(await bucketKeys(service)).toHaveLength(3);
  });

  it('holds back a later order item while an earlier one of the same product is left out', async () => {
    // Prepare
    await service.invoke(ordersBeforeProduct);
    await service.invoke(productArrives);

    // Act
    const later = await replay(service, { filters: { keys: new Set([`${ORDERS_KEY}/1/5.json`]) } });
    const rest = await replay(service);

    // Assess
    expect(later.counts).toMatchObject({ HELD_BACK: 1, REPLAYED: 0 });
    expect(later.results[0]?.detail).toContain(`waits for ${ORDERS_KEY}/1/4.json`);
    expect(rest.counts).toMatchObject({ REPLAYED: 2 });
    expect(await stockOf()).toBe(7);
  });

  it('replays onto an item written by the seed service, which has no bookkeeping', async () => {
    // Prepare
    await service.invoke(ordersBeforeProduct);
    await service.aws.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: { product_id: { N: '1003' }, name: { S: 'USB-C Hub' }, stock_quantity: { N: '30' } },
      }),
    );

    // Act
    const summary = await replay(service);
    const redelivered = await service.invoke(ordersBeforeProduct);

    // Assess
    expect(summary.counts).toMatchObject({ REPLAYED: 2 });
    expect(redelivered.counts).toMatchObject({ StockDecremented: 0 });
    expect(await stockOf()).toBe(25);
  });

  it('replays a product letter through the position-guarded upsert, once', async () => {
    // Prepare: a valid change whose first delivery was dead-lettered (e.g. the store rejected it then).
    const record = productRecord('c', hub, 3);
    await service.aws.s3.send(
      new PutObjectCommand({
        Bucket: service.config.deadLetterBucket,
        Key: 'dbserver1.public.products/0/3.json',
        Body: JSON.stringify({
          formatVersion: 1,
          record,
          error: { code: 'STORE_REJECTED', message: 'throttled for good', at: '2025-01-15T10:00:00.000Z' },
          errors: [{ code: 'STORE_REJECTED', message: 'throttled for good', at: '2025-01-15T10:00:00.000Z' }],
          source: {},
        }),
      }),
    );

    // Act
    const first = await replay(service, { deleteReplayed: true });
    await service.invoke(mskEvent([record]));

    // Assess
    expect(first.counts).toMatchObject({ REPLAYED: 1 });
    expect(await stockOf()).toBe(12);
    expect(await bucketKeys(service)).toEqual([]);
  });

  it('selects letters by topic, partition, offset range, code, time window and key', async () => {
    // Prepare
    const store = createDeadLetterStore(service.aws.s3, service.config.deadLetterBucket);
    const letters = [
      { record: orderItemRecord(order(1, 1), 3, 0), code: 'UNKNOWN_PRODUCT', at: '2025-01-10T00:00:00Z' },
      { record: orderItemRecord(order(2, 1), 8, 0), code: 'UNKNOWN_PRODUCT', at: '2025-01-11T00:00:00Z' },
      { record: orderItemRecord(order(3, 1), 12, 1), code: 'INVALID_QUANTITY', at: '2025-01-12T00:00:00Z' },
      {
        record: kafkaRecord(PRODUCTS_TOPIC, 0, 20, '', { id: 1 }),
        code: 'EMPTY_VALUE',
        at: '2025-01-13T00:00:00Z',
      },
    ] as const;
    for (const { record, code, at } of letters) {
      await store.put(buildDeadLetter(record, { code, message: code }, new Date(at)));
    }
    const selectedBy = async (filters: ReplayFilters) =>
      (await replay(service, { filters, dryRun: true })).results.map((result) => result.key);

    // Act
    const selections = {
      topic: await selectedBy({ topic: PRODUCTS_TOPIC }),
      partition: await selectedBy({ partition: 0 }),
      offsets: await selectedBy({ fromOffset: 8, toOffset: 12 }),
      code: await selectedBy({ codes: new Set(['UNKNOWN_PRODUCT', 'EMPTY_VALUE']) }),
      window: await selectedBy({
        since: new Date('2025-01-11T00:00:00Z'),
        until: new Date('2025-01-13T00:00:00Z'),
      }),
      key: await selectedBy({ keys: new Set([`${ORDERS_KEY}/1/12.json`]) }),
      combined: await selectedBy({ topic: ORDERS_KEY, partition: 0, codes: new Set(['UNKNOWN_PRODUCT']) }),
    };

    // Assess: product letters first, then each partition in offset order.
    expect(selections).toEqual({
      topic: ['dbserver1.public.products/0/20.json'],
      partition: ['dbserver1.public.products/0/20.json', `${ORDERS_KEY}/0/3.json`, `${ORDERS_KEY}/0/8.json`],
      offsets: [`${ORDERS_KEY}/0/8.json`, `${ORDERS_KEY}/1/12.json`],
      code: ['dbserver1.public.products/0/20.json', `${ORDERS_KEY}/0/3.json`, `${ORDERS_KEY}/0/8.json`],
      window: [`${ORDERS_KEY}/0/8.json`, `${ORDERS_KEY}/1/12.json`],
      key: [`${ORDERS_KEY}/1/12.json`],
      combined: [`${ORDERS_KEY}/0/3.json`, `${ORDERS_KEY}/0/8.json`],
    });
    expect(await bucketKeys(service)).toHaveLength(4);
  });
});
