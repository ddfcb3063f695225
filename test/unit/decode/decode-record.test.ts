import { describe, expect, it } from 'vitest';
import { type DecodedRecord, decodeRecord } from '../../../lambda/decode/decode-record.js';
import type { KafkaRecord } from '../../../lambda/decode/kafka-event.js';
import { ErrorCode } from '../../../lambda/errors.js';
import type {
  OrderItemCreated,
  ProductDeleted,
  ProductUpserted,
  SkippedRecord,
} from '../../../lambda/inventory/changes.js';
import { captureError, expectPoison } from '../support/errors.js';
import {
  fixtureRecord,
  loadFixture,
  mskRecord,
  ORDER_ITEMS_TOPIC,
  PRODUCTS_TOPIC,
  toBase64Bytes,
  topicConfig,
} from '../support/records.js';

/**
 * The position keys decode must produce, spelled out independently of position.ts: epoch (4 hex), tier
 * (0 initial snapshot, 1 stream), then two 16-hex-digit LSNs.
 */
const hex16 = (value: number): string => value.toString(16).padStart(16, '0');
const streamed = (lastCommitLsn: number, lsn: number): string => `00001${hex16(lastCommitLsn)}${hex16(lsn)}`;
const snapshotAt = (lsn: number): string => `00000${hex16(lsn)}${hex16(0)}`;
/** Without any LSN: source time (12 hex digits), then the Kafka offset. */
const bySourceTime = (sourceTsMs: number, offset: number): string =>
  `00001${hex16(0)}${hex16(0)}${sourceTsMs.toString(16).padStart(12, '0')}${hex16(offset)}`;

/** A fixture's row (`payload.after` of a schema envelope, `after` of a bare one), to edit in place. */
const afterOf = (json: Record<string, unknown>): Record<string, unknown> => {
  const payload = (json.payload ?? json) as Record<string, unknown>;
  return payload.after as Record<string, unknown>;
};

const decode = (record: KafkaRecord): DecodedRecord => decodeRecord(record, topicConfig);

describe('decodeRecord, tombstones and empty values', () => {
  it.each([
    ['a null value', null],
    ['an absent value', undefined],
  ])('skips %s as TOMBSTONE', (_label, value) => {
    // Prepare
    const record = mskRecord({ value, key: { id: 1003 }, offset: 12 });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'Skipped',
      reason: 'TOMBSTONE',
      detail: 'tombstone (null value)',
      record,
    });
  });

  it('skips an order_items tombstone as TOMBSTONE', () => {
    // Prepare
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: null, key: { id: 5001 } });

    // Act
    const decoded = decode(record) as SkippedRecord;

    // Assess
    expect(decoded.type).toBe('Skipped');
    expect(decoded.reason).toBe('TOMBSTONE');
  });

  it('skips a schema envelope whose payload is null as TOMBSTONE', () => {
    // Prepare
    const record = mskRecord({ value: { schema: { type: 'struct', fields: [] }, payload: null } });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'Skipped',
      reason: 'TOMBSTONE',
      detail: 'tombstone (null payload)',
      record,
    });
  });

  it('rejects a present but empty value as EMPTY_VALUE', () => {
    // Prepare
    const record = mskRecord({ rawValue: '' });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.EMPTY_VALUE);
  });
});

