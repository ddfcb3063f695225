import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import {
  BASE_TS_MS,
  mskEvent,
  orderItemRecordAt,
  productRecordAt,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { printFigures, runs, scaledTimeout, tally } from '../support/hardening-figures.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One committed step of the shop, in commit order: a products change (new stock_quantity) or an order line. */
type Step =
  | { readonly kind: 'count'; readonly value: number }
  | { readonly kind: 'order'; readonly quantity: number };

/**
 * The stock that applying the steps serially in commit order gives, per the contract's stock models, with
 * the products row created at 1000 before them. Under `products` the shop's order transaction also lowers
 * `products.stock_quantity`, so each order step comes with a products change.
 */
const serialStock = (model: StockModel, steps: readonly Step[]): number => {
  let stock = 1_000;
  let row = 1_000;
  for (const step of steps) {
    if (step.kind === 'order') {
      if (model === 'products') row -= step.quantity;
      stock = model === 'products' ? row : stock - step.quantity;
    } else if (model === 'products') {
      stock = step.value;
      row = step.value;
    } else if (model === 'orders') {
      if (step.value !== row) stock = step.value;
      row = step.value;
    } else if (model === 'ledger') {
      stock += step.value - row;
      row = step.value;
    }
  }
  return stock;
};

const figures = { races: 0, redeliveriesUnchanged: 0, outcomes: {} as Record<string, number> };

describe('products and order_items mappings racing on the same product', () => {
  let aws: EmbeddedAws;
  const services = new Map<StockModel, LocalService>();
  let nextId = 1;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    for (const model of ['orders', 'products', 'ledger'] as const) {
      services.set(
        model,
        await startLocalService({
          aws,
          env: {
            DYNAMODB_TABLE: `race-${model}`,
            DLQ_S3_BUCKET: `race-${model}`,
            WRITE_CONCURRENCY: '4',
            STOCK_MODEL: model,
          },
        }),
      );
    }
  });

  afterAll(async () => {
    printFigures('cross-topic races', figures);
    for (const service of services.values()) await service.stop();
    await aws.stop();
  });

  it(
    'ends exactly at the serial commit-order stock whichever mapping runs first, and redelivery changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<StockModel>('orders', 'products', 'ledger'),
          fc.array(
            fc.oneof(
              fc.record({ kind: fc.constant('count' as const), value: fc.integer({ min: 0, max: 2_000 }) }),
              fc.record({ kind: fc.constant('order' as const), quantity: fc.integer({ min: 1, max: 9 }) }),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: 0, max: 6 }),
          async (model, steps, productsDelay, ordersDelay) => {
            // Prepare: one transaction per step, committed in this order
            const service = services.get(model) as LocalService;
            const id = nextId++;
            const product = (stock: number, lsn: number, offset: number) =>
              productRecordAt(
                lsn === 100 ? 'c' : 'u',
                { id, name: `Raced ${id}`, description: null, price: '3.50', stock_quantity: stock },
                { lastCommit: lsn - 5, lsn, tsMs: BASE_TS_MS + lsn },
                offset,
              );
            const products: TestKafkaRecord[] = [product(1_000, 100, 0)];
            const orders: TestKafkaRecord[] = [];
            let row = 1_000;
            steps.forEach((step, index) => {
              const lsn = 200 + index * 10;
              if (step.kind === 'count') {
                row = step.value;
                products.push(product(row, lsn, products.length));
                return;
              }
              const line = { id: id * 100 + index, order_id: index, product_id: id, quantity: step.quantity };
              orders.push(
                orderItemRecordAt(
                  line,
                  { lastCommit: lsn - 5, lsn, tsMs: BASE_TS_MS + lsn },
                  orders.length,
                  index % 3,
                ),
              );
              if (model === 'products') {
                row -= step.quantity;
                products.push(product(row, lsn + 1, products.length));
              }
            });

            // Act
            await Promise.all([
              pause(productsDelay).then(() => service.invoke(mskEvent(products))),
              pause(ordersDelay).then(() => service.invoke(mskEvent(orders))),
            ]);
            const raced = (await service.scanInventory()).find((item) => item.product_id === id);
            await Promise.all([service.invoke(mskEvent(orders)), service.invoke(mskEvent(products))]);
            const redelivered = (await service.scanInventory()).find((item) => item.product_id === id);

            // Assess
            expect(raced?.stock_quantity).toBe(serialStock(model, steps));
            expect(redelivered).toEqual(raced);
            figures.races += 1;
            figures.redeliveriesUnchanged += 1;
            tally(
              figures.outcomes,
              productsDelay < ordersDelay
                ? 'productsFirst'
                : productsDelay > ordersDelay
                  ? 'ordersFirst'
                  : 'together',
            );
          },
        ),
        { numRuns: runs(90) },
      );
    },
    scaledTimeout(180_000),
  );
});
