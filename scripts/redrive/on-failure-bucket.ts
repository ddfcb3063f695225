import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { REPLAYED_PREFIX } from '../replay/letter-key.js';

/** Redriven objects are moved under this prefix, unchanged; listing skips it. */
export const REDRIVEN_PREFIX = 'redriven/';

/**
 * Where Lambda puts on-failure objects: the first segments of the documented layout
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>`
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html; the Kafka page,
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html, names no layout).
 */
export const DEFAULT_PREFIX = 'aws/lambda/';

export interface ListedObject {
  readonly key: string;
  readonly lastModified: Date | undefined;
}

/** The on-failure bucket as redrive uses it: list, read, and move what was redriven out of the way. */
export interface OnFailureBucket {
  readonly name: string;
  /** Every object under `prefix`, page by page, except those under redriven/ and replayed/. */
  list(prefix: string): Promise<ListedObject[]>;
  /** The object's text; undefined when there is none at that key. */
  read(key: string): Promise<string | undefined>;
  /** Copies the object to redriven/<key>, then deletes it; an object already gone is fine. */
  moveToRedriven(key: string): Promise<string>;
}

const isNoSuchKey = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/** CopySource is `<bucket>/<key>` URL-encoded, with the key's slashes kept. */
const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export const createOnFailureBucket = (client: S3Client, bucket: string): OnFailureBucket => ({
  name: bucket,
  async list(prefix) {
    const listed: ListedObject[] = [];
    const request = { Bucket: bucket, ...(prefix === '' ? {} : { Prefix: prefix }) };
    for await (const page of paginateListObjectsV2({ client }, request)) {
      for (const { Key, LastModified } of page.Contents ?? []) {
        if (Key === undefined || Key.startsWith(REDRIVEN_PREFIX) || Key.startsWith(REPLAYED_PREFIX)) continue;
        listed.push({ key: Key, lastModified: LastModified });
      }
    }
    return listed;
  },
  async read(key) {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  },
  async moveToRedriven(key) {
    const target = `${REDRIVEN_PREFIX}${key}`;
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
});
