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

  it('runs the bench script end to end: same tables, writes at the coalescing limit, constant bookkeeping', async () => {
    // Act
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--skip-bundle', '--latency', '1'],
      { env: { ...process.env }, timeout: 50_000 },
    );
    const line = (prefix: string): string => stdout.split('\n').find((text) => text.startsWith(prefix)) ?? '';

    // Assess
    expect(stdout).not.toContain('FAILED');
    // Progress goes to stderr, one line per phase, never between the figures.
    expect(stderr).toContain('bench: naive per-record loop @1 ms/call (216 records)\n');
    expect(stderr).toContain('bench: handler @1 ms/call (216 records)\n');
    expect(stdout).not.toMatch(/^bench: /m);
    expect(line('injected latency:')).toContain('1 ms per call');
    expect(line('throughput @1 ms/call:')).toMatch(/handler\/naive = \d+\.\d×/);
    expect(line('latency:engine @1 ms/call:')).toMatch(/\d+\.\d:1 in this run/);
    expect(line('same table @1 ms/call:')).toContain('yes');
    expect(line('same table @1 ms/call:')).toContain('0 dead letters');
    expect(line('write calls per record:')).toContain('= 1.000× the coalescing limit');
    expect(line('write calls per record:')).toContain('0 failed');
    expect(line('WCU method:')).toContain('computed from item sizes');
    expect(line('WCU method:')).toContain('prices each of its writes exactly');
    // Every order line is one ledger entry put in a transaction: 2 WCU each, 200 of them over 216 records.
    expect(line('footprint @4 order_items partitions:')).toContain('(200 entries, 0 heads)');
    expect(line('footprint @4 order_items partitions:')).toContain(`ledger ${(400 / 216).toFixed(3)}`);
    expect(line('footprint @200 order_items partitions:')).toContain(`ledger ${(400 / 216).toFixed(3)}`);
    expect(line('item bookkeeping vs partitions:')).toContain('(+0 B;');
    expect(line('item bookkeeping vs partitions:')).toContain('constant: met');
  });
});
