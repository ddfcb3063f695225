import { partitionForKey } from '../../scripts/make-event/partitioner.js';
import { kafkaRecord, ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC, type TestKafkaRecord } from '../support/debezium.js';
import type { ShopTable } from './debezium-columns.js';
import {
  type ConverterForm,
  type DebeziumChange,
  encodeKey,
  encodeKeyHeader,
  encodeValue,
  type HeaderConverter,
} from './wal-to-debezium.js';

/**
 * The two topics as Kafka holds them after the connector ran: each record keyed by the row's primary key
 * and placed by the producer's default partitioner (murmur2 of the serialized key bytes), so every change
 * of a row is in one partition, in emission order; a delete is followed by a tombstone (tombstones.on.delete
 * defaults to true). A connector restart re-sends the last changes it had not committed offsets for: the
 * same keys and source positions at new offsets, with a new processing time in the envelope. A truncate has
 * no key: the producer's partitioner places it where it likes (here, round the partitions). A key change's
 * delete, its tombstone (EventDispatcher's tombstone copies the record's headers) and its create carry the
 * other key in a header.
 */
export interface TopicOptions {
  readonly forms: Readonly<Record<ShopTable, ConverterForm>>;
  readonly partitions: Readonly<Record<ShopTable, number>>;
  /** How many of the last streamed changes the connector sends again after a restart. */
  readonly reemitLast: number;
  /** The worker's header.converter, for the key-change headers (default Connect's SimpleHeaderConverter). */
  readonly headerConverter?: HeaderConverter;
}

export interface TopicLogs {
  /** `topic-partition` → records in offset order, as deliverThroughMappings reads them. */
  readonly logs: Map<string, TestKafkaRecord[]>;
  readonly records: number;
  readonly tombstones: number;
  readonly reemitted: number;
}

const TOPIC: Readonly<Record<ShopTable, string>> = {
  products: PRODUCTS_TOPIC,
  order_items: ORDER_ITEMS_TOPIC,
};

/** The partition the producer's default partitioner gives a row's key (murmur2 of the key converter's bytes). */
export const partitionOfKey = (
  table: ShopTable,
  id: number,
  form: ConverterForm,
  partitions: Readonly<Record<ShopTable, number>>,
): number => {
  const key = encodeKey({ table, id } as DebeziumChange, form);
  return partitionForKey(Buffer.from(JSON.stringify(key), 'utf8'), partitions[table]);
};

export const buildTopicLogs = (
  snapshot: readonly DebeziumChange[],
  streamed: readonly DebeziumChange[],
  options: TopicOptions,
): TopicLogs => {
  const logs = new Map<string, TestKafkaRecord[]>();
  let records = 0;
  let tombstones = 0;
  // The connector's clock: strictly increasing processing times, µs.
  let processedAtUs = BigInt(Date.now()) * 1000n;
  const append = (change: DebeziumChange): void => {
    const form = options.forms[change.table];
    const key = encodeKey(change, form);
    const partitions = options.partitions[change.table];
    // JsonConverter serializes the key to these bytes; kafkaRecord base64s the same JSON text.
    const partition =
      key === undefined
        ? records % partitions
        : partitionForKey(Buffer.from(JSON.stringify(key), 'utf8'), partitions);
    const topic = TOPIC[change.table];
    const mapKey = `${topic}-${partition}`;
    const log = logs.get(mapKey) ?? [];
    logs.set(mapKey, log);
    processedAtUs += 37n;
    const headers =
      change.keyHeader === undefined
        ? []
        : [encodeKeyHeader(change.table, change.keyHeader, options.headerConverter ?? 'simple')];
    const withHeaders = (record: TestKafkaRecord): TestKafkaRecord => ({ ...record, headers });
    log.push(
      withHeaders(kafkaRecord(topic, partition, log.length, encodeValue(change, form, processedAtUs), key)),
    );
    records += 1;
    if (change.op === 'd') {
      log.push(withHeaders(kafkaRecord(topic, partition, log.length, null, key)));
      records += 1;
      tombstones += 1;
    }
  };
  for (const change of snapshot) append(change);
  for (const change of streamed) append(change);
  const again = streamed.slice(Math.max(0, streamed.length - options.reemitLast));
  for (const change of again) append(change);
  return { logs, records, tombstones, reemitted: again.length };
};
