import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../lambda/decode/kafka-event.js';
import { ErrorCode } from '../../lambda/errors.js';
import { buildDeadLetter, createDeadLetterStore } from '../../lambda/store/dead-letter.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';

const record = (value: string): KafkaRecord => ({
  topic: 'dbserver1.public.products',
  partition: 0,
  offset: 7,
  timestamp: 1_736_936_400_000,
  key: null,
  value: Buffer.from(value).toString('base64'),
  headers: [],
});

describe('the dead-letter store on embedded S3', () => {
  let aws: EmbeddedAws;
  let service: LocalService;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    service = await startLocalService({ aws, env: { DYNAMODB_TABLE: 'letters', DLQ_S3_BUCKET: 'letters' } });
  });

  afterAll(async () => {
    await service.stop();
    await aws.stop();
  });

  const store = () => createDeadLetterStore(aws.s3, service.config.deadLetterBucket);
  const failure = (message: string) => ({ code: ErrorCode.INVALID_JSON, message });

  it('keeps both letters when offsets started again and another record fails at the same coordinates', async () => {
    // Prepare
    const first = buildDeadLetter(record('{"first":'), failure('first'), new Date());
    const second = buildDeadLetter(record('{"second":'), failure('second'), new Date());

    // Act
    const keys = [await store().put(first), await store().put(second)];

    // Assess
    const letters = await service.listDeadLetters();
    expect(keys[0]).toBe('dbserver1.public.products/0/7.json');
    expect(keys[1]).toMatch(/^dbserver1\.public\.products\/0\/7~[\w-]{16}\.json$/);
    expect(letters.map(({ letter }) => letter.error.message).sort()).toEqual(['first', 'second']);
  });

  it('keeps the error history when the same record fails again', async () => {
    // Prepare
    const once = buildDeadLetter(record('{"again":'), failure('attempt 1'), new Date());
    const twice = buildDeadLetter(record('{"again":'), failure('attempt 2'), new Date());
    const thrice = buildDeadLetter(record('{"again":'), failure('attempt 3'), new Date());

    // Act
    const keys = [await store().put(once), await store().put(twice), await store().put(thrice)];

    // Assess
    expect(new Set(keys).size).toBe(1);
    const letter = (await service.listDeadLetters()).find(({ key }) => key === keys[0])?.letter;
    expect(letter?.errors.map((error) => error.message)).toEqual(['attempt 1', 'attempt 2', 'attempt 3']);
    expect(letter?.error.message).toBe('attempt 3');
  });
});
