import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lambda/errors.js';
import { buildDeadLetter, type DeadLetter } from '../../lambda/store/dead-letter.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import type { ReplayFilters } from '../../scripts/replay/options.js';
import type { ReplaySummary } from '../../scripts/replay/report.js';
import {
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  type OrderItemRow,
  orderItemRecord,
  orderItemRecordAt,
  PRODUCTS_TOPIC,
  type ProductRow,
  productRecordAt,
  type SourceAt,
  type TestKafkaRecord,
} from '../support/debezium.js';
import {
  bucketKeys,
  ledgerOrderLines,
  olderVersionLetter,
  putLetters,
  putReplayedLettersBack,
  recordingIo,
  replay,
  resetStorage,
  scanLedger,
} from '../support/replay-harness.js';

/** The function runs with a lag bound of one hour, so a test can send an order line that is past it. */
const LAG_BOUND_HOURS = 1;
const NOW = Date.now();
/** Committed a minute ago: within the lag bound. */
const RECENT = NOW - 60_000;
/** Committed two hours ago: past the lag bound. */
const LONG_AGO = NOW - 2 * 3_600_000;
/** When an older version dead-lettered the records of the letters written by hand. */
const DEAD_LETTERED_AT = new Date(NOW - 3 * 86_400_000);

/** Transaction `turn` of the shop in commit order: its changes' LSNs in its own range, after the last commit. */
const at = (turn: number, tsMs = RECENT, change = 0): SourceAt => ({
  lastCommit: 1_000 + (turn - 1) * 100 + 90,
  lsn: 1_000 + turn * 100 + change,
  tsMs,
});

const hub: ProductRow = {
  id: 1003,
  name: 'USB-C Hub',
  description: null,
  price: '49.50',
  stock_quantity: 12,
};
const ORDERS = ORDER_ITEMS_TOPIC;
const PRODUCTS = PRODUCTS_TOPIC;

/** The hub's create, committed in turn 1 (before every order line below, as the foreign key demands). */
const hubCreated = productRecordAt('c', hub, at(1), 0);
/** A stock-take of the hub: products.stock_quantity set to `stock` in `turn`. */
const stockTake = (stock: number, turn: number, offset: number) =>
  productRecordAt('u', { ...hub, stock_quantity: stock }, at(turn), offset);

interface Line {
  readonly id: number;
  readonly quantity: number;
  readonly turn: number;
  readonly offset: number;
  readonly partition?: number;
  readonly productId?: number;
  readonly tsMs?: number;
}

const lineRow = ({ id, quantity, productId = hub.id }: Line): OrderItemRow => ({
  id,
  order_id: 7000 + id,
  product_id: productId,
  quantity,
});
const lineRecord = (line: Line): TestKafkaRecord =>
  orderItemRecordAt(lineRow(line), at(line.turn, line.tsMs), line.offset, line.partition ?? 1);
const lineKey = (line: Line): string => `${ORDERS}/${line.partition ?? 1}/${line.offset}.json`;
/** The letter an older version left for `line` (it dead-lettered at once when the product was missing). */
const olderLetter = (line: Line): DeadLetter =>
  olderVersionLetter(lineRecord(line), line.productId ?? hub.id, DEAD_LETTERED_AT);

const line1: Line = { id: 1, quantity: 2, turn: 2, offset: 4 };
const line2: Line = { id: 2, quantity: 3, turn: 3, offset: 5 };

const outcomes = (summary: ReplaySummary) =>
  Object.fromEntries(summary.results.map(({ key, outcome }) => [key, outcome]));
const details = (summary: ReplaySummary) =>
  Object.fromEntries(summary.results.map(({ key, detail }) => [key, detail]));

