/** The Lambda event of a Kafka event source mapping, as this tool writes it. */
export interface LambdaKafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME';
  /** Base64 of the key bytes; absent when the record has no key, as Lambda delivers it. */
  readonly key?: string;
  /** Base64 of the value bytes; null for a tombstone. */
  readonly value: string | null;
  readonly headers: ReadonlyArray<Readonly<Record<string, ReadonlyArray<number>>>>;
}

export interface LambdaKafkaEvent {
  readonly eventSource: 'aws:kafka' | 'SelfManagedKafka';
  readonly eventSourceArn?: string;
  readonly bootstrapServers: string;
  /** `"<topic>-<partition>"` → that partition's records in offset order. */
  readonly records: Readonly<Record<string, ReadonlyArray<LambdaKafkaRecord>>>;
}

export const EventSourceKind = { MSK: 'msk', SELF_MANAGED: 'self-managed' } as const;
export type EventSourceKind = (typeof EventSourceKind)[keyof typeof EventSourceKind];

export const EVENT_SOURCE_NAME: Readonly<Record<EventSourceKind, LambdaKafkaEvent['eventSource']>> = {
  [EventSourceKind.MSK]: 'aws:kafka',
  [EventSourceKind.SELF_MANAGED]: 'SelfManagedKafka',
};

/** Placeholders in the shape AWS uses, so the events pass `sam local invoke` and schema checks unchanged. */
export const DEFAULT_MSK_CLUSTER_ARN =
  'arn:aws:kafka:us-east-1:123456789012:cluster/shop-cdc/abcd1234-5678-90ab-cdef-1234567890ab-2';

export const DEFAULT_BOOTSTRAP_SERVERS: Readonly<Record<EventSourceKind, string>> = {
  [EventSourceKind.MSK]:
    'b-1.shopcdc.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9098,b-2.shopcdc.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9098',
  [EventSourceKind.SELF_MANAGED]: 'kafka-1.shop.internal:9092,kafka-2.shop.internal:9092',
};

/** Record time when no input says otherwise: fixed, so the same inputs always give the same event. */
export const DEFAULT_TIMESTAMP_MS = Date.UTC(2025, 0, 1);
