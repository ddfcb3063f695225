import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../lambda/config.js';
import { type DecodedRecord, decodeRecord } from '../../lambda/decode/decode-record.js';
import type { KafkaEvent } from '../../lambda/decode/kafka-event.js';
import { ErrorCode, isPoisonRecordError } from '../../lambda/errors.js';
import { BatchProcessor } from '../../lambda/process-batch.js';
import { MetricName } from '../../lambda/telemetry/metric-names.js';
import { ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC, productRecord } from '../support/debezium.js';
import { printFigures, runs, scaledTimeout, tally } from '../support/hardening-figures.js';
import { type Expected, type HostileCase, hostileRecordArb } from '../support/hostile-input.js';
import { inMemoryStores } from '../support/in-memory-stores.js';

const topicConfig = {
  productsTopic: PRODUCTS_TOPIC,
  orderItemsTopic: ORDER_ITEMS_TOPIC,
  priceScale: 2,
  sourceEpoch: 0,
  stockModel: 'orders',
} as const;
const config = { ...DEFAULTS, ...topicConfig, writeConcurrency: 4, timeBudgetMarginMs: 0 };
const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

const outcomeOf = (decode: () => DecodedRecord): Expected | { kind: 'crash'; error: unknown } => {
  try {
    const decoded = decode();
    return decoded.type === 'Skipped' ? { kind: 'skipped' } : { kind: 'applied' };
  } catch (error) {
    return isPoisonRecordError(error) ? { kind: 'poison', code: error.code } : { kind: 'crash', error };
  }
};

const prototypeSnapshot = () => ({
  names: Object.getOwnPropertyNames(Object.prototype).sort(),
  toString: Object.prototype.toString,
  hasOwnProperty: Object.prototype.hasOwnProperty,
});

const figures = { decodeCases: 0, byCode: {} as Record<string, number>, eventCases: 0, eventRecords: 0 };

afterAll(() => printFigures('decode fuzz', figures));

describe('decodeRecord under hostile input', () => {
  it(
    'turns every hostile record into its specific poison code, or applies it when it is valid after all',
    () => {
      // Prepare
      const before = prototypeSnapshot();

      // Act / Assess
      fc.assert(
        fc.property(hostileRecordArb(7), ({ record, expected, label }: HostileCase) => {
          const outcome = outcomeOf(() => decodeRecord(record, topicConfig));
          figures.decodeCases += 1;
          tally(figures.byCode, outcome.kind === 'poison' ? outcome.code : outcome.kind);
          expect({ label, outcome }).toEqual({ label, outcome: expected });
        }),
        { numRuns: runs(4_000) },
      );
      expect(prototypeSnapshot()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
    scaledTimeout(30_000),
  );

  it('decodes a valid row whose objects carry __proto__ and constructor keys without touching prototypes', () => {
    // Prepare
    const text = JSON.stringify({ op: 'c', after: { id: 5, name: 'N', price: '1.00', stock_quantity: 3 } });
    const hostile = text.replaceAll(
      '{"',
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"',
    );
    const record = {
      ...productRecord('c', { id: 5, name: 'N', description: null, price: '1.00', stock_quantity: 3 }, 0),
    };

    // Act
    const decoded = decodeRecord({ ...record, value: Buffer.from(hostile).toString('base64') }, topicConfig);

    // Assess
    expect(decoded).toMatchObject({ type: 'ProductUpserted', productId: 5, columns: { price: '1.00' } });
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** Anything at all where a record, a record list or a record's fields should be. */
const hostileRawRecord = fc.oneof(
  fc.anything(),
  fc.record(
    {
      topic: fc.oneof(fc.constant(PRODUCTS_TOPIC), fc.constant(ORDER_ITEMS_TOPIC), fc.anything()),
      partition: fc.oneof(fc.nat(3), fc.anything()),
      offset: fc.oneof(fc.nat(20), fc.anything()),
      timestamp: fc.anything(),
      key: fc.oneof(fc.base64String(), fc.anything()),
      value: fc.oneof(fc.base64String(), fc.anything()),
      headers: fc.anything(),
    },
    { requiredKeys: [] },
  ),
);

const hostileEvent = fc.record({
  eventSource: fc.oneof(fc.constant('aws:kafka'), fc.anything()),
  records: fc.dictionary(
    fc.oneof(
      fc.constantFrom(`${PRODUCTS_TOPIC}-0`, `${ORDER_ITEMS_TOPIC}-1`, '__proto__', '-', ''),
      fc.string(),
    ),
    fc.oneof({ weight: 4, arbitrary: fc.array(hostileRawRecord, { maxLength: 6 }) }, fc.anything()),
  ),
});

const quietLogger = () => new Logger({ serviceName: 'fuzz', logLevel: 'SILENT' });

describe('BatchProcessor under hostile events', () => {
  it(
    'never throws for bad input and accounts for every record: applied, skipped or dead-lettered',
    async () => {
      // Prepare
      const before = prototypeSnapshot();

      // Act / Assess
      await fc.assert(
        fc.asyncProperty(hostileEvent, async (event) => {
          const stores = inMemoryStores();
          const deps = {
            config,
            store: stores.store,
            deadLetters: stores.deadLetters,
            logger: quietLogger(),
          };
          const processor = new BatchProcessor(deps, event as unknown as KafkaEvent, () => 60_000);
          const result = await processor.process(event as unknown as KafkaEvent);
          const delivered = Object.values(event.records)
            .filter(Array.isArray)
            .reduce((sum, list) => sum + list.length, 0);
          figures.eventCases += 1;
          figures.eventRecords += delivered;
          expect(result.counts[MetricName.RECORDS_PROCESSED]).toBe(delivered);
          for (const letter of stores.letters.values()) expect(KNOWN_CODES.has(letter.error.code)).toBe(true);
          expect(stores.letters.size).toBeLessThanOrEqual(result.counts[MetricName.DLQ_WRITES]);
        }),
        { numRuns: runs(1_500) },
      );
      expect(prototypeSnapshot()).toEqual(before);
    },
    scaledTimeout(30_000),
  );

  it('applies a record delivered twice at the same offset in one event once', async () => {
    // Prepare
    const row = { id: 9, name: 'Dup', description: null, price: '2.00', stock_quantity: 5 };
    const record = productRecord('c', row, 3);
    const event = {
      eventSource: 'aws:kafka',
      records: { [`${PRODUCTS_TOPIC}-0`]: [record, record, record] },
    };
    const stores = inMemoryStores();
    const deps = { config, store: stores.store, deadLetters: stores.deadLetters, logger: quietLogger() };

    // Act
    const result = await new BatchProcessor(deps, event, () => 60_000).process(event);

    // Assess
    expect(stores.writes).toEqual(['upsert 9']);
    expect(result.counts[MetricName.DUPLICATES_SKIPPED]).toBe(2);
    expect(result.counts[MetricName.RECORDS_PROCESSED]).toBe(3);
  });
});
