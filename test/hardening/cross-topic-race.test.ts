import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import { mskEvent, orderItemRecord, productRecord } from '../support/debezium.js';
import { printFigures, runs, scaledTimeout, tally } from '../support/hardening-figures.js';

const ORDER_PARTITION = 2;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The allowed outcomes of a products batch racing an order_items batch on one product (README, Reliability,
 * "Cross-topic races"): an upsert sets stock absolutely, a decrement subtracts from whatever is stored, each
 * applies exactly once. So the final stock is the last upsert's stock minus the decrements applied after it,
 * which (decrements of one partition being applied in offset order) are a suffix of the order items.
 */
const allowedStocks = (lastStock: number, quantities: readonly number[]): Set<number> =>
  new Set(
    quantities
      .map((_, start) => lastStock - quantities.slice(start).reduce((a, b) => a + b, 0))
      .concat(lastStock),
  );

const figures = {
  races: 0,
  outcomes: {} as Record<string, number>,
  bookkeepingIntact: 0,
  redeliveriesUnchanged: 0,
};

describe('products and order_items mappings racing on the same product', () => {
  let service: LocalService;
  let productOffset = 0;
  let orderOffset = 0;
  let nextId = 1;

  beforeAll(async () => {
    service = await startLocalService({
      env: { DYNAMODB_TABLE: 'race', DLQ_S3_BUCKET: 'race', WRITE_CONCURRENCY: '4' },
    });
  });

  afterAll(async () => {
    printFigures('cross-topic races', figures);
    await service.stop();
  });

  it(
    'ends in one of the serial orders with the position and watermarks of both writers intact',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 3 }),
          fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: 0, max: 6 }),
          async (stocks, quantities, productsDelay, ordersDelay) => {
            // Prepare
            const id = nextId++;
            const product = (stock: number) => {
              productOffset += 1;
              const row = {
                id,
                name: `Raced ${id}`,
                description: null,
                price: '3.50',
                stock_quantity: stock,
              };
              return productRecord('u', row, productOffset, 1_000_000 + productOffset * 10);
            };
            await service.invoke(mskEvent([product(1_000)]));
            const upserts = mskEvent(stocks.map(product));
            const firstOrderOffset = orderOffset + 1;
            const decrements = mskEvent(
              quantities.map((quantity) => {
                orderOffset += 1;
                return orderItemRecord(
                  { id: orderOffset, order_id: orderOffset, product_id: id, quantity },
                  orderOffset,
                  ORDER_PARTITION,
                );
              }),
            );
            const lastLsn = String(1_000_000 + productOffset * 10).padStart(20, '0');

            // Act
            await Promise.all([
              pause(productsDelay).then(() => service.invoke(upserts)),
              pause(ordersDelay).then(() => service.invoke(decrements)),
            ]);
            const raced = (await service.scanInventory()).find((item) => item.product_id === id);
            await Promise.all([service.invoke(upserts), service.invoke(decrements)]);
            const redelivered = (await service.scanInventory()).find((item) => item.product_id === id);

            // Assess
            const lastStock = stocks.at(-1) as number;
            const total = quantities.reduce((a, b) => a + b, 0);
            expect(allowedStocks(lastStock, quantities)).toContain(raced?.stock_quantity);
            expect(raced?.cdc_position).toMatch(new RegExp(`^${lastLsn}\\.`));
            expect(raced?.applied_offsets).toEqual({ [ORDER_PARTITION]: orderOffset });
            expect(raced?.first_offsets).toEqual({ [ORDER_PARTITION]: firstOrderOffset });
            expect(redelivered).toEqual(raced);
            figures.races += 1;
            figures.bookkeepingIntact += 1;
            figures.redeliveriesUnchanged += 1;
            const outcome =
              raced?.stock_quantity === lastStock - total
                ? 'decrementsAfterUpserts'
                : raced?.stock_quantity === lastStock
                  ? 'decrementsOverwrittenByUpsert'
                  : 'decrementsSplitAroundUpsert';
            tally(figures.outcomes, outcome);
          },
        ),
        { numRuns: runs(150) },
      );
    },
    scaledTimeout(120_000),
  );
});
