import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../../scripts/local/embedded-aws.js';

const BUCKET = 'embedded-aws-test';
const KEY = 'dbserver1.public.products/0/7.json';

/** Bodies of clearly different sizes, so a torn read shows as a short or mixed body. */
const bodyOf = (version: number): string => `${version}:${'x'.repeat(20_000 + (version % 7) * 50_000)}`;

describe('startEmbeddedAws S3', () => {
  let aws: EmbeddedAws;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    await aws.createBucket(BUCKET);
  });

  afterAll(async () => {
    await aws.stop();
  });

  it('answers a GET that overlaps a PUT of the same key with one whole version, like S3', async () => {
    // Prepare
    const put = (version: number) =>
      aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: bodyOf(version) }));
    const get = async () => {
      const response = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
      return (await response.Body?.transformToString()) ?? '';
    };
    await put(0);
    const versions = Array.from({ length: 60 }, (_, index) => index + 1);

    // Act
    const reads = await Promise.all(
      versions.map(async (version) => (await Promise.all([put(version), get()]))[1]),
    );

    // Assess
    for (const body of reads) {
      const version = Number(body.slice(0, body.indexOf(':')));
      expect(body).toBe(bodyOf(version));
    }
  });

  it('answers a GET that overlaps a DELETE of the same key with the whole object or NoSuchKey', async () => {
    // Prepare
    const outcomes: string[] = [];

    // Act
    for (let round = 0; round < 30; round++) {
      await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: bodyOf(round) }));
      const [, body] = await Promise.all([
        aws.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY })),
        aws.s3
          .send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))
          .then((response) => response.Body?.transformToString())
          .catch((error: { name?: string }) => error.name),
      ]);
      outcomes.push(body === bodyOf(round) ? 'whole' : String(body));
    }

    // Assess
    expect(outcomes).toHaveLength(30);
    expect(outcomes.filter((outcome) => outcome !== 'whole' && outcome !== 'NoSuchKey')).toEqual([]);
  });
});
