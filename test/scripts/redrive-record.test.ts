import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambda/config.js';
import { operatorInstructions } from '../../scripts/redrive/instructions.js';
import { type InvocationRecord, parseOnFailureObject } from '../../scripts/redrive/invocation-record.js';
import { parseRedriveArgs } from '../../scripts/redrive/options.js';
import { planEvent } from '../../scripts/redrive/plan.js';
import { ProgressBar } from '../../scripts/redrive/progress.js';
import { ageNotes } from '../../scripts/redrive/redrive.js';
import { kafkaRecord, mskEvent, PRODUCTS_TOPIC, productRecord } from '../support/debezium.js';
import { recordingIo } from '../support/replay-harness.js';

const fixtureText = (name: string): string =>
  readFileSync(new URL(`../fixtures/on-failure/${name}.json`, import.meta.url), 'utf8');

const KEY = 'aws/lambda/3f1c2b9e-7d4a-4c1e-9b2f-5a6d8e0c1b23/dbserver1.public.products-0/2025/06/14/x';

const recordOf = (key: string, body: string): InvocationRecord => {
  const parsed = parseOnFailureObject(key, body);
  if (parsed.kind !== 'invocation-record') throw new Error(`not a record: ${JSON.stringify(parsed)}`);
  return parsed.record;
};

describe('the S3 on-failure invocation record, as documented', () => {
  it('reads the fixture with its payload: metadata, ranges, and the whole event from the escaped JSON string', () => {
    // Act
    const record = recordOf(KEY, fixtureText('products-retry-attempts-exhausted'));

    // Assess
    expect(record).toMatchObject({
      esmUuid: '3f1c2b9e-7d4a-4c1e-9b2f-5a6d8e0c1b23',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 11,
      functionError: 'Unhandled',
      timestamp: '2025-06-14T09:42:31.877Z',
      batchSize: 2,
      eventSourceArn: expect.stringContaining(':cluster/shop-cdc/'),
      partitions: [
        {
          topicPartition: 'dbserver1.public.products-0',
          topic: PRODUCTS_TOPIC,
          partition: 0,
          firstOffset: '41',
          lastOffset: '42',
          firstTimestamp: '2025-06-14T09:40:55.101Z',
          lastTimestamp: '2025-06-14T09:40:55.102Z',
          payloadRecords: 2,
        },
      ],
    });
    expect(record.payload.present && record.payload.records).toBe(2);
    expect(record.payload.present && record.payload.event.eventSource).toBe('aws:kafka');
  });

  it('reads the fixture without payload: responseContext null, the offset ranges only', () => {
    // Act
    const record = recordOf('other/key', fixtureText('order-items-payload-size-exceeded'));

    // Assess
    expect(record.esmUuid).toBeUndefined();
    expect(record.condition).toBe('MaximumPayloadSizeExceeded');
    expect(record.functionError).toBeUndefined();
    expect(record.payload).toEqual({ present: false, reason: 'the object has no payload' });
    expect(record.partitions.map((range) => [range.partition, range.firstOffset, range.lastOffset])).toEqual([
      [0, '1200', '1249'],
      [2, '980', '1029'],
    ]);
  });

  it('takes a payload given as an object, and derives the ranges from it when recordsInfo is absent', () => {
    // Prepare
    const event = mskEvent([kafkaRecord('my-topic-with-dashes', 3, 100, { op: 'c' })]);
    const body = JSON.stringify({ requestContext: {}, KafkaBatchInfo: { batchSize: 1 }, payload: event });

    // Act
    const record = recordOf(KEY, body);

    // Assess
    expect(record.partitions).toEqual([
      expect.objectContaining({
        topic: 'my-topic-with-dashes',
        partition: 3,
        firstOffset: '100',
        lastOffset: '100',
      }),
    ]);
    expect(record.payload.present).toBe(true);
  });

  it('calls a truncated, null or non-event payload missing, and names what is not an invocation record', () => {
    // Prepare
    const base = { requestContext: {}, KafkaBatchInfo: { recordsInfo: { 't-0': { firstRecordOffset: 5 } } } };

    // Act
    const reasons = ['{"records": {"t-0": [', null, '', '{"Records": []}'].map((payload) => {
      const record = recordOf(KEY, JSON.stringify({ ...base, payload }));
      return record.payload.present ? 'present' : record.payload.reason;
    });
    const others = [
      'not json',
      '[]',
      JSON.stringify({ formatVersion: 1, record: { topic: 't' }, error: { code: 'INVALID_JSON' } }),
      JSON.stringify({ requestContext: {}, KinesisBatchInfo: {} }),
    ].map((body) => parseOnFailureObject(KEY, body));

    // Assess
    expect(reasons[0]).toMatch(/^the payload is not JSON \(truncated\?\)/);
    expect(reasons.slice(1)).toEqual([
      'the payload is null',
      'the payload is empty',
      'the payload is not a Lambda Kafka event (no "records" map)',
    ]);
    expect(others.map((parsed) => parsed.kind)).toEqual([
      'unreadable',
      'unreadable',
      'dead-letter',
      'unreadable',
    ]);
    expect(others[3]).toEqual({
      kind: 'unreadable',
      reason: 'an invocation record with KinesisBatchInfo: not from a Kafka event source mapping',
    });
  });
});

