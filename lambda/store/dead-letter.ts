import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KafkaRecord } from '../decode/kafka-event.js';
import { DeadLetterWriteError, type ErrorCode } from '../errors.js';

export const DEAD_LETTER_FORMAT_VERSION = 1;

export interface DeadLetterError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly at: string;
}

/** What lands in the bucket: the record exactly as delivered, so it can be replayed, and why it failed. */
export interface DeadLetter {
  readonly formatVersion: typeof DEAD_LETTER_FORMAT_VERSION;
  readonly record: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly timestamp: number;
    readonly timestampType?: string;
    readonly key: string | null;
    readonly value: string | null;
    readonly headers: KafkaRecord['headers'];
  };
  readonly error: DeadLetterError;
  /** Every failure of this record, oldest first; replay appends to it. */
  readonly errors: readonly DeadLetterError[];
  readonly source: { readonly eventSource?: string; readonly eventSourceArn?: string };
}

/**
 * `<topic>/<partition>/<offset>.json`: deterministic, so a redelivered record overwrites its own dead letter
 * instead of adding a second one. Topic names are URI-encoded so a hostile name cannot escape its prefix.
 */
export const deadLetterKey = (record: Pick<KafkaRecord, 'topic' | 'partition' | 'offset'>): string =>
  `${encodeURIComponent(record.topic)}/${record.partition}/${record.offset}.json`;

export const buildDeadLetter = (
  record: KafkaRecord,
  failure: { code: ErrorCode; message: string },
  at: Date,
  source: DeadLetter['source'] = {},
): DeadLetter => {
  const error = { code: failure.code, message: failure.message, at: at.toISOString() };
  return {
    formatVersion: DEAD_LETTER_FORMAT_VERSION,
    record: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      ...(record.timestampType === undefined ? {} : { timestampType: record.timestampType }),
      key: record.key ?? null,
      value: record.value ?? null,
      headers: record.headers ?? [],
    },
    error,
    errors: [error],
    source,
  };
};

export interface DeadLetterStore {
  put(letter: DeadLetter): Promise<string>;
}

export const createDeadLetterStore = (client: S3Client, bucket: string): DeadLetterStore => ({
  async put(letter) {
    const key = deadLetterKey(letter.record);
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(letter, null, 2),
          ContentType: 'application/json',
        }),
      );
      return key;
    } catch (cause) {
      throw new DeadLetterWriteError(key, cause);
    }
  },
});