describe('decodeRecord, undecodable values', () => {
  it.each([
    ['invalid base64', '!!not-base64!!', ErrorCode.INVALID_BASE64],
    ['invalid UTF-8', toBase64Bytes([0x7b, 0xff, 0xfe, 0x7d]), ErrorCode.INVALID_UTF8],
    ['bad JSON', Buffer.from('{"op":"c",').toString('base64'), ErrorCode.INVALID_JSON],
    ['a JSON array', Buffer.from('[{"op":"c"}]').toString('base64'), ErrorCode.NOT_AN_OBJECT],
    ['a JSON string', Buffer.from('"c"').toString('base64'), ErrorCode.NOT_AN_OBJECT],
    [
      'an unknown op',
      Buffer.from('{"op":"x","after":{"id":1},"source":{}}').toString('base64'),
      ErrorCode.UNKNOWN_OP,
    ],
  ])('rejects %s with its code', (_label, rawValue, code) => {
    // Prepare
    const record = mskRecord({ rawValue });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, code);
  });

  it('rejects a record from an unknown topic as UNKNOWN_TOPIC, even a tombstone', () => {
    // Prepare
    const event = mskRecord({
      topic: 'dbserver1.public.customers',
      value: loadFixture('products-create-schema.json'),
    });
    const tombstone = mskRecord({ topic: 'dbserver1.public.customers', value: null });

    // Act
    const eventError = captureError(() => decode(event));
    const tombstoneError = captureError(() => decode(tombstone));

    // Assess
    expectPoison(eventError, ErrorCode.UNKNOWN_TOPIC);
    expectPoison(tombstoneError, ErrorCode.UNKNOWN_TOPIC);
    expect((eventError as Error).message).toBe("No handler for topic 'dbserver1.public.customers'");
  });

  it('rejects a malformed record as MALFORMED_RECORD before looking at its topic', () => {
    // Prepare
    const record: KafkaRecord = {
      ...mskRecord({ topic: 'elsewhere', value: null }),
      offset: -1,
      malformed: 'record has no valid offset',
    };

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.MALFORMED_RECORD);
    expect((error as Error).message).toBe('Malformed Kafka record: record has no valid offset');
  });

  it('routes by the configured topic names', () => {
    // Prepare
    const config = { ...topicConfig, productsTopic: 'shop.products', orderItemsTopic: 'shop.order_items' };
    const record = fixtureRecord('order-items-create-schema.json', { topic: 'shop.order_items' });
    const defaultTopic = fixtureRecord('order-items-create-schema.json', { topic: ORDER_ITEMS_TOPIC });

    // Act
    const decoded = decodeRecord(record, config);
    const error = captureError(() => decodeRecord(defaultTopic, config));

    // Assess
    expect(decoded.type).toBe('OrderItemCreated');
    expectPoison(error, ErrorCode.UNKNOWN_TOPIC);
  });

  it('decodes a TRUNCATE of products as ProductsTruncated at its commit position', () => {
    // Prepare
    const record = fixtureRecord('products-truncate.json');

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'ProductsTruncated',
      position: streamed(24_039_992, 24_040_000),
      sourceTsMs: 1_736_950_000_000,
      record,
    });
  });

  it('dead-letters a TRUNCATE of products without a position (MISSING_FIELD): it cannot be ordered', () => {
    // Prepare
    const json = loadFixture('products-truncate.json');
    json.source = {};
    const record = mskRecord({ topic: PRODUCTS_TOPIC, value: json });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.MISSING_FIELD);
  });
});

