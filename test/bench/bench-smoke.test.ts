import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureDecode } from '../../bench/decode.js';
import { compareThroughput } from '../../bench/throughput.js';
import { DEFAULT_WORKLOAD, generateWorkload } from '../../bench/workload.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';

/** `npm run bench` in miniature: the same code paths on a workload small enough for every test run. */
const SMOKE_WORKLOAD = {
  ...DEFAULT_WORKLOAD,
  orderItems: 400,
  productEvents: 30,
  products: 60,
  orderBatchSize: 200,
};

describe('bench smoke run', () => {
  let aws: EmbeddedAws;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws.stop();
  });

  it('generates the same workload for the same seed', () => {
    // Prepare
    const options = { ...SMOKE_WORKLOAD };

    // Act
    const first = generateWorkload(options);
    const second = generateWorkload(options);

    // Assess
    expect(second.batches.map((batch) => batch.records)).toEqual(first.batches.map((batch) => batch.records));
    expect(first.records).toBe(430);
    expect(first.batches.map((batch) => batch.topic.split('.').at(-1))).toEqual([
      'products',
      'order_items',
      'products',
      'order_items',
    ]);
  });

  it('ends the handler and the naive loop in the same table, with one write per product per batch', async () => {
    // Prepare
    const workload = generateWorkload(SMOKE_WORKLOAD);

    // Act
    const figures = await compareThroughput(aws, workload, 1);

    // Assess
    expect(figures.tablesEqual).toBe(true);
    expect(figures.deadLetters).toBe(0);
    expect(figures.naive.writes).toBe(workload.records);
    expect(figures.handler.writes).toBe(figures.limitWrites);
    expect(figures.handler.calls.get('GetItemCommand') ?? 0).toBe(0);
    expect(figures.handler.ms).toBeLessThan(figures.naive.ms);
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
});
