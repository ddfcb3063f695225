import { readFileSync } from 'node:fs';
import type { KafkaEvent, KafkaRecord, SchemaMetadata } from '../../../lambda/decode/kafka-event.js';
import { loadFixture, mskRecord, ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC } from '../support/records.js';

/** Registry-converted values in test/fixtures/schema-registry/ (built by build.ts there) and their twins. */
const fixturesDir = new URL('../../fixtures/schema-registry/', import.meta.url);

export const REGISTRY_RENDERINGS = ['avro-json', 'plain-base64', 'plain-bytes'] as const;
export type RegistryRendering = (typeof REGISTRY_RENDERINGS)[number];

/** Each registry fixture, the JSON-converter fixture in test/fixtures/debezium/ it was built from, its topic. */
export const REGISTRY_TWINS = [
  { name: 'products-create', twin: 'products-create-schema.json', topic: PRODUCTS_TOPIC, key: 1001 },
  { name: 'products-update-toast', twin: 'products-update-toast.json', topic: PRODUCTS_TOPIC, key: 1001 },
  { name: 'products-delete', twin: 'products-delete-schema.json', topic: PRODUCTS_TOPIC, key: 1003 },
  { name: 'products-snapshot-read', twin: 'products-snapshot-read.json', topic: PRODUCTS_TOPIC, key: 1002 },
  { name: 'order-items-create', twin: 'order-items-create-schema.json', topic: ORDER_ITEMS_TOPIC, key: 5001 },
] as const;

export const AVRO_METADATA: SchemaMetadata = { dataFormat: 'AVRO', schemaId: '1' };

/** A registry fixture's value, parsed; a fresh copy on every call so tests may edit it. */
export const loadRegistryFixture = (name: string, rendering: RegistryRendering): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`${name}.${rendering}.json`, fixturesDir), 'utf8')) as Record<
    string,
    unknown
  >;

export const loadRegistryEvent = (): KafkaEvent =>
  JSON.parse(readFileSync(new URL('event.json', fixturesDir), 'utf8')) as KafkaEvent;

interface RegistryRecordOptions {
  readonly topic: string;
  readonly key?: number;
  readonly offset?: number;
  /** The metadata the mapping adds; `null` for a record rebuilt without it (a dead letter, a test). */
  readonly metadata?: SchemaMetadata | null;
}

/** A record as a mapping with a schema registry delivers it: the converted value as base64 JSON. */
export const registryRecord = (value: unknown, options: RegistryRecordOptions): KafkaRecord => {
  const record = mskRecord({
    topic: options.topic,
    offset: options.offset ?? 7,
    value,
    ...(options.key === undefined ? {} : { key: { id: options.key } }),
  });
  return options.metadata === null
    ? record
    : { ...record, valueSchemaMetadata: options.metadata ?? AVRO_METADATA };
};

/** The twin, delivered the JSON converter's way, at the same coordinates. */
export const twinRecord = (twin: string, options: RegistryRecordOptions): KafkaRecord =>
  mskRecord({
    topic: options.topic,
    offset: options.offset ?? 7,
    value: loadFixture(twin),
    ...(options.key === undefined ? {} : { key: { id: options.key } }),
  });

/** A decoded change without the record it came from: what must agree between twins. */
export const withoutRecord = (decoded: object): Record<string, unknown> => {
  const { record: _record, ...rest } = decoded as Record<string, unknown>;
  return rest;
};