describe('decodeRecord, products upserts', () => {
  it('turns a schema-envelope create with a precise price into ProductUpserted with exact columns', () => {
    // Prepare
    const record = fixtureRecord('products-create-schema.json', { partition: 1, offset: 5 });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'ProductUpserted',
      productId: 1001,
      position: streamed(24_023_120, 24_023_128),
      snapshot: false,
      created: true,
      sourceTsMs: 1_736_937_000_123,
      columns: {
        name: 'Laptop',
        description: 'High-performance laptop',
        price: '1299.99',
        stockQuantity: 45,
      },
      lastUpdated: '2025-01-15T10:30:00.123Z',
      cdcTimestamp: 1_736_937_000_456,
      record,
    } satisfies ProductUpserted);
    expect((decoded as ProductUpserted).record).toBe(record);
  });

  it('keeps the stored description when an update carries the TOAST placeholder (column absent)', () => {
    // Prepare
    const record = fixtureRecord('products-update-toast.json', { offset: 6 });

    // Act
    const decoded = decode(record) as ProductUpserted;

    // Assess
    expect(decoded.type).toBe('ProductUpserted');
    expect(decoded.columns).toEqual({ name: 'Laptop Pro', price: '1249.50', stockQuantity: 40 });
    expect('description' in decoded.columns).toBe(false);
    expect(decoded.lastUpdated).toBe('2025-01-15T11:30:00.000Z');
    expect(decoded.cdcTimestamp).toBe(1_736_940_600_301);
    expect(decoded.position).toBe(streamed(24_023_472, 24_023_480));
  });

  it('treats the base64 form of the TOAST placeholder as absent too', () => {
    // Prepare
    const json = loadFixture('products-create-schema.json');
    afterOf(json).price = Buffer.from('__debezium_unavailable_value').toString('base64');
    const record = mskRecord({ value: json });

    // Act
    const decoded = decode(record) as ProductUpserted;

    // Assess
    expect(decoded.columns).toEqual({
      name: 'Laptop',
      description: 'High-performance laptop',
      stockQuantity: 45,
    });
  });

  it('clears the description when the row carries null', () => {
    // Prepare
    const record = fixtureRecord('products-snapshot-read.json', { offset: 1 });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'ProductUpserted',
      productId: 1002,
      position: snapshotAt(23_990_000),
      snapshot: true,
      sourceTsMs: 1_736_930_000_000,
      columns: { name: 'Wireless Mouse', description: null, price: '12.50', stockQuantity: 8 },
      lastUpdated: '2025-01-14T10:20:00.000Z',
      cdcTimestamp: 1_736_930_000_812,
      record,
    } satisfies ProductUpserted);
  });

  it('leaves NOT NULL columns sent as null out of the change', () => {
    // Prepare
    const json = loadFixture('products-update-toast.json');
    Object.assign(afterOf(json), { name: null, price: null, stock_quantity: null });
    const record = mskRecord({ value: json });

    // Act
    const decoded = decode(record) as ProductUpserted;

    // Assess
    expect(decoded.columns).toEqual({});
  });

  it('turns an unwrapped (ExtractNewRecordState) update with a double price into ProductUpserted', () => {
    // Prepare
    const record = fixtureRecord('products-unwrapped-update.json', { offset: 9 });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'ProductUpserted',
      productId: 1004,
      position: streamed(24_032_000, 24_032_000),
      snapshot: false,
      sourceTsMs: 1_736_945_000_000,
      columns: { name: 'USB-C Hub', description: '7-in-1 hub', price: '49.90', stockQuantity: 120 },
      lastUpdated: '2025-01-15T12:43:20.000Z',
      cdcTimestamp: 1_736_945_000_000,
      record,
    } satisfies ProductUpserted);
  });

  it('decodes a schemaless base64 price with the configured PRICE_SCALE', () => {
    // Prepare
    const json = loadFixture('products-unwrapped-update.json');
    json.price = 'AfvP';
    const record = mskRecord({ value: json });

    // Act
    const withScale2 = decode(record) as ProductUpserted;
    const withScale3 = decodeRecord(record, { ...topicConfig, priceScale: 3 }) as ProductUpserted;

    // Assess
    expect(withScale2.columns.price).toBe('1299.99');
    expect(withScale3.columns.price).toBe('129.999');
  });

  it('uses the source time for last_updated when updated_at is not sent', () => {
    // Prepare
    const json = loadFixture('products-update-toast.json');
    delete afterOf(json).updated_at;
    const record = mskRecord({ value: json });

    // Act
    const decoded = decode(record) as ProductUpserted;

    // Assess
    expect(decoded.lastUpdated).toBe('2025-01-15T11:30:00.250Z');
  });

  it('falls back to the Kafka timestamp when the change carries no time at all', () => {
    // Prepare
    const record = mskRecord({ value: { id: 77, name: 'Bare row' }, timestamp: 1_736_937_000_500 });

    // Act
    const decoded = decode(record) as ProductUpserted;

    // Assess
    expect(decoded.lastUpdated).toBe('2025-01-15T10:30:00.500Z');
    expect(decoded.cdcTimestamp).toBe(1_736_937_000_500);
    expect(decoded.position).toBe(bySourceTime(0, 0));
  });

  it.each([
    ['a bad price', { price: 'not a price!' }, ErrorCode.BAD_DECIMAL],
    ['a bad updated_at', { updated_at: 'soon' }, ErrorCode.BAD_TIMESTAMP],
    ['a missing id', { id: null }, ErrorCode.MISSING_FIELD],
    ['a string id', { id: '1001' }, ErrorCode.INVALID_FIELD],
    ['an id beyond 2^53', { id: 2 ** 53 }, ErrorCode.INVALID_FIELD],
    ['a fractional id', { id: 1.5 }, ErrorCode.INVALID_FIELD],
    ['a numeric name', { name: 42 }, ErrorCode.INVALID_FIELD],
    ['a string stock_quantity', { stock_quantity: '45' }, ErrorCode.INVALID_FIELD],
    ['a fractional stock_quantity', { stock_quantity: 4.5 }, ErrorCode.INVALID_FIELD],
  ])('rejects a product with %s', (_label, patch, code) => {
    // Prepare
    const json = loadFixture('products-create-schema.json');
    Object.assign(afterOf(json), patch);
    const record = mskRecord({ value: json });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, code);
  });

  it('rejects an id beyond 2^53 (rounded by JSON.parse) as INVALID_FIELD', () => {
    // Prepare
    const text = '{"op":"c","before":null,"after":{"id":9007199254740993,"name":"Big"},"source":{"lsn":1}}';
    const record = mskRecord({ rawValue: Buffer.from(text).toString('base64') });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
  });
});

