import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DeadLetter, DeadLetterError } from '../../lambda/store/dead-letter.js';
import { DEFAULT_PREFIX as ON_FAILURE_PREFIX, REDRIVEN_PREFIX } from '../redrive/on-failure-bucket.js';
import { failuresOf, REPLAYED_PREFIX } from './letter-key.js';

/**
 * Prefixes that hold no pending dead letter when the bucket is shared: replay's own replayed/, the mappings'
 * S3 on-failure destination (aws/lambda/…, invocation records that `npm run redrive` handles) and redrive's
 * redriven/. A letter's key starts with its URL-encoded topic, which has no '/', so none falls under them.
 */
export const NOT_LETTER_PREFIXES = [REPLAYED_PREFIX, ON_FAILURE_PREFIX, REDRIVEN_PREFIX] as const;

const isLetterCandidate = (key: string): boolean =>
  !NOT_LETTER_PREFIXES.some((prefix) => key.startsWith(prefix));

/** The dead-letter bucket as replay uses it: list, read, and settle each letter. */
export interface DeadLetterBucket {
  readonly name: string;
  /** Keys of letters not yet replayed (everything outside NOT_LETTER_PREFIXES). */
  listPending(): Promise<string[]>;
  /** undefined when the object is gone (a concurrent replay settled it since the listing). */
  read(key: string): Promise<DeadLetter | undefined>;
  /** Moves the letter to replayed/<key>, unchanged (copy, then delete); a letter already gone is fine. */
  moveToReplayed(key: string): Promise<string>;
  remove(key: string): Promise<void>;
  /** Rewrites the letter in place with `failure` as its latest error, appended to `errors`. */
  appendFailure(key: string, letter: DeadLetter, failure: DeadLetterError): Promise<DeadLetter>;
}

const READ_ATTEMPTS = 3;

/** An object in the bucket that is not a dead letter (hand-made, truncated): replay leaves it alone. */
export class UnreadableLetterError extends Error {
  readonly key: string;

  constructor(key: string) {
    super(`s3 object '${key}' is not a dead letter (not JSON, or no record); left as it is`);
    this.name = new.target.name;
    this.key = key;
  }
}

const parseLetter = (text: string): DeadLetter | undefined => {
  try {
    const value = JSON.parse(text) as Partial<DeadLetter> | null;
    return typeof value?.record?.topic === 'string' && value.error !== undefined
      ? (value as DeadLetter)
      : undefined;
  } catch {
    return undefined;
  }
};

const isNoSuchKey = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/** CopySource is `<bucket>/<key>` URL-encoded, with the key's slashes kept. */
const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export const createDeadLetterBucket = (client: S3Client, bucket: string): DeadLetterBucket => ({
  name: bucket,
  async listPending() {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket })) {
      for (const { Key } of page.Contents ?? []) {
        if (Key !== undefined && isLetterCandidate(Key)) keys.push(Key);
      }
    }
    return keys;
  },
  async read(key) {
    for (let attempt = 1; ; attempt++) {
      let text: string;
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        text = (await object.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (isNoSuchKey(error)) return undefined;
        throw error;
      }
      const letter = parseLetter(text);
      if (letter !== undefined) return letter;
      // Caught mid-write by a local S3 (s3rver rewrites an object in place when a live redelivery dead-letters
      // the record again; real S3 never shows a partial object): read again.
      if (attempt >= READ_ATTEMPTS) throw new UnreadableLetterError(key);
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  },
  async moveToReplayed(key) {
    const target = `${REPLAYED_PREFIX}${key}`;
    try {
      await client.send(
        new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: copySource(bucket, key) }),
      );
    } catch (error) {
      if (!isNoSuchKey(error)) throw error;
      return target;
    }
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return target;
  },
  async remove(key) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
  async appendFailure(key, letter, failure) {
    const updated: DeadLetter = { ...letter, error: failure, errors: [...failuresOf(letter), failure] };
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(updated, null, 2),
        ContentType: 'application/json',
      }),
    );
    return updated;
  },
});
