import { isKafkaEvent, type KafkaEvent } from '../../lambda/decode/kafka-event.js';

/**
 * The object Lambda writes to an S3 on-failure destination when a Kafka event source mapping (Amazon MSK or
 * self-managed Apache Kafka) discards a batch, as documented in "Capturing discarded batches for Amazon MSK
 * and self-managed Apache Kafka event sources", section "S3 destination example invocation record":
 *   https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
 *   (the older MSK-only page carries the same example: https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html)
 *
 *   {
 *     "requestContext": { "requestId", "functionArn",
 *                         "condition": "RetryAttemptsExhausted" | "MaximumPayloadSizeExceeded",
 *                         "approximateInvokeCount" },
 *     "responseContext": { "statusCode", "executedVersion", "functionError" },  // null if MaximumPayloadSizeExceeded
 *     "version": "1.0",
 *     "timestamp": "2019-11-14T00:38:06.021Z",
 *     "KafkaBatchInfo": { "batchSize", "eventSourceArn", "bootstrapServers", "payloadSize" (bytes),
 *                         "recordsInfo": { "<topic>-<partition>": { "firstRecordOffset", "lastRecordOffset",
 *                                          "firstRecordTimestamp", "lastRecordTimestamp" } } },
 *     "payload": "<Whole Event>"  // Only available in S3
 *   }
 *
 * "the `payload` field contains the original invocation record as an escaped JSON string": the Kafka event the
 * function was invoked with, records and all. The offsets are strings in the example. The page documents no
 * object key layout for Kafka; for stream sources Lambda names the object
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>`
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html), so nothing here depends on
 * the key: the ESM UUID is read from it for display only, when it has that form.
 *
 * Read leniently: a payload that is an object rather than a string (as in the Kafka-topic destination's record,
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html, which also uses a single
 * `recordInfo` {offset, timestamp} and the condition `RetriesExhausted`) or numeric offsets are accepted too.
 */

export interface PartitionRange {
  /** The map key, `<topic>-<partition>`. */
  readonly topicPartition: string;
  readonly topic: string;
  /** undefined when the map key does not end in `-<n>`. */
  readonly partition: number | undefined;
  /** Decimal strings (Kafka offsets are 64-bit); from recordsInfo, else from the payload's records. */
  readonly firstOffset: string | undefined;
  readonly lastOffset: string | undefined;
  readonly firstTimestamp: string | undefined;
  readonly lastTimestamp: string | undefined;
  /** Records of this partition in the payload; undefined without a payload. */
  readonly payloadRecords: number | undefined;
}

export type Payload =
  | { readonly present: true; readonly event: KafkaEvent; readonly records: number }
  | { readonly present: false; readonly reason: string };

export interface InvocationRecord {
  readonly esmUuid: string | undefined;
  readonly requestId: string | undefined;
  readonly functionArn: string | undefined;
  readonly condition: string | undefined;
  readonly approximateInvokeCount: number | undefined;
  readonly functionError: string | undefined;
  /** When Lambda gave up on the batch. */
  readonly timestamp: string | undefined;
  readonly batchSize: number | undefined;
  readonly payloadSize: number | undefined;
  readonly eventSourceArn: string | undefined;
  readonly bootstrapServers: string | undefined;
  readonly partitions: readonly PartitionRange[];
  readonly payload: Payload;
}

export type ParsedObject =
  | { readonly kind: 'invocation-record'; readonly record: InvocationRecord }
  /** One of the handler's own dead letters (the stack uses one bucket for both): `npm run replay` handles it. */
  | { readonly kind: 'dead-letter' }
  | { readonly kind: 'unreadable'; readonly reason: string };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const count = (value: unknown): number | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/** An offset as a decimal string: the documented strings, or numbers. */
const offsetText = (value: unknown): string | undefined => {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  return count(value) === undefined ? undefined : String(value);
};

const ESM_KEY = /^aws\/lambda\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i;

/** `"dbserver1.public.products-0"` → topic and partition; topics may contain dashes, so split at the last one. */
export const splitTopicPartition = (mapKey: string): { topic: string; partition: number | undefined } => {
  const match = /^(.+)-(\d+)$/.exec(mapKey);
  return match === null
    ? { topic: mapKey, partition: undefined }
    : { topic: match[1] as string, partition: Number(match[2]) };
};

const recordsOf = (event: KafkaEvent, mapKey: string): readonly unknown[] => {
  const records = event.records[mapKey];
  return Array.isArray(records) ? records : [];
};

