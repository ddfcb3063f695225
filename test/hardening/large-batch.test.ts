import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../infra/stack-config.js';
import { MetricName } from '../../lambda/telemetry/metric-names.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { startLocalService } from '../../scripts/local/local-service.js';
import { mskEvent, orderItemRecord, productRecord, type TestKafkaRecord } from '../support/debezium.js';
import { printFigures } from '../support/hardening-figures.js';

/** The mapping's limits: at most 10,000 records and 6 MB of payload per invocation. */
const MAX_RECORDS = 10_000;
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MB = 1024 * 1024;

const payloadBytes = (records: readonly TestKafkaRecord[]) =>
  records.reduce((sum, { key, value }) => sum + (key?.length ?? 0) + (value?.length ?? 0), 0);

/**
 * `products` products, then order items spread over them (four partitions), with the products'
 * descriptions padded so that the whole batch comes to about `targetBytes` of base64 payload.
 */
const batch = (records: number, products: number, targetBytes: number): TestKafkaRecord[] => {
  const orders: TestKafkaRecord[] = [];
  for (let n = 0; n < records - products; n++) {
    const row = { id: n + 1, order_id: 50_000 + n, product_id: (n % products) + 1, quantity: 1 };
    orders.push(orderItemRecord(row, n, n % 4));
  }
  const product = (id: number, description: string) =>
    productRecord(
      'c',
      { id, name: `Product ${id}`, description, price: '9.99', stock_quantity: 100_000 },
      id - 1,
    );
  const perProduct = (targetBytes - payloadBytes(orders)) / products - payloadBytes([product(products, '')]);
  const padding = 'p'.repeat(Math.max(0, Math.floor(perProduct * 0.75) - 8));
  return [...Array.from({ length: products }, (_, index) => product(index + 1, padding)), ...orders];
};

/** Samples memory while `run` runs; the embedded DynamoDB and S3 share the process, so this overstates. */
const measurePeak = async <T>(run: () => Promise<T>) => {
  global.gc?.();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 5);
  const began = performance.now();
  try {
    const result = await run();
    return {
      result,
      ms: performance.now() - began,
      peakRss,
      peakHeap,
      heapGrowth: peakHeap - start.heapUsed,
    };
  } finally {
    clearInterval(timer);
  }
};

describe('a batch at the mapping limits', () => {
  let aws: EmbeddedAws;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws.stop();
  });

  it('applies 10,000 records / ~6 MB in one invocation within the memory the stack configures', async () => {
    // Prepare
    const memoryMb = CONFIG_DEFAULTS.memorySizeMb;
    const small = await startLocalService({ aws, env: { DYNAMODB_TABLE: 'small', DLQ_S3_BUCKET: 'small' } });
    const large = await startLocalService({ aws, env: { DYNAMODB_TABLE: 'large', DLQ_S3_BUCKET: 'large' } });
    const smallRecords = batch(1_000, 100, MAX_PAYLOAD_BYTES / 10);
    const largeRecords = batch(MAX_RECORDS, 1_000, MAX_PAYLOAD_BYTES * 0.97);
    const largeEvent = mskEvent(largeRecords);

    // Act
    const smallRun = await measurePeak(() => small.invoke(mskEvent(smallRecords)));
    // The function's own timeout, as the stack configures it: the batch must fit in it, not in a default.
    const timeoutMs = CONFIG_DEFAULTS.timeoutSeconds * 1000;
    const largeRun = await measurePeak(() => large.invoke(largeEvent, createLambdaContext(timeoutMs)));

    // Assess
    const items = await large.scanInventory();
    await Promise.all([small.stop(), large.stop()]);
    const figures = {
      records: largeRecords.length,
      payloadMb: Number((payloadBytes(largeRecords) / MB).toFixed(2)),
      eventJsonMb: Number((JSON.stringify(largeEvent).length / MB).toFixed(2)),
      ms: Math.round(largeRun.ms),
      peakRssMb: Math.round(largeRun.peakRss / MB),
      heapGrowthMb: Math.round(largeRun.heapGrowth / MB),
      memoryConfiguredMb: memoryMb,
      msPerRecord1k: Number((smallRun.ms / smallRecords.length).toFixed(3)),
      msPerRecord10k: Number((largeRun.ms / largeRecords.length).toFixed(3)),
    };
    printFigures('large batch', figures);
    expect(largeRun.result.counts[MetricName.RECORDS_PROCESSED]).toBe(MAX_RECORDS);
    expect(largeRun.result.deadLetterKeys).toEqual([]);
    expect(items).toHaveLength(1_000);
    expect(items.every(({ stock_quantity }) => stock_quantity === 100_000 - 9)).toBe(true);
    expect(payloadBytes(largeRecords)).toBeGreaterThan(MAX_PAYLOAD_BYTES * 0.9);
    expect(payloadBytes(largeRecords)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(largeRun.peakRss).toBeLessThan(memoryMb * MB);
    // Per-record work is bounded: ten times the records may not cost more than three times as much each.
    expect(figures.msPerRecord10k).toBeLessThan(figures.msPerRecord1k * 3);
  }, 240_000);
});
