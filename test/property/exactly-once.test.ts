import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import type { InventoryItem } from '../../scripts/local/local-service.js';
import { seededRandom } from '../support/fault-injection.js';
import { startFaultyService } from '../support/faulty-service.js';
import { deliverThroughMappings, type MappingStats } from '../support/mapping-simulator.js';
import { buildShopLogs, type ShopSpec, shopSpecArb } from '../support/shop-history.js';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

const contractShape = (item: InventoryItem) => ({
  product_id: item.product_id,
  name: item.name,
  price: item.price,
  stock_quantity: item.stock_quantity,
  ...(item.description === undefined ? {} : { description: item.description }),
});

const totals = {
  cases: 0,
  byModel: {} as Record<string, number>,
  transactions: 0,
  changes: 0,
  reemitted: 0,
  invocations: 0,
  failedInvocations: 0,
  expectedFailures: {} as Record<string, number>,
  redeliveredRecords: 0,
  multiPartitionBatches: 0,
  overlappingInvocations: 0,
};

const addStats = (stats: MappingStats): void => {
  totals.invocations += stats.invocations;
  totals.failedInvocations += stats.failedInvocations;
  totals.redeliveredRecords += stats.redeliveredRecords;
  totals.multiPartitionBatches += stats.multiPartitionBatches;
  totals.overlappingInvocations += stats.overlappingInvocations;
  for (const [code, count] of Object.entries(stats.expectedFailures)) {
    totals.expectedFailures[code] = (totals.expectedFailures[code] ?? 0) + count;
  }
};

/**
 * The promise: the table equals the serial application, in commit order, of what Postgres committed, under
 * the declared stock model, whatever Kafka and the mappings do. Histories come from a shop model with an
 * initial snapshot, interleaved (long) transactions, deletes and re-created ids; delivery re-emits a suffix
 * at new offsets, restarts offsets, lags the topics either way, overlaps invocations and injects faults.
 */
describe('exactly once against the source', () => {
  let aws: EmbeddedAws;
  let run = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws.stop();
    console.info('property totals', JSON.stringify(totals));
  });

  const runCase = async (
    spec: ShopSpec,
    seed: number,
    faultRate: number,
    productsShare: number,
    maxBatch: number,
  ) => {
    // Prepare
    run += 1;
    const random = seededRandom(seed);
    const { service, injectors } = await startFaultyService(aws, `exactly-${run}`, random, {
      STOCK_MODEL: spec.model,
    });
    const { logs, expected, poison, stats } = buildShopLogs(spec);

    // Act
    const delivery = await deliverThroughMappings(logs, {
      random,
      invoke: service.invoke,
      injectors,
      faultRate,
      maxBatch,
      lostCommitRate: 0.2,
      timeoutRate: faultRate > 0 ? 0.05 : 0,
      overlapRate: 0.1,
      productsShare,
      concurrentRate: 0.3,
    });

    // Assess
    const items = await service.scanInventory();
    const letters = await service.listDeadLetters();
    await service.stop();
    expect(items.map(contractShape)).toEqual(expected);
    expect(Object.fromEntries(letters.map(({ key, letter }) => [key, letter.error.code]))).toEqual(
      Object.fromEntries(poison),
    );
    totals.cases += 1;
    totals.byModel[spec.model] = (totals.byModel[spec.model] ?? 0) + 1;
    totals.transactions += stats.transactions;
    totals.changes += stats.changes;
    totals.reemitted += stats.reemitted;
    addStats(delivery);
  };

  it('ends with the table equal to the serial commit-order application, in every stock model', async () => {
    await fc.assert(
      fc.asyncProperty(
        shopSpecArb(),
        fc.integer(),
        fc.constantFrom(0, 0.05, 0.15),
        // From "products far behind" to "products far ahead".
        fc.constantFrom(0.05, 0.3, 0.5, 0.7, 0.95),
        fc.integer({ min: 1, max: 12 }),
        (spec, seed, faultRate, productsShare, maxBatch) =>
          runCase(spec, seed, faultRate, productsShare, maxBatch),
      ),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    expect(totals.failedInvocations).toBeGreaterThan(0);
    expect(totals.redeliveredRecords).toBeGreaterThan(0);
    expect(totals.multiPartitionBatches).toBeGreaterThan(0);
    expect(totals.overlappingInvocations).toBeGreaterThan(0);
    expect(totals.reemitted).toBeGreaterThan(0);
    expect(Object.keys(totals.byModel).sort()).toEqual(['ledger', 'orders', 'products']);
  }, 900_000);
});