const payloadOf = (raw: JsonObject): Payload => {
  if (!('payload' in raw)) return { present: false, reason: 'the object has no payload' };
  let value: unknown = raw.payload;
  if (value === null) return { present: false, reason: 'the payload is null' };
  if (typeof value === 'string') {
    if (value.trim() === '') return { present: false, reason: 'the payload is empty' };
    try {
      value = JSON.parse(value);
    } catch (cause) {
      return { present: false, reason: `the payload is not JSON (truncated?): ${(cause as Error).message}` };
    }
  }
  if (!isKafkaEvent(value)) {
    return { present: false, reason: 'the payload is not a Lambda Kafka event (no "records" map)' };
  }
  const records = Object.keys(value.records).reduce((sum, key) => sum + recordsOf(value, key).length, 0);
  return { present: true, event: value, records };
};

/** First and last offset and timestamp of a partition's records in the payload, for records without recordsInfo. */
const rangeFromPayload = (records: readonly unknown[]) => {
  const offsets = records.map((record) => (isObject(record) ? offsetText(record.offset) : undefined));
  const times = records.map((record) =>
    isObject(record) && Number.isFinite(record.timestamp)
      ? new Date(record.timestamp as number).toISOString()
      : undefined,
  );
  return {
    firstOffset: offsets[0],
    lastOffset: offsets.at(-1),
    firstTimestamp: times[0],
    lastTimestamp: times.at(-1),
  };
};

const partitionsOf = (batch: JsonObject, payload: Payload): PartitionRange[] => {
  const info = isObject(batch.recordsInfo) ? batch.recordsInfo : {};
  const keys = new Set(Object.keys(info));
  if (payload.present) for (const key of Object.keys(payload.event.records)) keys.add(key);
  return [...keys].sort().map((topicPartition) => {
    const range = isObject(info[topicPartition]) ? (info[topicPartition] as JsonObject) : undefined;
    const records = payload.present ? recordsOf(payload.event, topicPartition) : undefined;
    const fromPayload = records === undefined ? undefined : rangeFromPayload(records);
    return {
      topicPartition,
      ...splitTopicPartition(topicPartition),
      firstOffset: offsetText(range?.firstRecordOffset) ?? fromPayload?.firstOffset,
      lastOffset: offsetText(range?.lastRecordOffset) ?? fromPayload?.lastOffset,
      firstTimestamp: text(range?.firstRecordTimestamp) ?? fromPayload?.firstTimestamp,
      lastTimestamp: text(range?.lastRecordTimestamp) ?? fromPayload?.lastTimestamp,
      payloadRecords: records?.length,
    };
  });
};

const isDeadLetter = (raw: JsonObject): boolean =>
  isObject(raw.record) && typeof raw.record.topic === 'string' && isObject(raw.error);

/** Pure: an S3 object's text → the invocation record it holds, or why it is none. */
export const parseOnFailureObject = (key: string, body: string): ParsedObject => {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (cause) {
    return { kind: 'unreadable', reason: `not JSON: ${(cause as Error).message}` };
  }
  if (!isObject(raw)) return { kind: 'unreadable', reason: 'not a JSON object' };
  if (!isObject(raw.KafkaBatchInfo)) {
    if (isDeadLetter(raw)) return { kind: 'dead-letter' };
    const other = ['KinesisBatchInfo', 'DDBStreamBatchInfo'].find((name) => name in raw);
    return {
      kind: 'unreadable',
      reason:
        other === undefined
          ? 'no KafkaBatchInfo: not the invocation record of a Kafka event source mapping'
          : `an invocation record with ${other}: not from a Kafka event source mapping`,
    };
  }
  const request = isObject(raw.requestContext) ? raw.requestContext : {};
  const response = isObject(raw.responseContext) ? raw.responseContext : {};
  const batch = raw.KafkaBatchInfo;
  const payload = payloadOf(raw);
  const event = payload.present ? payload.event : undefined;
  return {
    kind: 'invocation-record',
    record: {
      esmUuid: ESM_KEY.exec(key)?.[1],
      requestId: text(request.requestId),
      functionArn: text(request.functionArn),
      condition: text(request.condition),
      approximateInvokeCount: count(request.approximateInvokeCount),
      functionError: text(response.functionError),
      timestamp: text(raw.timestamp),
      batchSize: count(batch.batchSize),
      payloadSize: count(batch.payloadSize),
      eventSourceArn: text(batch.eventSourceArn) ?? text(event?.eventSourceArn),
      bootstrapServers: text(batch.bootstrapServers) ?? text(event?.bootstrapServers),
      partitions: partitionsOf(batch, payload),
      payload,
    },
  };
};

/** The topics the batch held records of (from recordsInfo and the payload). */
export const topicsOf = (record: InvocationRecord): ReadonlySet<string> =>
  new Set(record.partitions.map((range) => range.topic));

/** Records in an offset range, both ends included; undefined unless both ends are known. */
export const offsetSpan = (range: Pick<PartitionRange, 'firstOffset' | 'lastOffset'>): bigint | undefined =>
  range.firstOffset === undefined || range.lastOffset === undefined
    ? undefined
    : BigInt(range.lastOffset) - BigInt(range.firstOffset) + 1n;
