import {
  DEFAULT_BOOTSTRAP_SERVERS,
  DEFAULT_MSK_CLUSTER_ARN,
  DEFAULT_TIMESTAMP_MS,
  EVENT_SOURCE_NAME,
  EventSourceKind,
  type LambdaKafkaEvent,
  type LambdaKafkaRecord,
} from './kafka-event.js';
import { type ChangeFile, type KeyOptions, type Message, toMessages } from './messages.js';
import { partitionForKey } from './partitioner.js';

/** Every message in one partition, or spread over `count` partitions by key as Kafka's producer does. */
export type Partitioning =
  | { readonly kind: 'fixed'; readonly partition: number }
  | { readonly kind: 'by-key'; readonly count: number };

export interface WrapOptions extends KeyOptions {
  readonly partitioning: Partitioning;
  /** First offset of every partition, unless `offsetsByPartition` names that partition. */
  readonly offset: number;
  readonly offsetsByPartition: ReadonlyMap<number, number>;
  readonly eventSource: EventSourceKind;
  readonly eventSourceArn?: string;
  readonly bootstrapServers?: string;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

const partitionOf = (message: Message, partitioning: Partitioning): number => {
  if (partitioning.kind === 'fixed') return partitioning.partition;
  // Kafka spreads keyless records without hashing; one fixed partition keeps the output deterministic.
  return message.key === null ? 0 : partitionForKey(Buffer.from(message.key, 'utf8'), partitioning.count);
};

const toRecord = (
  message: Message,
  coordinates: { topic: string; partition: number; offset: number; timestamp: number },
): LambdaKafkaRecord => ({
  ...coordinates,
  timestampType: 'CREATE_TIME',
  ...(message.key === null ? {} : { key: base64(message.key) }),
  value: message.value === null ? null : base64(message.value),
  headers: [],
});

/** Groups messages into the `"<topic>-<partition>"` map with consecutive offsets per partition. */
const toRecordMap = (
  messages: ReadonlyArray<Message>,
  options: WrapOptions,
): Record<string, LambdaKafkaRecord[]> => {
  const byPartition = new Map<number, LambdaKafkaRecord[]>();
  let lastTimestamp = DEFAULT_TIMESTAMP_MS;
  for (const message of messages) {
    const partition = partitionOf(message, options.partitioning);
    const records = byPartition.get(partition) ?? [];
    byPartition.set(partition, records);
    const first = options.offsetsByPartition.get(partition) ?? options.offset;
    lastTimestamp = message.timestamp ?? lastTimestamp;
    records.push(
      toRecord(message, {
        topic: options.topic,
        partition,
        offset: first + records.length,
        timestamp: lastTimestamp,
      }),
    );
  }
  const sorted = [...byPartition.entries()].sort(([a], [b]) => a - b);
  return Object.fromEntries(sorted.map(([partition, records]) => [`${options.topic}-${partition}`, records]));
};

/**
 * Debezium change events → the event Lambda's Kafka event source mapping delivers for them.
 * Pure and deterministic: the same files and options always give the same event.
 */
export const wrapChangeEvents = (
  files: ReadonlyArray<ChangeFile>,
  options: WrapOptions,
): LambdaKafkaEvent => {
  const records = toRecordMap(toMessages(files, options), options);
  const bootstrapServers = options.bootstrapServers ?? DEFAULT_BOOTSTRAP_SERVERS[options.eventSource];
  return options.eventSource === EventSourceKind.MSK
    ? {
        eventSource: EVENT_SOURCE_NAME[options.eventSource],
        eventSourceArn: options.eventSourceArn ?? DEFAULT_MSK_CLUSTER_ARN,
        bootstrapServers,
        records,
      }
    : { eventSource: EVENT_SOURCE_NAME[options.eventSource], bootstrapServers, records };
};
