import { describe, expect, it } from 'vitest';
import { flattenRecords, isKafkaEvent, type KafkaEvent } from '../../../lambda/decode/kafka-event.js';
import { fixtureRecord, ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC } from '../support/records.js';

describe('flattenRecords', () => {
  it('returns every partition’s records in delivery order', () => {
    // Prepare
    const p0a = fixtureRecord('products-create-schema.json', { partition: 0, offset: 10 });
    const p0b = fixtureRecord('products-update-toast.json', { partition: 0, offset: 11 });
    const p1 = fixtureRecord('products-snapshot-read.json', { partition: 1, offset: 3 });
    const event: KafkaEvent = {
      eventSource: 'aws:kafka',
      records: { [`${PRODUCTS_TOPIC}-0`]: [p0a, p0b], [`${PRODUCTS_TOPIC}-1`]: [p1] },
    };

    // Act
    const records = flattenRecords(event);

    // Assess
    expect(records).toEqual([p0a, p0b, p1]);
  });

  it('marks a record without a valid offset as malformed, taking topic and partition from the map key', () => {
    // Prepare
    const event = {
      eventSource: 'SelfManagedKafka',
      records: { [`${ORDER_ITEMS_TOPIC}-4`]: [{ value: 'e30=' }, 'garbage'] },
    } as unknown as KafkaEvent;

    // Act
    const records = flattenRecords(event);

    // Assess
    expect(records).toEqual([
      {
        malformed: 'record has no valid offset',
        topic: ORDER_ITEMS_TOPIC,
        partition: 4,
        offset: -1,
        timestamp: 0,
        timestampType: undefined,
        key: undefined,
        value: 'e30=',
        headers: [],
        entry: { value: 'e30=' },
      },
      {
        malformed: 'record is not an object',
        topic: ORDER_ITEMS_TOPIC,
        partition: 4,
        offset: -2,
        timestamp: 0,
        timestampType: undefined,
        key: undefined,
        value: undefined,
        headers: [],
        entry: 'garbage',
      },
    ]);
  });

  it('keeps a null value (tombstone) and an absent key as delivered', () => {
    // Prepare
    const raw = { topic: PRODUCTS_TOPIC, partition: 0, offset: 7, timestamp: 5, value: null, headers: [] };
    const event: KafkaEvent = { eventSource: 'aws:kafka', records: { [`${PRODUCTS_TOPIC}-0`]: [raw] } };

    // Act
    const [record] = flattenRecords(event);

    // Assess
    expect(record?.value).toBeNull();
    expect(record?.key).toBeUndefined();
    expect(record?.malformed).toBeUndefined();
    expect(record?.offset).toBe(7);
  });

  it('returns nothing for an event without records', () => {
    // Prepare
    const event = { eventSource: 'aws:kafka' } as unknown as KafkaEvent;

    // Act
    const records = flattenRecords(event);

    // Assess
    expect(records).toEqual([]);
    expect(isKafkaEvent(event)).toBe(false);
    expect(isKafkaEvent({ eventSource: 'aws:kafka', records: {} })).toBe(true);
  });
});

describe('flattenRecords, schema registry metadata', () => {
  it('keeps the valueSchemaMetadata the mapping adds, and only its two documented strings', () => {
    // Prepare
    const record = {
      ...fixtureRecord('products-create-schema.json', { offset: 4 }),
      valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '8c2f', extra: { __proto__: { polluted: 1 } } },
    };
    const event = { eventSource: 'aws:kafka', records: { [`${PRODUCTS_TOPIC}-0`]: [record] } } as KafkaEvent;

    // Act
    const [flat] = flattenRecords(event);

    // Assess
    expect(flat?.valueSchemaMetadata).toEqual({ dataFormat: 'AVRO', schemaId: '8c2f' });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['a string', 'AVRO'],
  ])('leaves valueSchemaMetadata out when it is %s', (_label, metadata) => {
    // Prepare
    const record = { ...fixtureRecord('products-create-schema.json'), valueSchemaMetadata: metadata };
    const event = { eventSource: 'aws:kafka', records: { [`${PRODUCTS_TOPIC}-0`]: [record] } } as KafkaEvent;

    // Act
    const [flat] = flattenRecords(event);

    // Assess
    expect(flat).not.toHaveProperty('valueSchemaMetadata');
  });
});
