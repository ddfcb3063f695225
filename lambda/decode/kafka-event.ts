/** What the mapping adds to a record whose key or value its schema registry integration validated. */
export interface SchemaMetadata {
  /** `AVRO`, `PROTOBUF` or `JSON`. */
  readonly dataFormat?: string;
  readonly schemaId?: string;
}

/**
 * The Kafka event source mapping event, as Lambda delivers it for Amazon MSK (`aws:kafka`)
 * and self-managed Kafka (`SelfManagedKafka`). Keys and values are base64; either may be
 * absent (null key, tombstone value).
 */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType?: string;
  readonly key?: string | null;
  readonly value?: string | null;
  readonly headers?: ReadonlyArray<Readonly<Record<string, ReadonlyArray<number>>>>;
  /** Present when the mapping converts values through a schema registry (`SchemaRegistryConfig`). */
  readonly valueSchemaMetadata?: SchemaMetadata;
  /** Set when the mapping delivered something that is not a well-formed record. */
  readonly malformed?: string;
  /**
   * With `malformed` only: the event's entry exactly as delivered. The fields above were made up for it (its
   * coordinates from the map key), so this is what its dead letter keeps.
   */
  readonly entry?: unknown;
}

export interface KafkaEvent {
  readonly eventSource: string;
  readonly eventSourceArn?: string;
  readonly bootstrapServers?: string;
  readonly records: Readonly<Record<string, ReadonlyArray<unknown>>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isOffset = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** `"dbserver1.public.products-0"` → topic and partition; topics may contain dashes, so split at the last one. */
const parseTopicPartition = (mapKey: string): { topic: string; partition: number } => {
  const dash = mapKey.lastIndexOf('-');
  const partition = Number(mapKey.slice(dash + 1));
  return dash > 0 && isOffset(partition)
    ? { topic: mapKey.slice(0, dash), partition }
    : { topic: mapKey, partition: -1 };
};

/** Lambda sends strings; anything else becomes text that fails base64, without trusting its toString. */
const optionalBase64 = (value: unknown): string | null | undefined =>
  typeof value === 'string' || value === null || value === undefined
    ? value
    : Object.prototype.toString.call(value);

/** Only the two documented strings are kept: nothing else of a hostile object travels further. */
const schemaMetadataOf = (raw: Record<string, unknown>): SchemaMetadata => ({
  ...(typeof raw.dataFormat === 'string' ? { dataFormat: raw.dataFormat } : {}),
  ...(typeof raw.schemaId === 'string' ? { schemaId: raw.schemaId } : {}),
});

/**
 * Normalises one raw record so that every later step can rely on its coordinates.
 * A record whose own coordinates are missing or wrong takes them from its map key, so it can
 * still be dead-lettered under a deterministic key instead of crashing the batch.
 */
const normaliseRecord = (
  raw: unknown,
  fallback: { topic: string; partition: number },
  index: number,
): KafkaRecord => {
  const record = isObject(raw) ? raw : {};
  const malformed = !isObject(raw)
    ? 'record is not an object'
    : !isOffset(record.offset)
      ? 'record has no valid offset'
      : undefined;
  // One object literal, `malformed` only when set: up to 10,000 records per batch pass through here.
  const normalised: { -readonly [K in keyof KafkaRecord]: KafkaRecord[K] } = {
    topic: typeof record.topic === 'string' && record.topic !== '' ? record.topic : fallback.topic,
    partition: isOffset(record.partition) ? record.partition : fallback.partition,
    offset: isOffset(record.offset) ? record.offset : -1 - index,
    timestamp: Number.isFinite(record.timestamp) ? (record.timestamp as number) : 0,
    timestampType: typeof record.timestampType === 'string' ? record.timestampType : undefined,
    key: optionalBase64(record.key),
    value: optionalBase64(record.value),
    headers: Array.isArray(record.headers) ? (record.headers as KafkaRecord['headers']) : [],
  };
  if (isObject(record.valueSchemaMetadata)) {
    normalised.valueSchemaMetadata = schemaMetadataOf(record.valueSchemaMetadata);
  }
  if (malformed !== undefined) {
    normalised.malformed = malformed;
    normalised.entry = raw;
  }
  return normalised;
};

/** All records of the event, each partition's records in delivery (offset) order. */
export const flattenRecords = (event: KafkaEvent): KafkaRecord[] => {
  if (!isObject(event) || !isObject(event.records)) return [];
  const flat: KafkaRecord[] = [];
  for (const [mapKey, records] of Object.entries(event.records)) {
    if (!Array.isArray(records)) continue;
    const fallback = parseTopicPartition(mapKey);
    records.forEach((raw, index) => {
      flat.push(normaliseRecord(raw, fallback, index));
    });
  }
  return flat;
};

export const isKafkaEvent = (event: unknown): event is KafkaEvent =>
  isObject(event) && isObject(event.records);
