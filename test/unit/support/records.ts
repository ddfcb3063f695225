import { readFileSync } from 'node:fs';
import type { Config } from '../../../lambda/config.js';
import type { KafkaRecord } from '../../../lambda/decode/kafka-event.js';

export const PRODUCTS_TOPIC = 'dbserver1.public.products';
export const ORDER_ITEMS_TOPIC = 'dbserver1.public.order_items';

/** The part of the configuration that decoding reads. */
export const topicConfig: Pick<
  Config,
  'productsTopic' | 'orderItemsTopic' | 'priceScale' | 'sourceEpoch' | 'stockModel'
> = {
  productsTopic: PRODUCTS_TOPIC,
  orderItemsTopic: ORDER_ITEMS_TOPIC,
  priceScale: 2,
  sourceEpoch: 0,
  stockModel: 'orders',
};

const fixturesDir = new URL('../../fixtures/debezium/', import.meta.url);

/** A Debezium event from test/fixtures/debezium/, parsed; a fresh copy on every call so tests may edit it. */
export const loadFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as Record<string, unknown>;

/** What the Kafka event source mapping does to a key or value: JSON text, then base64. */
export const toBase64Json = (json: unknown): string =>
  Buffer.from(JSON.stringify(json), 'utf8').toString('base64');

export const toBase64Bytes = (bytes: readonly number[]): string => Buffer.from(bytes).toString('base64');

export interface RecordOptions {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly timestamp?: number;
  /** JSON to encode as the value; `null` for a tombstone; omit `value` entirely for an absent value. */
  readonly value?: unknown;
  /** A ready base64 value, used as is (for malformed payloads). Wins over `value`. */
  readonly rawValue?: string | null;
  /** JSON to encode as the key. */
  readonly key?: unknown;
}

/** An MSK record as the event source mapping delivers it. */
export const mskRecord = (options: RecordOptions = {}): KafkaRecord => {
  const record: {
    -readonly [K in keyof KafkaRecord]: KafkaRecord[K];
  } = {
    topic: options.topic ?? PRODUCTS_TOPIC,
    partition: options.partition ?? 0,
    offset: options.offset ?? 0,
    timestamp: options.timestamp ?? 1_736_937_000_500,
    timestampType: 'CREATE_TIME',
    headers: [],
  };
  if (options.key !== undefined) record.key = toBase64Json(options.key);
  if (options.rawValue !== undefined) record.value = options.rawValue;
  else if (options.value === null) record.value = null;
  else if (options.value !== undefined) record.value = toBase64Json(options.value);
  return record;
};

/** An MSK record whose value is the named fixture. */
export const fixtureRecord = (name: string, options: Omit<RecordOptions, 'value'> = {}): KafkaRecord =>
  mskRecord({ ...options, value: loadFixture(name) });
