import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lambda/config.js';
import { decodeRecord } from '../../../lambda/decode/decode-record.js';
import { flattenRecords } from '../../../lambda/decode/kafka-event.js';
import { ErrorCode } from '../../../lambda/errors.js';
import type { ProductUpserted, SkippedRecord } from '../../../lambda/inventory/changes.js';
import { captureError, expectPoison } from '../support/errors.js';
import { PRODUCTS_TOPIC, topicConfig } from '../support/records.js';
import {
  loadRegistryEvent,
  loadRegistryFixture,
  REGISTRY_RENDERINGS,
  REGISTRY_TWINS,
  registryRecord,
  twinRecord,
  withoutRecord,
} from './registry-fixtures.js';

const cases = REGISTRY_TWINS.flatMap((fixture) =>
  REGISTRY_RENDERINGS.map((rendering) => ({ ...fixture, rendering })),
);

describe('decodeRecord, values converted by a schema registry', () => {
  it.each(cases)(
    'decodes $name ($rendering) to exactly the change its JSON-converter twin gives',
    (fixture) => {
      // Prepare
      const options = { topic: fixture.topic, key: fixture.key };
      const registry = registryRecord(loadRegistryFixture(fixture.name, fixture.rendering), options);
      const twin = twinRecord(fixture.twin, options);

      // Act
      const decoded = decodeRecord(registry, topicConfig);
      const expected = decodeRecord(twin, topicConfig);

      // Assess
      expect(decoded.type).not.toBe('Skipped');
      expect(withoutRecord(decoded)).toEqual(withoutRecord(expected));
      expect(decoded.record).toBe(registry);
    },
  );

  it('gives the price, stock and commit position the contract expects for the Avro JSON create', () => {
    // Prepare
    const record = registryRecord(loadRegistryFixture('products-create', 'avro-json'), {
      topic: PRODUCTS_TOPIC,
    });

    // Act
    const decoded = decodeRecord(record, topicConfig) as ProductUpserted;

    // Assess
    expect(decoded.columns).toEqual({
      name: 'Laptop',
      description: 'High-performance laptop',
      price: '1299.99',
      stockQuantity: 45,
    });
    expect(decoded.lastUpdated).toBe('2025-01-15T10:30:00.123Z');
    expect(decoded.cdcTimestamp).toBe(1_736_937_000_456);
    expect(decoded.sourceTsMs).toBe(1_736_937_000_123);
  });

  it('decodes the Avro JSON values even without metadata: their union wrappers say what they are', () => {
    // Prepare
    const record = registryRecord(loadRegistryFixture('products-snapshot-read', 'avro-json'), {
      topic: PRODUCTS_TOPIC,
      metadata: null,
    });

    // Act
    const decoded = decodeRecord(record, topicConfig) as ProductUpserted;

    // Assess
    expect(decoded.snapshot).toBe(true);
    expect(decoded.columns.price).toBe('12.50');
  });

  it('refuses plain Avro JSON bytes as BAD_DECIMAL when nothing says a registry converted the value', () => {
    // Prepare
    const record = registryRecord(loadRegistryFixture('products-create', 'plain-bytes'), {
      topic: PRODUCTS_TOPIC,
      metadata: null,
    });

    // Act
    const error = captureError(() => decodeRecord(record, topicConfig));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });

  it('decodes plain Avro JSON bytes without metadata when the configuration says values come from a registry', () => {
    // Prepare
    const record = registryRecord(loadRegistryFixture('products-create', 'plain-bytes'), {
      topic: PRODUCTS_TOPIC,
      metadata: null,
    });

    // Act
    const decoded = decodeRecord(record, { ...topicConfig, registryValues: true }) as ProductUpserted;

    // Assess
    expect(decoded.columns.price).toBe('1299.99');
  });

  it('takes that setting from REGISTRY_VALUES, which the stack sets with a schema registry', () => {
    // Prepare
    const record = registryRecord(loadRegistryFixture('products-create', 'plain-bytes'), {
      topic: PRODUCTS_TOPIC,
      metadata: null,
    });
    const config = loadConfig({ DLQ_S3_BUCKET: 'letters', REGISTRY_VALUES: 'true' });

    // Act
    const decoded = decodeRecord(record, config) as ProductUpserted;

    // Assess
    expect(decoded.columns.price).toBe('1299.99');
    expectPoison(
      captureError(() => decodeRecord(record, loadConfig({ DLQ_S3_BUCKET: 'letters' }))),
      ErrorCode.BAD_DECIMAL,
    );
  });

  it.each([
    ['a number', 1299.99, '1299.99'],
    ['a numeric string with the column scale', '1299.99', '1299.99'],
    ['a short numeric string with the column scale', '0.53', '0.53'],
    ['one Avro JSON byte that is a digit', '5', '0.53'],
    ['two Avro JSON bytes that are digits', '12', '125.94'],
  ])('reads a price rendered as %s', (_label, price, expected) => {
    // Prepare
    const value = loadRegistryFixture('products-create', 'plain-base64');
    (value.after as Record<string, unknown>).price = price;
    const record = registryRecord(value, { topic: PRODUCTS_TOPIC });

    // Act
    const decoded = decodeRecord(record, topicConfig) as ProductUpserted;

    // Assess
    expect(decoded.columns.price).toBe(expected);
  });

  it.each([
    ['an int branch holding a string', 'stock_quantity', { int: '45' }, ErrorCode.INVALID_FIELD],
    ['a string branch holding a number', 'name', { string: 7 }, ErrorCode.INVALID_FIELD],
    ['a bytes branch holding a number', 'price', { bytes: 12 }, ErrorCode.INVALID_FIELD],
    [
      'a named branch holding a number',
      'price',
      { 'io.debezium.data.VariableScaleDecimal': 1 },
      ErrorCode.INVALID_FIELD,
    ],
    ['bytes above U+00FF', 'price', { bytes: '\u0101' }, ErrorCode.BAD_DECIMAL],
    ['no bytes at all', 'price', { bytes: '' }, ErrorCode.BAD_DECIMAL],
    [
      'bytes beyond NUMERIC(10,2)',
      'price',
      { bytes: '\u0001\u0000\u0000\u0000\u0000\u0000' },
      ErrorCode.BAD_DECIMAL,
    ],
    ['two branches at once', 'stock_quantity', { int: 1, long: 2 }, ErrorCode.INVALID_FIELD],
  ])('refuses %s with its code', (_label, column, value, code) => {
    // Prepare
    const json = loadRegistryFixture('products-create', 'avro-json');
    const after = json.after as Record<string, Record<string, unknown>>;
    (after['dbserver1.public.products.Value'] as Record<string, unknown>)[column] = value;
    const record = registryRecord(json, { topic: PRODUCTS_TOPIC });

    // Act
    const error = captureError(() => decodeRecord(record, topicConfig));

    // Assess
    expectPoison(error, code);
  });

  it('refuses a union-wrapped source.lsn that is not a long as INVALID_FIELD', () => {
    // Prepare
    const json = loadRegistryFixture('products-create', 'avro-json');
    (json.source as Record<string, unknown>).lsn = { long: '24023128' };
    const record = registryRecord(json, { topic: PRODUCTS_TOPIC });

    // Act
    const error = captureError(() => decodeRecord(record, topicConfig));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
  });

  it('decodes a VariableScaleDecimal price whose struct is union-wrapped and whose bytes are Avro JSON bytes', () => {
    // Prepare
    const json = loadRegistryFixture('products-create', 'avro-json');
    const after = (json.after as Record<string, Record<string, unknown>>)['dbserver1.public.products.Value'];
    (after as Record<string, unknown>).price = {
      'io.debezium.data.VariableScaleDecimal': { scale: 3, value: '\u0001\u00fb\u00cf' },
    };
    const record = registryRecord(json, { topic: PRODUCTS_TOPIC });

    // Act
    const decoded = decodeRecord(record, topicConfig) as ProductUpserted;

    // Assess
    expect(decoded.columns.price).toBe('129.999');
  });
});