describe('redrive plan, instructions, options and progress', () => {
  it('plans each record by decodeRecord alone: upsert, delete, skip and poison code', () => {
    // Prepare
    const config = loadConfig({ DLQ_S3_BUCKET: 'dlq' });
    const row = { id: 1001, name: 'Mouse', description: null, price: '9.99', stock_quantity: 4 };
    const event = mskEvent([
      productRecord('c', row, 1),
      productRecord('d', row, 2),
      kafkaRecord(PRODUCTS_TOPIC, 0, 3, null),
      kafkaRecord(PRODUCTS_TOPIC, 0, 4, 'not json'),
    ]);

    // Act
    const plan = planEvent(event, config);

    // Assess
    expect(plan.map(({ offset, kind, detail }) => [offset, kind, detail.split(':')[0]])).toEqual([
      [1, 'upsert', 'product 1001, stock 4'],
      [2, 'delete', 'product 1001'],
      [3, 'skip', 'TOMBSTONE'],
      [4, 'poison', 'INVALID_JSON'],
    ]);
  });

  it('without offsets, the instructions read the range by record time', () => {
    // Prepare
    const body = JSON.stringify({
      requestContext: {},
      KafkaBatchInfo: {
        bootstrapServers: 'kafka:9092',
        recordsInfo: {
          't-1': {
            firstRecordTimestamp: '2025-06-14T10:00:00.000Z',
            lastRecordTimestamp: '2025-06-14T10:00:01.000Z',
          },
        },
      },
    });

    // Act
    const lines = operatorInstructions(recordOf(KEY, body), {
      key: KEY,
      bucket: 'b',
      tableName: 'inv',
      endpoint: 'aws',
    });

    // Assess
    expect(lines).toContain(
      '    kcat -C -b kafka:9092 -t t -p 1 -o s@1749895200000 -o e@1749895201001 -e -J > redrive-t-1.jsonl',
    );
    expect(lines).toContain(
      '    npm run invoke -- redrive-t-1.json --endpoint aws --bucket b --table inv --timeout 900',
    );
  });

  it('warns when the batch is older than LAG_BOUND_HOURS, and only then', () => {
    // Prepare
    const record = recordOf(KEY, fixtureText('products-retry-attempts-exhausted'));

    // Act
    const within = ageNotes(record, 192, new Date('2025-06-21T09:40:00Z'));
    const past = ageNotes(record, 192, new Date('2025-06-24T09:40:00Z'));

    // Assess
    expect(within).toEqual([]);
    expect(past).toEqual([expect.stringMatching(/^records from 239 h ago, past LAG_BOUND_HOURS \(192 h\)/)]);
  });

  it('parses the documented options with their defaults', () => {
    // Act
    const defaults = parseRedriveArgs([]);
    const given = parseRedriveArgs(['--key', 'a', '--key', 'a', '--topic', 't', '--keep', '--prefix', '']);

    // Assess
    expect(defaults).toMatchObject({
      endpoint: 'aws',
      dryRun: false,
      keep: false,
      json: false,
      selection: { prefix: 'aws/lambda/' },
    });
    expect(given.selection).toEqual({ prefix: '', keys: ['a'], topic: 't' });
    expect(given.keep).toBe(true);
  });

  it('draws the progress bar on stderr on a terminal, clearing it around other output, and nothing elsewhere', () => {
    // Prepare
    const tty = recordingIo(true);
    const pipe = recordingIo(false);

    // Act
    for (const io of [tty, pipe]) {
      const bar = new ProgressBar(io, 2, 'redrive');
      bar.update(0, 'a');
      bar.aside('line\n');
      bar.update(1, 'b');
      bar.finish();
    }

    // Assess
    expect(tty.err).toEqual([
      '\r\u001b[2Kredrive [........................] 0/2  a',
      '\r\u001b[2K',
      '\r\u001b[2Kredrive [############............] 1/2  b',
      '\n',
    ]);
    expect(tty.out).toEqual(['line\n']);
    expect(pipe.err).toEqual([]);
    expect(pipe.out).toEqual(['line\n']);
  });
});
