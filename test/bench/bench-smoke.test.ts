import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { measureDecode } from '../../bench/decode.js';
import { itemBytes, numberBytes, writeUnits } from '../../bench/item-size.js';
import { generateWorkload, SMOKE_WORKLOAD } from '../../bench/workload.js';
import { loadConfig } from '../../lambda/config.js';
import { decodeRecord } from '../../lambda/decode/decode-record.js';
import { flattenRecords, type KafkaEvent } from '../../lambda/decode/kafka-event.js';

const run = promisify(execFile);

/** `npm run bench` in miniature: the same script and code paths on a workload small enough for every test run. */
describe('bench smoke run', () => {
  it('generates the same workload for the same seed, in increasing commit order', () => {
    // Prepare
    const options = { ...SMOKE_WORKLOAD };
    const config = loadConfig({ DLQ_S3_BUCKET: 'unused' });

    // Act
    const first = generateWorkload(options);
    const second = generateWorkload(options);
    const positions = first.batches
      .flatMap((batch) => flattenRecords(batch.event as unknown as KafkaEvent))
      .map((record) => decodeRecord(record, config))
      .map((change) => (change.type === 'Skipped' ? '' : change.position))
      .sort();
    const sequences = first.batches.flatMap((batch) =>
      batch.records.map((record) => {
        const { source } = JSON.parse(Buffer.from(record.value ?? '', 'base64').toString('utf8'));
        return JSON.parse(source.sequence).map((lsn: string | null) => (lsn === null ? 0 : Number(lsn)));
      }),
    );

    // Assess
    expect(second.batches.map((batch) => batch.records)).toEqual(first.batches.map((batch) => batch.records));
    expect(first.records).toBe(216);
    expect(first.batches.map((batch) => batch.topic.split('.').at(-1))).toEqual([
      'products',
      'order_items',
      'products',
      'order_items',
    ]);
    expect(new Set(positions).size).toBe(216);
    expect(positions[0]).not.toBe('');
    expect(positions.every((position) => position > first.initialPosition)).toBe(true);
    // Each change is its own transaction: it commits after the previous change, whose LSN is its lastCommitLsn.
    const sorted = [...sequences].sort((a, b) => a[1] - b[1]);
    expect(sorted.slice(1).every(([lastCommit], index) => lastCommit === sorted[index]?.[1])).toBe(true);
  });

  it('sizes items and prices writes by DynamoDB’s documented rules', () => {
    // Prepare
    const item = {
      product_id: { N: '12' },
      name: { S: 'Crème' },
      price: { N: '-0012.3400' },
      tags: { L: [{ S: 'a' }, { BOOL: true }] },
      meta: { M: { k: { NULL: true } } },
    };

    // Act
    const bytes = itemBytes(item);

    // Assess
    // product_id 10 + 2 (one pair of digits + 1); name 4 + 6 (è is two bytes); price 5 + 3 (1234: two
    // pairs + 1); tags 4 + 3 + (1 + 1) + (1 + 1); meta 4 + 3 + (1 + 1 + 1).
    expect(bytes).toBe(12 + 10 + 8 + 11 + 10);
    expect(numberBytes('100000')).toBe(2);
    expect(writeUnits(1024, false)).toBe(1);
    expect(writeUnits(1025, false)).toBe(2);
    expect(writeUnits(250, true)).toBe(2);
  });

  it('measures decode against JSON.parse of the same values', () => {
    // Prepare
    const workload = generateWorkload(SMOKE_WORKLOAD);

    // Act
    const figures = measureDecode(workload, 3);

    // Assess
    expect(figures.records).toBe(workload.records);
    expect(figures.decodeMs).toBeGreaterThan(0);
    expect(figures.jsonParseMs).toBeGreaterThan(0);
  });

  it('runs the bench script end to end: both consumers per batch size, the hot product, the targets', async () => {
    // Act
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--skip-bundle', '--latency', '1'],
      { env: { ...process.env }, timeout: 110_000 },
    );
    const line = (prefix: string): string => stdout.split('\n').find((text) => text.startsWith(prefix)) ?? '';

    // Assess
    expect(stdout).not.toContain('FAILED');
    // Progress goes to stderr, one line per phase, never between the figures.
    expect(stderr).toContain('bench: Python loop @1 ms/call, b100 (216 records)\n');
    expect(stderr).toContain('bench: handler @1 ms/call, b1000 (216 records)\n');
    expect(stdout).not.toMatch(/^bench: /m);
    expect(line('machine:')).toContain('load average');
    expect(line('injected latency:')).toContain('1 ms per call');
    for (const batch of ['batch 100 @1 ms/call', 'batch 1,000 @1 ms/call']) {
      // The loop makes exactly one call per record and never retries.
      expect(line(`${batch}: calls per record:`)).toMatch(/loop 1\.000, handler \d\.\d{3}/);
      expect(line(`${batch}: CPU µs per record:`)).toMatch(/loop \d+, handler \d+/);
      expect(line(`${batch}: WCU per record:`)).toMatch(/WCU per order line: loop 1\.000, handler \d\.\d{3}/);
      expect(line(`${batch}: attempts per commit:`)).toMatch(/loop 1\.000, handler \d\.\d{3}/);
      expect(line(`${batch}: wall time:`)).toMatch(/loop\/handler = \d+\.\d×/);
      expect(line(`${batch}: same table:`)).toContain('yes');
      expect(line(`${batch}: same table:`)).toContain('handler stock = serial commit order on 40 of 40');
      expect(line(`${batch}: same table:`)).toContain(
        '200 ledger entries for 200 order lines; 0 dead letters',
      );
    }
    expect(line('WCU method:')).toContain('prices each of its writes exactly');
    expect(line('footprint @4 order_items partitions:')).toContain('(200 entries, 0 heads)');
    expect(line('item bookkeeping vs partitions:')).toContain('constant: met');
    expect(line('hot product method:')).toContain('TransactionConflict');
    expect(line('hot product 20×5 @5 ms/call:')).toMatch(
      /^hot product 20×5 @5 ms\/call: \d+ failed invocations/,
    );
    expect(line('hot product 20×5 @5 ms/call:')).toContain('20 committed');
    expect(line('hot product 20×5 @5 ms/call:')).toContain('stock exact: yes');
    expect(stdout.split('\n').filter((text) => text.startsWith('target: '))).toHaveLength(5);
    expect(line('target: batch 1,000 @20 ms/call:')).toContain('(measured at 1 ms/call, not 20) — NOT MET');
    expect(line('targets')).toMatch(/^targets (all met|NOT MET: \d+)/);
    // Two consumers at two batch sizes, a footprint run and a hot product: ~40 s on a loaded 2-core machine.
  }, 120_000);
});
