import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../lambda/decode/decode-record.js';
import type { KafkaRecord } from '../../../lambda/decode/kafka-event.js';
import { DEFAULT_EPOCH_HEADER, recordEpoch } from '../../../lambda/decode/record-epoch.js';
import { ErrorCode } from '../../../lambda/errors.js';
import type { OrderItemCreated, ProductUpserted } from '../../../lambda/inventory/changes.js';
import { captureError, expectPoison } from '../support/errors.js';
import { fixtureRecord, ORDER_ITEMS_TOPIC, topicConfig } from '../support/records.js';

/** A header value as Lambda delivers it: the array of the value's bytes. */
const bytesOf = (text: string): number[] => [...Buffer.from(text, 'utf8')];

const withHeaders = (headers: KafkaRecord['headers']): Pick<KafkaRecord, 'headers'> => ({ headers });

const settings = { sourceEpoch: 3 };

describe('recordEpoch', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['007', 7],
    ['65535', 0xffff],
  ])('reads the InsertHeader literal %s as epoch %i', (text, epoch) => {
    // Prepare
    const record = withHeaders([{ [DEFAULT_EPOCH_HEADER]: bytesOf(text) }]);

    // Act
    const result = recordEpoch(record, settings);

    // Assess
    expect(result).toBe(epoch);
  });

  it.each([
    ['no headers at all', undefined],
    ['an empty header list', []],
    ['only other headers', [{ 'cdc.epochs': bytesOf('9') }, { __debezium_newkey: bytesOf('{"id":1}') }]],
  ] as Array<[string, KafkaRecord['headers']]>)('falls back to SOURCE_EPOCH with %s', (_label, headers) => {
    // Prepare
    const record = withHeaders(headers);

    // Act
    const result = recordEpoch(record, settings);

    // Assess
    expect(result).toBe(3);
  });

  it('finds the header among others and under the name EPOCH_HEADER sets', () => {
    // Prepare
    const record = withHeaders([{ trace: bytesOf('abc') }, { 'shop.epoch': bytesOf('12') }]);

    // Act
    const configured = recordEpoch(record, { sourceEpoch: 0, epochHeader: 'shop.epoch' });
    const unconfigured = recordEpoch(record, { sourceEpoch: 0 });

    // Assess
    expect(configured).toBe(12);
    expect(unconfigured).toBe(0);
  });

  it('accepts the header twice with the same value', () => {
    // Prepare
    const record = withHeaders([
      { [DEFAULT_EPOCH_HEADER]: bytesOf('2') },
      { [DEFAULT_EPOCH_HEADER]: bytesOf('2') },
    ]);

    // Act
    const result = recordEpoch(record, settings);

    // Assess
    expect(result).toBe(2);
  });

  it.each([
    ['empty', []],
    ['negative', bytesOf('-1')],
    ['above the 4 hex digits of a position', bytesOf('65536')],
    ['far too long', bytesOf('1000000')],
    ['hexadecimal', bytesOf('0x1')],
    ['a decimal fraction', bytesOf('1.0')],
    ['padded', bytesOf(' 1')],
    ['JSON text', bytesOf('"1"')],
    ['not bytes', 'MQ=='],
    ['bytes out of range', [49, 300]],
    ['a byte that is no ASCII digit (signed form)', [49, -48]],
    ['bytes that are not integers', [49.5]],
    ['null', null],
  ])('refuses a header value that is %s as INVALID_FIELD', (_label, value) => {
    // Prepare
    const record = withHeaders([{ [DEFAULT_EPOCH_HEADER]: value as unknown as number[] }]);

    // Act
    const error = captureError(() => recordEpoch(record, settings));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
    expect((error as Error).message).toContain(`'${DEFAULT_EPOCH_HEADER}'`);
  });

  it('refuses a record stamped with two different epochs', () => {
    // Prepare
    const record = withHeaders([
      { [DEFAULT_EPOCH_HEADER]: bytesOf('1') },
      { [DEFAULT_EPOCH_HEADER]: bytesOf('2') },
    ]);

    // Act
    const error = captureError(() => recordEpoch(record, settings));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
    expect((error as Error).message).toContain('both 1 and 2');
  });

  it('skips header entries that are not objects', () => {
    // Prepare: the mapping never sends these, but a hand-made event or a replayed letter may
    const record = withHeaders([null, 'cdc.epoch', { [DEFAULT_EPOCH_HEADER]: bytesOf('5') }] as never);

    // Act
    const result = recordEpoch(record, settings);

    // Assess
    expect(result).toBe(5);
  });
});

describe('decodeRecord with an epoch header', () => {
  it('ranks a products change in the epoch its header names, not SOURCE_EPOCH', () => {
    // Prepare
    const plain = fixtureRecord('products-create-schema.json');
    const stamped = { ...plain, headers: [{ 'cdc.epoch': bytesOf('2') }] };

    // Act
    const unstamped = decodeRecord(plain, { ...topicConfig, sourceEpoch: 1 }) as ProductUpserted;
    const inEpoch2 = decodeRecord(stamped, { ...topicConfig, sourceEpoch: 1 }) as ProductUpserted;

    // Assess: the position differs only in its first four hex digits, the epoch
    expect(unstamped.position.slice(0, 4)).toBe('0001');
    expect(inEpoch2.position.slice(0, 4)).toBe('0002');
    expect(inEpoch2.position.slice(4)).toBe(unstamped.position.slice(4));
  });

  it('ranks an order line in the epoch its header names', () => {
    // Prepare
    const record = {
      ...fixtureRecord('order-items-create-schema.json', { topic: ORDER_ITEMS_TOPIC }),
      headers: [{ 'cdc.epoch': bytesOf('10') }],
    };

    // Act
    const decoded = decodeRecord(record, topicConfig) as OrderItemCreated;

    // Assess
    expect(decoded.type).toBe('OrderItemCreated');
    expect(decoded.position.slice(0, 4)).toBe('000a');
  });

  it('makes a record with a malformed epoch header poison, whatever its value', () => {
    // Prepare
    const record = {
      ...fixtureRecord('products-create-schema.json'),
      headers: [{ 'cdc.epoch': bytesOf('one') }],
    };

    // Act
    const error = captureError(() => decodeRecord(record, topicConfig));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
  });
});
