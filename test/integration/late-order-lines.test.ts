import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExpiryHandler } from '../../lambda/create-expiry-handler.js';
import { decodeRecord } from '../../lambda/decode/decode-record.js';
import { ErrorCode } from '../../lambda/errors.js';
import type { LedgerStreamRecord } from '../../lambda/expiry/expired-entries.js';
import type { ProductUpserted } from '../../lambda/inventory/changes.js';
import { orderLineEntry } from '../../lambda/inventory/order-lines.js';
import { positionKey } from '../../lambda/inventory/position.js';
import { buildDeadLetter, createDeadLetterStore } from '../../lambda/store/dead-letter.js';
import { upsertProductGroup } from '../../lambda/store/product-writes.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { createLogger, createMetrics } from '../../lambda/telemetry/powertools.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import {
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemRecordAt,
  productRecordAt,
  type SourceAt,
} from '../support/debezium.js';
import {
  bucketKeys,
  olderVersionLetter,
  putLetters,
  recordingIo,
  replay,
  resetStorage,
} from '../support/replay-harness.js';

/**
 * The reproductions, through the real handler, the expiry handler and replay (STOCK_MODEL=orders,
 * LAG_BOUND_HOURS=192). DynamoDB Local has no TTL: a removal is the entry deleted and its REMOVE stream
 * record, with the image it had when it went, handed to the expiry handler.
 */
const LAG_BOUND_HOURS = 192;
const HOUR = 3_600_000;
const NOW = Date.now();

const at = (lsn: number, tsMs: number): SourceAt => ({ lastCommit: lsn - 1, lsn, tsMs });
const position = (lsn: number) =>
  positionKey(
    { lsn: BigInt(lsn), sequence: { lastCommitLsn: BigInt(lsn - 1), lsn: BigInt(lsn) }, sourceTsMs: 1 },
    { snapshot: false, epoch: 0, offset: 0 },
  );