describe('dead-letter replay against DynamoDB Local and S3, through the real handler', () => {
  let service: LocalService;

  const stockOf = async (productId = hub.id) =>
    (await service.scanInventory()).find((item) => item.product_id === productId)?.stock_quantity;

  const readLetter = async (key: string): Promise<DeadLetter> => {
    const object = await service.aws.s3.send(
      new GetObjectCommand({ Bucket: service.config.deadLetterBucket, Key: key }),
    );
    return JSON.parse(await (object.Body?.transformToString() ?? 'null')) as DeadLetter;
  };

  const putOlderLetters = (...lines: Line[]) =>
    putLetters(service.aws.s3, service.config.deadLetterBucket, lines.map(olderLetter));

  const pendingKeys = async () => (await bucketKeys(service)).filter((key) => !key.startsWith('replayed/'));

  beforeAll(async () => {
    service = await startLocalService({
      env: {
        DYNAMODB_TABLE: 'replay-it',
        DLQ_S3_BUCKET: 'replay-it-dlq',
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

  it('keeps a malformed entry as delivered under a key of its own, and replay leaves it as unreplayable', async () => {
    // Prepare: two entries that are no records, at the places the old keys (…/0/-1.json, …/0/-2.json) named
    const event = {
      ...mskEvent([hubCreated]),
      records: { [`${PRODUCTS}-0`]: [{ foo: 1 }, { offset: 'x', value: null }, hubCreated] },
    };

    // Act
    const first = await service.invoke(event);
    await service.invoke(event);
    const keys = await pendingKeys();
    const summary = await replay(service);

    // Assess: the letters hold the entries, not a record rebuilt around them (value null read as a tombstone)
    expect(first.counts).toMatchObject({ DLQWrites: 2, ProductsUpserted: 1 });
    expect(keys).toHaveLength(2);
    for (const key of keys)
      expect(key).toMatch(/^dbserver1\.public\.products\/0\/malformed~[\w-]{43}\.json$/);
    const letters = await Promise.all(keys.map(readLetter));
    expect(letters.map((letter) => letter.entry).sort()).toEqual([
      '{"foo":1}',
      '{"offset":"x","value":null}',
    ]);
    expect(letters.map((letter) => letter.errors.map((error) => error.code))).toEqual([
      ['MALFORMED_RECORD', 'MALFORMED_RECORD'],
      ['MALFORMED_RECORD', 'MALFORMED_RECORD'],
    ]);
    expect(summary.counts).toMatchObject({
      UNREPLAYABLE: 2,
      NOTHING_TO_APPLY: 0,
      REPLAYED: 0,
      STILL_FAILING: 0,
    });
    expect((await bucketKeys(service)).sort()).toEqual([...keys].sort());
    expect(await Promise.all(keys.map(readLetter))).toEqual(letters);
  });

  it('keeps an order line of a missing product pending, past the lag bound too, with no letter', async () => {
    // Prepare
    const late = { ...line1, tsMs: LONG_AGO };
    const fresh = line2;

    // Act
    const result = await service.invoke(mskEvent([lineRecord(late), lineRecord(fresh)]));

    // Assess: the expiry function alone writes a letter, for a line no create counted
    expect(result.counts).toMatchObject({
      OrderLinesPending: 2,
      StockDecremented: 0,
      ChangesBeyondLagBound: 1,
      DLQWrites: 0,
    });
    expect(await service.listDeadLetters()).toEqual([]);
    expect(await service.scanInventory()).toEqual([]);
    expect(await ledgerOrderLines(service)).toEqual({ 1003: [1, 2] });
  });

  it('counts a late line once when its product arrives: the create sums it and no letter exists to replay', async () => {
    // Prepare
    await service.invoke(mskEvent([lineRecord({ ...line1, tsMs: LONG_AGO }), lineRecord(line2)]));
    await service.invoke(mskEvent([hubCreated]));
    const stockBeforeReplay = await stockOf();

    // Act
    const summary = await replay(service);

    // Assess
    expect(stockBeforeReplay).toBe(12 - 2 - 3);
    expect(await stockOf()).toBe(7);
    expect(summary.results).toEqual([]);
    expect(await bucketKeys(service)).toEqual([]);
  });

  it("keeps an older version's letter while its product is absent, with the error appended and nothing written", async () => {
    // Prepare
    const [key] = await putOlderLetters(line1);
    await service.invoke(mskEvent([kafkaRecord(PRODUCTS, 0, 9, '', { id: 1 })]));

    // Act
    const summary = await replay(service);

    // Assess
    expect(summary.counts).toMatchObject({ REPLAYED: 0, ALREADY_APPLIED: 0, STILL_FAILING: 2, HELD_BACK: 0 });
    expect(summary.stillFailingByCode).toEqual({ EMPTY_VALUE: 1, UNKNOWN_PRODUCT: 1 });
    const letter = await readLetter(key as string);
    expect(letter.record).toEqual(olderLetter(line1).record);
    expect(letter.errors.map(({ code, message }) => ({ code, message }))).toEqual([
      {
        code: 'UNKNOWN_PRODUCT',
        message: 'Product 1003 is not in the inventory table; replay once it exists',
      },
      {
        code: 'UNKNOWN_PRODUCT',
        message: 'Product 1003 is not in the inventory table; replay once it exists',
      },
    ]);
    expect(letter.errors[0]?.at).toBe(DEAD_LETTERED_AT.toISOString());
    expect(letter.error).toEqual(letter.errors[1]);
    const empty = await readLetter(`${PRODUCTS}/0/9.json`);
    expect(empty.errors.map((error) => error.code)).toEqual(['EMPTY_VALUE', 'EMPTY_VALUE']);
    expect(await pendingKeys()).toEqual([lineKey(line1), `${PRODUCTS}/0/9.json`]);
    expect(await service.scanInventory()).toEqual([]);
    expect(await scanLedger(service)).toEqual([]);
  });

  it("replays an older version's letters once their product exists, then finds them applied; a live redelivery changes nothing", async () => {
    // Prepare
    await putOlderLetters(line1, line2);
    await service.invoke(mskEvent([hubCreated]));

    // Act
    const first = await replay(service);
    await putReplayedLettersBack(service.aws.s3, service.config.deadLetterBucket);
    const second = await replay(service);
    const redelivered = await service.invoke(mskEvent([lineRecord(line1), lineRecord(line2)]));

    // Assess
    expect(details(first)).toEqual({
      [lineKey(line1)]: 'product 1003 −2 (USB-C Hub): stock 12 → 10',
      [lineKey(line2)]: 'product 1003 −3 (USB-C Hub): stock 10 → 7',
    });
    expect(first.counts).toMatchObject({ REPLAYED: 2, ALREADY_APPLIED: 0, STILL_FAILING: 0 });
    expect(details(second)).toEqual({
      [lineKey(line1)]: 'product 1003 −2: already applied (its identity is in the ledger)',
      [lineKey(line2)]: 'product 1003 −3: already applied (its identity is in the ledger)',
    });
    expect(redelivered.counts).toMatchObject({ StockDecremented: 0, DuplicatesSkipped: 2, DLQWrites: 0 });
    expect(await stockOf()).toBe(12 - 2 - 3);
    expect(await ledgerOrderLines(service)).toEqual({ 1003: [1, 2] });
    expect(await pendingKeys()).toEqual([]);
  });

  it('recognises an order line that a live redelivery applied after its product arrived', async () => {
    // Prepare
    await putOlderLetters(line1);
    await service.invoke(mskEvent([hubCreated]));
    const live = await service.invoke(mskEvent([lineRecord(line1)]));

    // Act
    const summary = await replay(service);

    // Assess
    expect(live.counts).toMatchObject({ StockDecremented: 1 });
    expect(outcomes(summary)).toEqual({ [lineKey(line1)]: 'ALREADY_APPLIED' });
    expect(await stockOf()).toBe(10);
    expect(await bucketKeys(service)).toEqual([`replayed/${lineKey(line1)}`]);
  });

  it('counts nothing for an order line committed before a later stock-take (orders model), but replays one after it', async () => {
    // Prepare: line 1 committed in turn 2, the stock-take to 30 in turn 4, line 3 in turn 5.
    const line3: Line = { id: 3, quantity: 4, turn: 5, offset: 6 };
    await putOlderLetters(line1, line3);
    await service.invoke(mskEvent([hubCreated, stockTake(30, 4, 1)]));

    // Act
    const summary = await replay(service);
    const redelivered = await service.invoke(mskEvent([lineRecord(line1)]));

    // Assess
    expect(details(summary)).toEqual({
      [lineKey(line1)]: 'product 1003 −2: already in the stock count set by a later products change',
      [lineKey(line3)]: 'product 1003 −4 (USB-C Hub): stock 30 → 26',
    });
    expect(summary.counts).toMatchObject({ REPLAYED: 1, ALREADY_APPLIED: 1 });
    expect(redelivered.counts).toMatchObject({ StockDecremented: 0, DuplicatesSkipped: 1 });
    expect(await stockOf()).toBe(30 - 4);
    expect(await ledgerOrderLines(service)).toEqual({ 1003: [1, 3] });
  });

  it('--dry-run predicts every outcome of the real run and changes neither table, ledger nor bucket', async () => {
    // Prepare: the hub with a stock-take to 30 in turn 4; product 2002 whose create only exists as a letter.
    const inCount: Line = { id: 11, quantity: 1, turn: 2, offset: 21, partition: 0 };
    const counted: Line = { id: 12, quantity: 4, turn: 5, offset: 22, partition: 0 };
    const appliedLive: Line = { id: 13, quantity: 2, turn: 6, offset: 23, partition: 0 };
    const missing: Line = { id: 14, quantity: 1, turn: 6, offset: 24, partition: 0, productId: 1999 };
    const ofLetterProduct: Line = { id: 15, quantity: 5, turn: 7, offset: 25, partition: 0, productId: 2002 };
    const created = productRecordAt('c', { ...hub, id: 2002, name: 'Dock', stock_quantity: 20 }, at(3), 7);
    await putLetters(service.aws.s3, service.config.deadLetterBucket, [
      buildDeadLetter(
        created,
        { code: ErrorCode.STORE_REJECTED, message: 'throttled for good' },
        DEAD_LETTERED_AT,
      ),
    ]);
    await putOlderLetters(inCount, counted, appliedLive, missing, ofLetterProduct);
    await service.invoke(
      mskEvent([hubCreated, stockTake(30, 4, 1), kafkaRecord(PRODUCTS, 0, 9, '', { id: 1 })]),
    );
    await service.invoke(mskEvent([lineRecord(appliedLive)]));
    const snapshot = async () => ({
      items: await service.scanInventory(),
      ledger: await scanLedger(service),
      letters: await service.listDeadLetters(),
    });
    const before = await snapshot();
    const io = recordingIo();

    // Act
    const dry = await replay(service, { dryRun: true }, io);
    const afterDryRun = await snapshot();
    const real = await replay(service);

    // Assess
    const expected = {
      [`${PRODUCTS}/0/7.json`]: 'REPLAYED',
      [`${PRODUCTS}/0/9.json`]: 'STILL_FAILING',
      [lineKey(inCount)]: 'ALREADY_APPLIED',
      [lineKey(counted)]: 'REPLAYED',
      [lineKey(appliedLive)]: 'ALREADY_APPLIED',
      [lineKey(missing)]: 'STILL_FAILING',
      [lineKey(ofLetterProduct)]: 'REPLAYED',
    };
    expect(outcomes(dry)).toEqual(expected);
    expect(outcomes(real)).toEqual(expected);
    expect(afterDryRun).toEqual(before);
    expect(io.text()).toContain(`would replay      ${lineKey(counted)}  product 1003 −4\n`);
    expect(io.text()).toContain(`would replay      ${PRODUCTS}/0/7.json  product 2002 upsert: applied\n`);
    expect(io.text()).toContain(`would still fail  ${lineKey(missing)}  UNKNOWN_PRODUCT: Product 1999`);
    expect(io.text()).toContain('Summary (dry run: nothing was changed)');
    expect(await stockOf(1003)).toBe(30 - 2 - 4);
    expect(await stockOf(2002)).toBe(20 - 5);
    expect(await pendingKeys()).toEqual([`${PRODUCTS}/0/9.json`, lineKey(missing)].sort());
  });

  it('applies each order line once when replays, a live redelivery and the product itself arrive together', async () => {
    for (const productId of [2001, 2002, 2003, 2004, 2005, 2006]) {
      // Prepare: for odd ids the product is there before the replays, for even ids it arrives with them.
      const product = { ...hub, id: productId, stock_quantity: 50 };
      const lines: Line[] = [
        { id: productId * 10, quantity: 2, turn: 2, offset: productId, partition: 0, productId },
        { id: productId * 10 + 1, quantity: 5, turn: 3, offset: productId + 100, partition: 0, productId },
      ];
      await putOlderLetters(...lines);
      const created = mskEvent([productRecordAt('c', product, at(1), productId)]);
      const arrivesWithReplay = productId % 2 === 0;
      if (!arrivesWithReplay) await service.invoke(created);

      // Act
      await Promise.all([
        replay(service, { filters: { partition: 0 } }),
        service.invoke(mskEvent(lines.map(lineRecord))),
        replay(service, { filters: { partition: 0 } }),
        ...(arrivesWithReplay ? [service.invoke(created)] : []),
      ]);
      const settling = await replay(service, { filters: { partition: 0 } });

      // Assess
      expect(await stockOf(productId)).toBe(50 - 2 - 5);
      expect(settling.counts).toMatchObject({ REPLAYED: 0, STILL_FAILING: 0 });
      expect((await ledgerOrderLines(service))[productId]).toEqual([productId * 10, productId * 10 + 1]);
      expect(await pendingKeys()).toEqual([]);
    }
  });

  it('holds back a later order line while an earlier one of the same product and partition is left out', async () => {
    // Prepare
    await putOlderLetters(line1, line2);
    await service.invoke(mskEvent([hubCreated]));

    // Act
    const later = await replay(service, { filters: { keys: new Set([lineKey(line2)]) } });
    const rest = await replay(service);

    // Assess
    expect(later.counts).toMatchObject({ HELD_BACK: 1, REPLAYED: 0 });
    expect(later.results[0]?.detail).toContain(`waits for ${lineKey(line1)}`);
    expect(rest.counts).toMatchObject({ REPLAYED: 2 });
    expect(await stockOf()).toBe(7);
  });

  it('replays onto an item written by the seed service, which has no bookkeeping: every order line counts', async () => {
    // Prepare
    await putOlderLetters(line1, line2);
    await service.aws.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: { product_id: { N: '1003' }, name: { S: 'USB-C Hub' }, stock_quantity: { N: '30' } },
      }),
    );

    // Act
    const summary = await replay(service);
    const redelivered = await service.invoke(mskEvent([lineRecord(line1), lineRecord(line2)]));

    // Assess
    expect(summary.counts).toMatchObject({ REPLAYED: 2 });
    expect(redelivered.counts).toMatchObject({ StockDecremented: 0, DuplicatesSkipped: 2 });
    expect(await stockOf()).toBe(25);
  });

  it('replays a product letter through the commit-order guarded upsert, once', async () => {
    // Prepare: a valid change whose first delivery was dead-lettered (e.g. the store refused it then).
    await putLetters(service.aws.s3, service.config.deadLetterBucket, [
      buildDeadLetter(
        hubCreated,
        { code: ErrorCode.STORE_REJECTED, message: 'throttled for good' },
        DEAD_LETTERED_AT,
      ),
    ]);

    // Act
    const first = await replay(service, { deleteReplayed: true });
    const redelivered = await service.invoke(mskEvent([hubCreated]));

    // Assess
    expect(details(first)).toEqual({ [`${PRODUCTS}/0/0.json`]: 'product 1003 upsert: applied' });
    expect(redelivered.counts).toMatchObject({ ProductsUpserted: 0, DuplicatesSkipped: 1 });
    expect(await stockOf()).toBe(12);
    expect(await bucketKeys(service)).toEqual([]);
  });

  it('replays a delete for good: neither the create nor an order line replayed later brings the product back', async () => {
    // Prepare
    const deleted = productRecordAt('d', hub, at(4), 3);
    await service.invoke(mskEvent([hubCreated]));
    await putLetters(service.aws.s3, service.config.deadLetterBucket, [
      buildDeadLetter(deleted, { code: ErrorCode.STORE_REJECTED, message: 'refused' }, DEAD_LETTERED_AT),
    ]);
    const deleteReplay = await replay(service);
    await putLetters(service.aws.s3, service.config.deadLetterBucket, [
      buildDeadLetter(hubCreated, { code: ErrorCode.STORE_REJECTED, message: 'refused' }, DEAD_LETTERED_AT),
      olderLetter(line1),
    ]);

    // Act
    const later = await replay(service);

    // Assess
    expect(details(deleteReplay)).toEqual({ [`${PRODUCTS}/0/3.json`]: 'product 1003 delete: applied' });
    expect(details(later)).toEqual({
      [`${PRODUCTS}/0/0.json`]: 'product 1003 upsert: superseded: the item reflects a newer change',
      [lineKey(line1)]: 'UNKNOWN_PRODUCT: Product 1003 is not in the inventory table; replay once it exists',
    });
    expect(await service.scanInventory()).toEqual([]);
    expect(await pendingKeys()).toEqual([lineKey(line1)]);
  });

  it('selects letters by topic, partition, offset range, code, time window and key', async () => {
    // Prepare
    const order = (id: number): OrderItemRow => ({
      id,
      order_id: 7000 + id,
      product_id: hub.id,
      quantity: 1,
    });
    const letters = [
      { record: orderItemRecord(order(1), 3, 0), code: 'UNKNOWN_PRODUCT', at: '2025-01-10T00:00:00Z' },
      { record: orderItemRecord(order(2), 8, 0), code: 'UNKNOWN_PRODUCT', at: '2025-01-11T00:00:00Z' },
      { record: orderItemRecord(order(3), 12, 1), code: 'INVALID_QUANTITY', at: '2025-01-12T00:00:00Z' },
      {
        record: kafkaRecord(PRODUCTS, 0, 20, '', { id: 1 }),
        code: 'EMPTY_VALUE',
        at: '2025-01-13T00:00:00Z',
      },
    ] as const;
    await putLetters(
      service.aws.s3,
      service.config.deadLetterBucket,
      letters.map(({ record, code, at }) => buildDeadLetter(record, { code, message: code }, new Date(at))),
    );
    const selectedBy = async (filters: ReplayFilters) =>
      (await replay(service, { filters, dryRun: true })).results.map((result) => result.key);

    // Act
    const selections = {
      topic: await selectedBy({ topic: PRODUCTS }),
      partition: await selectedBy({ partition: 0 }),
      offsets: await selectedBy({ fromOffset: 8, toOffset: 12 }),
      code: await selectedBy({ codes: new Set(['UNKNOWN_PRODUCT', 'EMPTY_VALUE']) }),
      window: await selectedBy({
        since: new Date('2025-01-11T00:00:00Z'),
        until: new Date('2025-01-13T00:00:00Z'),
      }),
      key: await selectedBy({ keys: new Set([`${ORDERS}/1/12.json`]) }),
      combined: await selectedBy({ topic: ORDERS, partition: 0, codes: new Set(['UNKNOWN_PRODUCT']) }),
    };

    // Assess: product letters first, then each partition in offset order.
    expect(selections).toEqual({
      topic: [`${PRODUCTS}/0/20.json`],
      partition: [`${PRODUCTS}/0/20.json`, `${ORDERS}/0/3.json`, `${ORDERS}/0/8.json`],
      offsets: [`${ORDERS}/0/8.json`, `${ORDERS}/1/12.json`],
      code: [`${PRODUCTS}/0/20.json`, `${ORDERS}/0/3.json`, `${ORDERS}/0/8.json`],
      window: [`${ORDERS}/0/8.json`, `${ORDERS}/1/12.json`],
      key: [`${ORDERS}/1/12.json`],
      combined: [`${ORDERS}/0/3.json`, `${ORDERS}/0/8.json`],
    });
    expect(await bucketKeys(service)).toHaveLength(4);
  });
});