describe('decodeRecord, ExtractNewRecordState rows converted by a schema registry', () => {
  /** An unwrapped row: Avro makes the optional top-level Value struct a union, and `__` fields optional. */
  const unwrappedRow = (fields: Record<string, unknown>) => ({
    'dbserver1.public.products.Value': {
      id: 1004,
      name: 'Desk',
      description: { string: 'Oak' },
      price: '\u0001\u00fb\u00cf',
      stock_quantity: 3,
      created_at: 1_736_936_400_000_000,
      updated_at: 1_736_937_000_000_000,
      __lsn: { long: 24_040_000 },
      __source_ts_ms: { long: 1_736_937_000_000 },
      ...fields,
    },
  });

  it('decodes a union-wrapped row with its __op', () => {
    // Prepare
    const record = registryRecord(unwrappedRow({ __op: { string: 'c' }, __deleted: { string: 'false' } }), {
      topic: PRODUCTS_TOPIC,
    });

    // Act
    const decoded = decodeRecord(record, topicConfig) as ProductUpserted;

    // Assess
    expect(decoded.type).toBe('ProductUpserted');
    expect(decoded.columns).toEqual({ name: 'Desk', description: 'Oak', price: '1299.99', stockQuantity: 3 });
    expect(decoded.sourceTsMs).toBe(1_736_937_000_000);
  });

  it('decodes __deleted "true" as a delete of the row', () => {
    // Prepare
    const record = registryRecord(unwrappedRow({ __deleted: { string: 'true' } }), { topic: PRODUCTS_TOPIC });

    // Act
    const decoded = decodeRecord(record, topicConfig);

    // Assess
    expect(decoded).toMatchObject({ type: 'ProductDeleted', productId: 1004 });
  });
});

describe('decodeRecord, the registry event fixture', () => {
  it('keeps every record and its metadata, skips the tombstone and decodes the rest like their twins', () => {
    // Prepare
    const event = loadRegistryEvent();

    // Act
    const records = flattenRecords(event);
    const decoded = records.map((record) => decodeRecord(record, topicConfig));

    // Assess
    expect(records).toHaveLength(16);
    expect(records.every((record) => record.valueSchemaMetadata?.dataFormat === 'AVRO')).toBe(true);
    const skipped = decoded.filter((change): change is SkippedRecord => change.type === 'Skipped');
    expect(skipped.map((change) => [change.reason, change.record.offset])).toEqual([['TOMBSTONE', 9]]);
    const byKind = decoded.map((change) => change.type);
    expect(byKind.filter((type) => type === 'ProductUpserted')).toHaveLength(9);
    expect(byKind.filter((type) => type === 'ProductDeleted')).toHaveLength(3);
    expect(byKind.filter((type) => type === 'OrderItemCreated')).toHaveLength(3);
  });
});
