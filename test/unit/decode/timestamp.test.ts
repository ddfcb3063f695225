import { describe, expect, it } from 'vitest';
import type { FieldSchema } from '../../../lambda/decode/decimal.js';
import { TimestampSchema, toIsoTimestamp } from '../../../lambda/decode/timestamp.js';
import { ErrorCode } from '../../../lambda/errors.js';
import { captureError, expectPoison } from '../support/errors.js';

const schemaNamed = (name: string): FieldSchema => ({ type: 'int64', name });

describe('toIsoTimestamp, numeric Debezium types', () => {
  it('reads MicroTimestamp as microseconds since the epoch, truncated to ms, in UTC', () => {
    // Prepare
    const schema = schemaNamed(TimestampSchema.MICRO_TIMESTAMP);

    // Act
    const iso = toIsoTimestamp(1_700_000_000_123_456, schema);

    // Assess
    expect(iso).toBe('2023-11-14T22:13:20.123Z');
  });

  it('reads Timestamp as milliseconds since the epoch', () => {
    // Prepare
    const schema = schemaNamed(TimestampSchema.TIMESTAMP);

    // Act
    const iso = toIsoTimestamp(1_700_000_000_123, schema);

    // Assess
    expect(iso).toBe('2023-11-14T22:13:20.123Z');
  });

  it('reads the Kafka Connect Timestamp as milliseconds since the epoch', () => {
    // Prepare
    const schema = schemaNamed(TimestampSchema.CONNECT_TIMESTAMP);

    // Act
    const iso = toIsoTimestamp(1_736_937_000_999, schema);

    // Assess
    expect(iso).toBe('2025-01-15T10:30:00.999Z');
  });

  it('reads NanoTimestamp as nanoseconds since the epoch', () => {
    // Prepare
    const schema = schemaNamed(TimestampSchema.NANO_TIMESTAMP);

    // Act
    const iso = toIsoTimestamp(Number(1_700_000_000_123_456_789n), schema);

    // Assess
    expect(iso).toBe('2023-11-14T22:13:20.123Z');
  });

  it('trusts the schema over the magnitude: a small MicroTimestamp is still microseconds', () => {
    // Prepare: 1 second after the epoch, in µs
    const schema = schemaNamed(TimestampSchema.MICRO_TIMESTAMP);

    // Act
    const iso = toIsoTimestamp(1_000_000, schema);

    // Assess
    expect(iso).toBe('1970-01-01T00:00:01.000Z');
  });

  it('rounds a pre-epoch MicroTimestamp down to the millisecond', () => {
    // Prepare
    const schema = schemaNamed(TimestampSchema.MICRO_TIMESTAMP);

    // Act
    const iso = toIsoTimestamp(-1, schema);

    // Assess
    expect(iso).toBe('1969-12-31T23:59:59.999Z');
  });
});

describe('toIsoTimestamp, schemaless magnitude inference', () => {
  it.each([
    ['milliseconds', 1_736_937_000_123, '2025-01-15T10:30:00.123Z'],
    ['microseconds', 1_736_937_000_123_456, '2025-01-15T10:30:00.123Z'],
    ['nanoseconds', Number(1_736_937_000_123_456_789n), '2025-01-15T10:30:00.123Z'],
    ['zero as milliseconds', 0, '1970-01-01T00:00:00.000Z'],
  ])('infers %s', (_unit, value, expected) => {
    // Prepare
    const schema = undefined;

    // Act
    const iso = toIsoTimestamp(value, schema);

    // Assess
    expect(iso).toBe(expected);
  });

  it('infers the unit when the schema names a type it does not know', () => {
    // Prepare
    const schema = schemaNamed('io.debezium.time.Unknown');

    // Act
    const iso = toIsoTimestamp(1_736_937_000_123_456, schema);

    // Assess
    expect(iso).toBe('2025-01-15T10:30:00.123Z');
  });
});

describe('toIsoTimestamp, strings (ZonedTimestamp and zone-less)', () => {
  it.each([
    ['2023-11-14T22:13:20Z', '2023-11-14T22:13:20.000Z'],
    ['2023-11-14T22:13:20.1Z', '2023-11-14T22:13:20.100Z'],
    ['2023-11-14T22:13:20.123Z', '2023-11-14T22:13:20.123Z'],
    ['2023-11-14T22:13:20.123456Z', '2023-11-14T22:13:20.123Z'],
    ['2023-11-14T22:13:20.123456789Z', '2023-11-14T22:13:20.123Z'],
    ['2023-11-14T23:13:20.5+01:00', '2023-11-14T22:13:20.500Z'],
    ['2023-11-14T17:13:20.25-05:00', '2023-11-14T22:13:20.250Z'],
    ['2023-11-15T03:43:20+05:30', '2023-11-14T22:13:20.000Z'],
  ])('reads ZonedTimestamp %s as %s', (value, expected) => {
    // Prepare
    const schema: FieldSchema = { type: 'string', name: TimestampSchema.ZONED_TIMESTAMP };

    // Act
    const iso = toIsoTimestamp(value, schema);

    // Assess
    expect(iso).toBe(expected);
  });

  it.each([
    ['2023-11-14T22:13:20', '2023-11-14T22:13:20.000Z'],
    ['2023-11-14T22:13:20.123456', '2023-11-14T22:13:20.123Z'],
    ['2023-11-14 22:13:20', '2023-11-14T22:13:20.000Z'],
  ])('reads zone-less %s as UTC wall-clock time', (value, expected) => {
    // Prepare
    const schema = undefined;

    // Act
    const iso = toIsoTimestamp(value, schema);

    // Assess
    expect(iso).toBe(expected);
  });
});

describe('toIsoTimestamp, bad input', () => {
  it.each([
    ['text', 'yesterday'],
    ['an empty string', ''],
    ['null', null],
    ['a boolean', true],
    ['an object', { seconds: 1 }],
    ['infinity', Number.POSITIVE_INFINITY],
    ['NaN', Number.NaN],
  ])('rejects %s as BAD_TIMESTAMP', (_label, value) => {
    // Prepare
    const schema = schemaNamed(TimestampSchema.MICRO_TIMESTAMP);

    // Act
    const error = captureError(() => toIsoTimestamp(value, schema));

    // Assess
    expectPoison(error, ErrorCode.BAD_TIMESTAMP);
  });

  it('rejects milliseconds beyond the range of a Date as BAD_TIMESTAMP', () => {
    // Prepare: 1e20 ms is far past the ±8.64e15 ms a Date can hold
    const schema = schemaNamed(TimestampSchema.TIMESTAMP);

    // Act
    const error = captureError(() => toIsoTimestamp(1e20, schema));

    // Assess
    expectPoison(error, ErrorCode.BAD_TIMESTAMP);
  });
});