describe('decodeRecord, products deletes', () => {
  it('deletes by the before image id', () => {
    // Prepare
    const record = fixtureRecord('products-delete-schema.json', { offset: 20, key: { id: 1003 } });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'ProductDeleted',
      productId: 1003,
      position: streamed(24_030_992, 24_031_000),
      sourceTsMs: 1_736_944_200_000,
      record,
    } satisfies ProductDeleted);
  });

  it('deletes by the Kafka key when the before image is null', () => {
    // Prepare
    const record = fixtureRecord('products-delete-no-before.json', {
      offset: 21,
      key: loadFixture('key-products-1003.json'),
    });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'ProductDeleted',
      productId: 1003,
      position: streamed(24_031_192, 24_031_200),
      sourceTsMs: 1_736_944_300_000,
      record,
    } satisfies ProductDeleted);
  });

  it('reads a Kafka key wrapped in {schema, payload}', () => {
    // Prepare
    const record = fixtureRecord('products-delete-no-before.json', {
      key: loadFixture('key-products-1004-schema.json'),
    });

    // Act
    const decoded = decode(record) as ProductDeleted;

    // Assess
    expect(decoded.type).toBe('ProductDeleted');
    expect(decoded.productId).toBe(1004);
  });

  it('rejects a delete with neither a before image nor a key as MISSING_FIELD', () => {
    // Prepare
    const record = fixtureRecord('products-delete-no-before.json');

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.MISSING_FIELD);
  });

  it('rejects a delete by a key that is not base64 as INVALID_BASE64', () => {
    // Prepare
    const record: KafkaRecord = { ...fixtureRecord('products-delete-no-before.json'), key: 'a$c' };

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.INVALID_BASE64);
  });

  it('deletes an unwrapped row by its key only, ignoring placeholder values', () => {
    // Prepare
    const json = loadFixture('products-unwrapped-delete.json');
    Object.assign(json, { price: 'placeholder!', updated_at: 'epoch', stock_quantity: 'n/a' });
    const record = mskRecord({ value: json, offset: 30, key: { id: 1004 } });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'ProductDeleted',
      productId: 1004,
      position: streamed(24_033_000, 24_033_000),
      sourceTsMs: 1_736_946_000_000,
      record,
    } satisfies ProductDeleted);
  });
});

