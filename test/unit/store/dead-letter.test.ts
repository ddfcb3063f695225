import { describe, expect, it } from 'vitest';
import { flattenRecords, type KafkaRecord } from '../../../lambda/decode/kafka-event.js';
import { ErrorCode } from '../../../lambda/errors.js';
import {
  buildDeadLetter,
  DEAD_LETTER_FORMAT_VERSION,
  type DeadLetter,
  deadLetterKey,
  deadLetterKeys,
} from '../../../lambda/store/dead-letter.js';

const AT = new Date('2025-01-15T10:30:05.250Z');

describe('deadLetterKey', () => {
  it('is <topic>/<partition>/<offset>.json', () => {
    // Prepare
    const record = { topic: 'dbserver1.public.order_items', partition: 3, offset: 1042 };

    // Act
    const key = deadLetterKey(record);

    // Assess
    expect(key).toBe('dbserver1.public.order_items/3/1042.json');
  });

  it('is the same for a redelivered record, so the object is overwritten, not duplicated', () => {
    // Prepare
    const first = { topic: 'dbserver1.public.products', partition: 0, offset: 7 };
    const redelivered = { topic: 'dbserver1.public.products', partition: 0, offset: 7 };

    // Act
    const keys = [deadLetterKey(first), deadLetterKey(redelivered)];

    // Assess
    expect(keys[0]).toBe(keys[1]);
  });

  it('encodes a hostile topic so it cannot escape its prefix', () => {
    // Prepare
    const record = { topic: '../../etc/passwd', partition: 0, offset: 1 };

    // Act
    const key = deadLetterKey(record);

    // Assess
    expect(key).toBe('..%2F..%2Fetc%2Fpasswd/0/1.json');
    expect(key.split('/')).toHaveLength(3);
  });
});

describe('buildDeadLetter', () => {
  it('keeps the record exactly as delivered with the error code, message and time', () => {
    // Prepare
    const record: KafkaRecord = {
      topic: 'dbserver1.public.products',
      partition: 2,
      offset: 88,
      timestamp: 1_736_937_000_500,
      timestampType: 'CREATE_TIME',
      key: 'eyJpZCI6MTAwMX0=',
      value: 'bm90IGpzb24=',
      headers: [{ traceparent: [48, 48] }],
    };

    // Act
    const letter = buildDeadLetter(
      record,
      { code: ErrorCode.INVALID_JSON, message: 'Kafka value is not valid JSON' },
      AT,
      { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/shop/abc' },
    );

    // Assess
    const error = {
      code: 'INVALID_JSON',
      message: 'Kafka value is not valid JSON',
      at: '2025-01-15T10:30:05.250Z',
    };
    expect(letter).toEqual({
      formatVersion: 1,
      record: {
        topic: 'dbserver1.public.products',
        partition: 2,
        offset: 88,
        timestamp: 1_736_937_000_500,
        timestampType: 'CREATE_TIME',
        key: 'eyJpZCI6MTAwMX0=',
        value: 'bm90IGpzb24=',
        headers: [{ traceparent: [48, 48] }],
      },
      error,
      errors: [error],
      source: {
        eventSource: 'aws:kafka',
        eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/shop/abc',
      },
    });
    expect(DEAD_LETTER_FORMAT_VERSION).toBe(1);
    expect(deadLetterKey(letter.record)).toBe('dbserver1.public.products/2/88.json');
  });

  it('writes null for an absent key and value, [] for absent headers, and omits an absent timestampType', () => {
    // Prepare
    const record: KafkaRecord = {
      topic: 'dbserver1.public.order_items',
      partition: 0,
      offset: 3,
      timestamp: 0,
    };

    // Act
    const letter = buildDeadLetter(
      record,
      { code: ErrorCode.UNKNOWN_PRODUCT, message: 'Product 404 is not in the table' },
      AT,
    );

    // Assess
    expect(letter.record).toEqual({
      topic: 'dbserver1.public.order_items',
      partition: 0,
      offset: 3,
      timestamp: 0,
      key: null,
      value: null,
      headers: [],
    });
    expect('timestampType' in letter.record).toBe(false);
    expect(letter.source).toEqual({});
    expect(letter.error.code).toBe('UNKNOWN_PRODUCT');
  });

  it('survives a JSON round trip unchanged, as stored in S3', () => {
    // Prepare
    const record: KafkaRecord = {
      topic: 'dbserver1.public.products',
      partition: 1,
      offset: 9,
      timestamp: 1,
      key: null,
      value: '',
      headers: [],
    };
    const letter = buildDeadLetter(record, { code: ErrorCode.EMPTY_VALUE, message: 'empty' }, AT);

    // Act
    const stored = JSON.parse(JSON.stringify(letter));

    // Assess
    expect(stored).toEqual(letter);
    expect(stored.record.value).toBe('');
  });
});

describe('the dead letter of a malformed entry', () => {
  const lettersOf = (entries: readonly unknown[]) =>
    flattenRecords({ eventSource: 'aws:kafka', records: { 'dbserver1.public.products-0': entries } }).map(
      (record) => buildDeadLetter(record, { code: ErrorCode.MALFORMED_RECORD, message: 'malformed' }, AT),
    );

  it('keeps the entry exactly as delivered, as JSON text', () => {
    // Prepare
    const entries = [{ foo: 1 }, 'garbage', null, { offset: -3, value: 'e30=', headers: [{ a: [1] }] }];

    // Act
    const letters = lettersOf(entries);

    // Assess
    expect(letters.map((letter) => letter.entry)).toEqual([
      '{"foo":1}',
      '"garbage"',
      'null',
      '{"offset":-3,"value":"e30=","headers":[{"a":[1]}]}',
    ]);
  });

  it('is named by its content under its partition, never by the made-up offset', () => {
    // Prepare: the same entry at another place in another batch, and a different entry where it was
    const [first, second] = lettersOf([{ foo: 1 }, { foo: 2 }]);
    const [moved] = lettersOf([{ foo: 2 }]);

    // Act
    const keys = [first, second, moved].map((letter) => deadLetterKeys(letter as DeadLetter));

    // Assess
    expect(keys[0]).toEqual([
      expect.stringMatching(/^dbserver1\.public\.products\/0\/malformed~[\w-]{43}\.json$/),
    ]);
    expect(keys[1]).not.toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[1]);
  });

  it('never shares a key with a record, whatever its offset', () => {
    // Prepare
    const [malformed] = lettersOf([{ foo: 1 }]);
    const record = { topic: 'dbserver1.public.products', partition: 0, offset: -1 };

    // Act
    const [entryKey] = deadLetterKeys(malformed as DeadLetter);

    // Assess
    expect(entryKey).not.toBe(deadLetterKey(record));
    expect(entryKey).not.toMatch(/\/-?\d+(~[\w-]+)?\.json$/);
  });

  it('keeps a record without the field: only malformed entries carry one', () => {
    // Act
    const letter = buildDeadLetter(
      { topic: 't', partition: 0, offset: 1, timestamp: 0, value: 'e30=' },
      { code: ErrorCode.UNKNOWN_OP, message: 'x' },
      AT,
    );

    // Assess
    expect(letter).not.toHaveProperty('entry');
    expect(deadLetterKeys(letter)).toEqual([
      't/0/1.json',
      expect.stringMatching(/^t\/0\/1~[\w-]{16}\.json$/),
    ]);
  });
});