describe('order lines of a product that arrives late or never', () => {
  let service: LocalService;

  beforeAll(async () => {
    service = await startLocalService({
      env: {
        DYNAMODB_TABLE: 'late-lines',
        DLQ_S3_BUCKET: 'late-lines-dlq',
        STOCK_MODEL: 'orders',
        LAG_BOUND_HOURS: String(LAG_BOUND_HOURS),
      },
    });
  });

  afterAll(async () => {
    await service.stop();
  });

  beforeEach(async () => {
    await resetStorage(service);
  });

  const stockOf = async (productId: number) =>
    (await service.scanInventory()).find((item) => item.product_id === productId)?.stock_quantity;

  /** DynamoDB's TTL removes the entry now: its stream record carries the image it had at that moment. */
  const expireEntry = async (productId: number, orderItemId: number, lsn: number) => {
    const Key = {
      product_id: { N: String(productId) },
      entry: { S: orderLineEntry({ position: position(lsn), orderItemId }) },
    };
    const { Item } = await service.aws.dynamoDb.send(
      new GetItemCommand({ TableName: service.config.ledgerTableName, Key, ConsistentRead: true }),
    );
    expect(Item).toBeDefined();
    await service.aws.dynamoDb.send(
      new DeleteItemCommand({ TableName: service.config.ledgerTableName, Key }),
    );
    return {
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { OldImage: Item as NonNullable<LedgerStreamRecord['dynamodb']>['OldImage'] },
    } satisfies LedgerStreamRecord;
  };

  const handleExpiry = (removal: LedgerStreamRecord) =>
    createExpiryHandler({
      store: storeContextFrom(service.aws.dynamoDb, service.config),
      deadLetters: createDeadLetterStore(service.aws.s3, service.config.deadLetterBucket),
      logger: createLogger(),
      metrics: createMetrics(),
    })({ Records: [removal] }, createLambdaContext());

  const product = (id: number, stock: number, lsn: number, tsMs: number) =>
    productRecordAt(
      'c',
      { id, name: `Product ${id}`, description: null, price: '1.00', stock_quantity: stock },
      at(lsn, tsMs),
      lsn,
    );

  it('counts a line that arrives past the lag bound once: its create counts it, no letter, replay finds nothing', async () => {
    // Prepare: the line committed 200 h ago (past the 192 h bound) and arrives before its product
    const old = NOW - 200 * HOUR;
    const line = orderItemRecordAt(
      { id: 71, order_id: 1, product_id: 7001, quantity: 4 },
      at(110, old),
      3,
      1,
    );

    // Act
    const lineResult = await service.invoke(mskEvent([line]));
    await service.invoke(mskEvent([product(7001, 50, 100, old - 1000)]));
    const afterCreate = await stockOf(7001);
    const expiry = await handleExpiry(await expireEntry(7001, 71, 110));
    const io = recordingIo();
    const summary = await replay(service, {}, io);

    // Assess: dead-lettered or recorded, never both
    expect(await stockOf(7001)).toBe(46);
    expect(lineResult.counts).toMatchObject({ OrderLinesPending: 1, ChangesBeyondLagBound: 1 });
    expect(lineResult.counts.DLQWrites ?? 0).toBe(0);
    expect(afterCreate).toBe(46);
    expect(expiry).toEqual({ counted: 1, deadLettered: 0 });
    expect(summary.results).toEqual([]);
    expect(await bucketKeys(service)).toEqual([]);
  });

  it('dead-letters a line whose entry expired before the create summed the ledger, and replay counts it once', async () => {
    // Prepare: the line waits for its product; TTL removes its entry; then the product's create arrives
    const line = orderItemRecordAt(
      { id: 72, order_id: 2, product_id: 7002, quantity: 3 },
      at(210, NOW - HOUR),
      4,
      1,
    );
    await service.invoke(mskEvent([line]));
    const removal = await expireEntry(7002, 72, 210);
    await service.invoke(mskEvent([product(7002, 50, 200, NOW - 2 * HOUR)]));
    const afterCreate = await stockOf(7002);

    // Act: the stream record is handled only now
    const expiry = await handleExpiry(removal);
    const first = await replay(service);
    const second = await replay(service);

    // Assess: nobody counted it, so it is a letter; replayed once it counts once
    expect(afterCreate).toBe(50);
    expect(expiry).toEqual({ counted: 0, deadLettered: 1 });
    expect(first.counts).toMatchObject({ REPLAYED: 1 });
    expect(second.results).toEqual([]);
    expect(await stockOf(7002)).toBe(47);
    expect(await bucketKeys(service)).toEqual([`replayed/${ORDER_ITEMS_TOPIC}/1/4.json`]);
  });

  it('settles a line its create counted as counted, whatever the stream record is handled after', async () => {
    // Prepare: the create counts the pending line; TTL removes it afterwards
    const line = orderItemRecordAt(
      { id: 73, order_id: 3, product_id: 7003, quantity: 5 },
      at(310, NOW - HOUR),
      5,
      1,
    );
    await service.invoke(mskEvent([line]));
    await service.invoke(mskEvent([product(7003, 50, 300, NOW - 2 * HOUR)]));
    const removal = await expireEntry(7003, 73, 310);

    // Act: handled twice (a stream retry), then a replay
    const first = await handleExpiry(removal);
    const again = await handleExpiry(removal);
    await replay(service);

    // Assess
    expect(first).toEqual({ counted: 1, deadLettered: 0 });
    expect(again).toEqual({ counted: 1, deadLettered: 0 });
    expect(await stockOf(7003)).toBe(45);
    expect(await bucketKeys(service)).toEqual([]);
  });

  it('dead-letters a line whose product never arrived once, however often the stream record comes', async () => {
    // Prepare
    const line = orderItemRecordAt(
      { id: 74, order_id: 4, product_id: 7004, quantity: 1 },
      at(410, NOW - HOUR),
      6,
      1,
    );
    await service.invoke(mskEvent([line]));
    const removal = await expireEntry(7004, 74, 410);

    // Act
    const first = await handleExpiry(removal);
    const again = await handleExpiry(removal);

    // Assess
    expect(first).toEqual({ counted: 0, deadLettered: 1 });
    expect(again).toEqual({ counted: 0, deadLettered: 1 });
    expect(await bucketKeys(service)).toEqual([`${ORDER_ITEMS_TOPIC}/1/6.json`]);
  });

  it('warns, as redrive does, when it replays an order line past the lag bound', async () => {
    // Prepare: a letter an older version wrote at once for a line committed 200 h ago; the product exists
    const old = NOW - 200 * HOUR;
    const line = orderItemRecordAt(
      { id: 75, order_id: 5, product_id: 7005, quantity: 2 },
      at(510, old),
      7,
      1,
    );
    await service.invoke(mskEvent([product(7005, 50, 500, old - 1000)]));
    await putLetters(service.aws.s3, service.config.deadLetterBucket, [
      olderVersionLetter(line, 7005, new Date(old)),
    ]);
    const io = recordingIo();

    // Act
    const summary = await replay(service, {}, io);

    // Assess: applied (nothing in the ledger says otherwise), but not silently
    const key = `${ORDER_ITEMS_TOPIC}/1/7.json`;
    expect(summary.counts).toMatchObject({ REPLAYED: 1 });
    expect(summary.pastLagBound).toEqual([key]);
    expect(summary.results[0]?.detail).toContain('past LAG_BOUND_HOURS (192 h)');
    expect(io.err.join('')).toContain(`replay: ${key}: committed 200 h ago, past LAG_BOUND_HOURS (192 h)`);
    expect(io.text()).toContain('1 order line(s) were replayed past LAG_BOUND_HOURS (192 h)');
  });

  it('does not lose a line whose entry expires while a create that summed it is in flight', async () => {
    // Prepare: the create has summed and marked the pending line; just before its transaction is sent, TTL
    // removes the entry and the expiry function handles the removal
    const line = orderItemRecordAt(
      { id: 76, order_id: 6, product_id: 7006, quantity: 3 },
      at(610, NOW - HOUR),
      8,
      1,
    );
    await service.invoke(mskEvent([line]));
    const create = decodeRecord(product(7006, 50, 600, NOW - 2 * HOUR), service.config) as ProductUpserted;
    const expiries: Array<Awaited<ReturnType<typeof handleExpiry>>> = [];
    const client = service.aws.dynamoDb;
    // The real client (the paginators check its class), with send intercepted.
    const racing: DynamoDBClient = Object.assign(Object.create(client) as DynamoDBClient, {
      send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
        if (command instanceof TransactWriteItemsCommand && expiries.length === 0)
          expiries.push(await handleExpiry(await expireEntry(7006, 76, 610)));
        return client.send(command as never);
      },
    });

    // Act
    const result = await upsertProductGroup(storeContextFrom(racing, service.config), [create]);
    const afterCreate = await stockOf(7006);
    await replay(service);

    // Assess: the create's attempt failed on the bumped version and summed again without the line, which
    // the expiry dead-lettered; replayed, it counts once
    expect(result.applied).toHaveLength(1);
    expect(expiries).toEqual([{ counted: 0, deadLettered: 1 }]);
    expect(afterCreate).toBe(50);
    expect(await stockOf(7006)).toBe(47);
  });

  describe('a letter an older version wrote at once, while it also kept the line pending', () => {
    const atOnceLetter = (line: ReturnType<typeof orderItemRecordAt>, productId: number) =>
      buildDeadLetter(
        line,
        {
          code: ErrorCode.UNKNOWN_PRODUCT,
          message: `Product ${productId} is not in the inventory table 192 h after this order line; replay once it exists`,
        },
        new Date(NOW - HOUR),
      );

    it('is settled as counted once its create counted the line and the entry expired', async () => {
      // Prepare: what that version left: the letter and the pending entry; then the create, then the expiry
      const old = NOW - 200 * HOUR;
      const line = orderItemRecordAt(
        { id: 77, order_id: 7, product_id: 7007, quantity: 4 },
        at(710, old),
        9,
        1,
      );
      await service.invoke(mskEvent([line]));
      await putLetters(service.aws.s3, service.config.deadLetterBucket, [atOnceLetter(line, 7007)]);
      await service.invoke(mskEvent([product(7007, 50, 700, old - 1000)]));
      const expiry = await handleExpiry(await expireEntry(7007, 77, 710));

      // Act
      const summary = await replay(service);

      // Assess: 50 − 4 once, not 42
      expect(expiry).toEqual({ counted: 1, deadLettered: 0 });
      expect(summary.counts).toMatchObject({ REPLAYED: 0, ALREADY_APPLIED: 1 });
      expect(summary.results[0]?.detail).toContain("counted by its product's create");
      expect(await stockOf(7007)).toBe(46);
    });

    it('is replayed once when the expiry function found its line uncounted', async () => {
      // Prepare: the entry expired before the create; the expiry function appends its failure to the letter
      const line = orderItemRecordAt(
        { id: 78, order_id: 8, product_id: 7008, quantity: 3 },
        at(810, NOW - HOUR),
        10,
        1,
      );
      await service.invoke(mskEvent([line]));
      await putLetters(service.aws.s3, service.config.deadLetterBucket, [atOnceLetter(line, 7008)]);
      const removal = await expireEntry(7008, 78, 810);
      await service.invoke(mskEvent([product(7008, 50, 800, NOW - 2 * HOUR)]));
      const expiry = await handleExpiry(removal);

      // Act
      const summary = await replay(service);

      // Assess
      expect(expiry).toEqual({ counted: 0, deadLettered: 1 });
      expect(summary.counts).toMatchObject({ REPLAYED: 1, ALREADY_APPLIED: 0 });
      expect(await stockOf(7008)).toBe(47);
    });
  });
});
