import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
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
  /**
   * Only for an entry of the event that is not a well-formed record (MALFORMED_RECORD): the entry exactly as
   * delivered, as JSON text. `record` then holds only the coordinates its map key gave (topic, partition);
   * its other fields stand for nothing, and replay leaves such a letter to the operator.
   */
  readonly entry?: string;
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

/**
 * The entry as JSON text. An entry nested deeper than JSON.stringify can recurse is still kept, as a
 * statement of what it was: the event as a whole is in the mapping's on-failure destination if it matters.
 */
const entryText = (entry: unknown): string => {
  try {
    return JSON.stringify(entry) ?? 'null';
  } catch (error) {
    return JSON.stringify({ unserialisable: String(error) });
  }
};

const digestOf = (text: string): string => createHash('sha256').update(text).digest('base64url');

/**
 * `<topic>/<partition>/malformed~<sha-256 of the entry>.json`: a malformed entry has no offset of its own
 * (its place in the batch changes from one delivery to the next), so its content names it. No record's key
 * has a non-numeric offset part, and two different entries never share a digest; the same entry delivered
 * again lands on its own letter.
 */
export const malformedEntryKey = (letter: Pick<DeadLetter, 'record'> & { entry: string }): string =>
  `${encodeURIComponent(letter.record.topic)}/${letter.record.partition}/malformed~${digestOf(letter.entry)}.json`;

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
    ...(record.malformed === undefined ? {} : { entry: entryText(record.entry) }),
    error,
    errors: [error],
    source,
  };
};

export interface DeadLetterStore {
  put(letter: DeadLetter): Promise<string>;
}

/**
 * Another record already holds the coordinates (offsets started again: topic re-created, cluster moved):
 * this one goes next to it, under a key that its content decides, so neither replaces the other.
 */
export const alternateDeadLetterKey = (record: DeadLetter['record']): string => {
  const digest = createHash('sha256')
    .update(JSON.stringify([record.key, record.value, record.timestamp, record.headers]))
    .digest('base64url')
    .slice(0, 16);
  return deadLetterKey(record).replace(/\.json$/, `~${digest}.json`);
};

/** Where a letter may go, in order: its own key, then (another record holding it) the alternate. */
export const deadLetterKeys = (letter: Pick<DeadLetter, 'record' | 'entry'>): readonly string[] =>
  letter.entry === undefined
    ? [deadLetterKey(letter.record), alternateDeadLetterKey(letter.record)]
    : [malformedEntryKey({ record: letter.record, entry: letter.entry })];

const sameRecord = (a: DeadLetter['record'], b: DeadLetter['record']): boolean =>
  a.key === b.key &&
  a.value === b.value &&
  a.timestamp === b.timestamp &&
  JSON.stringify(a.headers ?? []) === JSON.stringify(b.headers ?? []);

const isPreconditionFailed = (error: unknown): boolean =>
  (error as { name?: string })?.name === 'PreconditionFailed' ||
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 412;

const putIfAbsent = async (
  client: S3Client,
  bucket: string,
  key: string,
  letter: DeadLetter,
): Promise<boolean> => {
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(letter, null, 2),
        ContentType: 'application/json',
        IfNoneMatch: '*',
      }),
    );
    return true;
  } catch (error) {
    if (isPreconditionFailed(error)) return false;
    throw error;
  }
};

const readLetter = async (client: S3Client, bucket: string, key: string): Promise<DeadLetter | undefined> => {
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString()) ?? 'null') as DeadLetter;
  } catch (error) {
    if ((error as { name?: string })?.name === 'NoSuchKey') return undefined;
    throw error;
  }
};

/**
 * Writes a letter with a conditional PUT (If-None-Match), so it never replaces another record's. When the
 * same record fails again (a redelivery), its letter is rewritten with the new failure appended to its
 * history; when a different record holds the key, the letter goes to `alternateDeadLetterKey`.
 */
const storeLetter = async (client: S3Client, bucket: string, letter: DeadLetter): Promise<string> => {
  const keys = deadLetterKeys(letter);
  for (const key of keys) {
    if (await putIfAbsent(client, bucket, key, letter)) return key;
    const existing = await readLetter(client, bucket, key);
    if (existing === undefined) {
      if (await putIfAbsent(client, bucket, key, letter)) return key;
      continue;
    }
    if (existing.entry !== letter.entry || !sameRecord(existing.record, letter.record)) continue;
    const errors = [...(existing.errors ?? [existing.error]), letter.error];
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify({ ...letter, errors }, null, 2),
        ContentType: 'application/json',
      }),
    );
    return key;
  }
  throw new Error(`Every dead-letter key of ${keys[0]} holds another record`);
};

export const createDeadLetterStore = (client: S3Client, bucket: string): DeadLetterStore => ({
  async put(letter) {
    const key = deadLetterKeys(letter)[0] as string;
    try {
      return await storeLetter(client, bucket, letter);
    } catch (cause) {
      throw new DeadLetterWriteError(key, cause);
    }
  },
});
