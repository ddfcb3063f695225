import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import { replayMain } from '../../scripts/replay/replay.js';
import { recordingIo } from '../support/replay-harness.js';

const ON_FAILURE_FIXTURE = 'test/fixtures/on-failure/products-retry-attempts-exhausted.json';
/** The documented layout of the mappings' S3 on-failure destination, and where redrive moves what it redrove. */
const ON_FAILURE_KEY =
  'aws/lambda/7f3b1c2d-0c5e-4a9f-9d3e-2b1a0c9d8e7f/dbserver1.public.products-0/2026/12/03/2026-12-03T09.15.00-5c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f';
const REDRIVEN_KEY = `redriven/${ON_FAILURE_KEY}`;

describe('replay with the on-failure destination in the same bucket', () => {
  let service: LocalService;
  let env: Record<string, string>;

  beforeAll(async () => {
    service = await startLocalService({
      env: { DYNAMODB_TABLE: 'replay-prefixes', DLQ_S3_BUCKET: 'replay-prefixes-dlq' },
    });
    env = { ...service.aws.env, DYNAMODB_TABLE: 'replay-prefixes', DLQ_S3_BUCKET: 'replay-prefixes-dlq' };
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('lists only dead letters: objects under aws/lambda/ and redriven/ are neither replayed nor reported', async () => {
    // Prepare
    const poison = JSON.parse(await readFile('events/poison.json', 'utf8'));
    const invocation = await service.invoke(poison);
    const onFailure = await readFile(ON_FAILURE_FIXTURE, 'utf8');
    for (const Key of [ON_FAILURE_KEY, REDRIVEN_KEY]) {
      await service.aws.s3.send(
        new PutObjectCommand({ Bucket: service.config.deadLetterBucket, Key, Body: onFailure }),
      );
    }
    const io = recordingIo();

    // Act
    // The poison letters would still fail: exit code 3.
    await expect(replayMain(['--endpoint', 'local', '--dry-run'], io, env)).rejects.toMatchObject({
      exitCode: 3,
    });

    // Assess
    const letters = invocation.deadLetterKeys.length;
    expect(letters).toBeGreaterThan(0);
    expect(io.text()).toContain(`${letters} pending letter(s), ${letters} selected`);
    expect(io.err.join('')).not.toContain('is not a dead letter');
    expect(io.text()).not.toContain('aws/lambda/');
  });
});