describe('decodeRecord, order items', () => {
  it('turns a create into OrderItemCreated', () => {
    // Prepare
    const record = fixtureRecord('order-items-create-schema.json', { topic: ORDER_ITEMS_TOPIC, offset: 40 });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toEqual({
      type: 'OrderItemCreated',
      productId: 1001,
      orderItemId: 5001,
      quantity: 3,
      position: streamed(24_024_992, 24_025_000),
      snapshot: false,
      sourceTsMs: 1_736_941_000_200,
      record,
    } satisfies OrderItemCreated);
  });

  it('takes the order line id from the Kafka key when the row lacks it', () => {
    // Prepare
    const json = loadFixture('order-items-create-schema.json');
    delete afterOf(json).id;
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json, key: { id: 5002 } });

    // Act
    const decoded = decode(record) as OrderItemCreated;

    // Assess
    expect(decoded.type).toBe('OrderItemCreated');
    expect(decoded.orderItemId).toBe(5002);
  });

  it('dead-letters an order line with no id in the row or the key: it has no identity', () => {
    // Prepare
    const json = loadFixture('order-items-create-schema.json');
    delete afterOf(json).id;
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.MISSING_FIELD);
  });

  it('skips a removal without a before image as ORDER_LINE_REMOVAL_UNKNOWN: neither product nor quantity is sent', () => {
    // Prepare
    const record = fixtureRecord('order-items-delete.json', { topic: ORDER_ITEMS_TOPIC });

    // Act
    const decoded = decode(record) as SkippedRecord;

    // Assess
    expect(decoded).toMatchObject({ type: 'Skipped', reason: 'ORDER_LINE_REMOVAL_UNKNOWN' });
    expect(decoded.detail).toContain('REPLICA IDENTITY FULL');
  });

  it.each([
    ['orders', 'ORDER_LINE_NOT_COUNTED'],
    ['products', 'ORDER_LINE_NOT_COUNTED'],
    ['ledger', 'OrderItemCreated'],
  ] as const)('under STOCK_MODEL=%s a snapshot order line decodes to %s', (stockModel, expected) => {
    // Prepare
    const record = fixtureRecord('order-items-snapshot-read.json', { topic: ORDER_ITEMS_TOPIC });

    // Act
    const decoded = decodeRecord(record, { ...topicConfig, stockModel });

    // Assess
    expect(decoded.type === 'Skipped' ? decoded.reason : decoded.type).toBe(expected);
  });

  it('skips every order line under STOCK_MODEL=products: the products row carries the stock', () => {
    // Prepare
    const record = fixtureRecord('order-items-create-schema.json', { topic: ORDER_ITEMS_TOPIC });

    // Act
    const decoded = decodeRecord(record, { ...topicConfig, stockModel: 'products' }) as SkippedRecord;

    // Assess
    expect(decoded).toMatchObject({ type: 'Skipped', reason: 'ORDER_LINE_NOT_COUNTED' });
  });

  it('decodes an update without a before image as an edit whose old quantity the ledger recalls', () => {
    // Prepare
    const json = loadFixture('order-items-create-schema.json');
    (json.payload as Record<string, unknown>).op = 'u';
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toMatchObject({ type: 'OrderItemCreated', edit: 'update', recallOld: true });
  });

  it('decodes an update with a before image (REPLICA IDENTITY FULL) as the difference in quantity', () => {
    // Prepare
    const json = loadFixture('order-items-create-schema.json');
    const payload = json.payload as Record<string, Record<string, unknown>>;
    payload.op = 'u' as never;
    payload.before = { ...payload.after, quantity: (payload.after?.quantity as number) + 3 };
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toMatchObject({ type: 'OrderItemCreated', edit: 'update', quantity: -3 });
    expect(decoded).not.toHaveProperty('recallOld');
  });

  it('decodes a removal with a before image as giving the quantity back to its product', () => {
    // Prepare
    const json = loadFixture('order-items-create-schema.json');
    const payload = json.payload as Record<string, unknown>;
    payload.op = 'd';
    payload.before = payload.after;
    payload.after = null;
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const decoded = decode(record);

    // Assess
    expect(decoded).toMatchObject({ type: 'OrderItemCreated', edit: 'delete' });
    expect((decoded as { quantity: number }).quantity).toBeLessThan(0);
  });

  it('rejects an unwrapped order item without __op as MISSING_FIELD rather than guessing create or update', () => {
    // Prepare
    const row = { id: 7, order_id: 10001, product_id: 1001, quantity: 2, __deleted: 'false' };
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: row });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.MISSING_FIELD);
    expect((error as Error).message).toContain('add.fields=op');
  });

  it('decrements for an unwrapped order item whose __op is c', () => {
    // Prepare
    const row = { id: 7, order_id: 10001, product_id: 1001, quantity: 2, __op: 'c', __deleted: 'false' };
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: row });

    // Act
    const decoded = decode(record) as OrderItemCreated;

    // Assess
    expect(decoded).toMatchObject({ type: 'OrderItemCreated', productId: 1001, quantity: 2, orderItemId: 7 });
  });

  it.each([
    ['zero', 0],
    ['negative', -2],
    ['fractional', 1.5],
    ['a string', '3'],
    ['beyond 2^53', 2 ** 53],
  ])('rejects a %s quantity as INVALID_QUANTITY', (_label, quantity) => {
    // Prepare
    const json = loadFixture('order-items-create-schema.json');
    afterOf(json).quantity = quantity;
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, ErrorCode.INVALID_QUANTITY);
  });

  it.each([
    ['a missing quantity', { quantity: null }, ErrorCode.MISSING_FIELD],
    ['a missing product_id', { product_id: null }, ErrorCode.MISSING_FIELD],
    ['a string product_id', { product_id: '1001' }, ErrorCode.INVALID_FIELD],
    ['a product_id beyond 2^53', { product_id: 2 ** 53 }, ErrorCode.INVALID_FIELD],
    ['a fractional product_id', { product_id: -1.5 }, ErrorCode.INVALID_FIELD],
    ['an id that is not a safe integer', { id: 2 ** 53 + 2 }, ErrorCode.INVALID_FIELD],
  ])('rejects an order item with %s', (_label, patch, code) => {
    // Prepare
    const json = loadFixture('order-items-create-schema.json');
    Object.assign(afterOf(json), patch);
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const error = captureError(() => decode(record));

    // Assess
    expectPoison(error, code);
  });

  it('does not route an order item through the products decoder', () => {
    // Prepare
    const record = fixtureRecord('order-items-create-schema.json', { topic: PRODUCTS_TOPIC });

    // Act
    const decoded = decode(record) as ProductUpserted;

    // Assess: on the products topic the same row reads as product 5001
    expect(decoded.type).toBe('ProductUpserted');
    expect(decoded.productId).toBe(5001);
  });
});
