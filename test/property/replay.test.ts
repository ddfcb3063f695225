import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { startLocalService } from '../../scripts/local/local-service.js';
import {
  BASE_TS_MS,
  mskEvent,
  type OrderItemRow,
  orderItemRecordAt,
  productRecordAt,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { olderVersionLetter, putLetters, replay } from '../support/replay-harness.js';

const NUM_RUNS = Math.max(1, Math.round(Number(process.env.PROPERTY_RUNS ?? 200) / 4));
/** Products 1–3 exist (created at LSN 100 + id); product 9 never does. */
const PRODUCTS = [1, 2, 3] as const;
const NEVER = 9;

interface LineSpec {
  readonly productId: number;
  readonly quantity: number;
  /** How the line reaches the function: live only, as a letter an older version wrote, or both. */
  readonly path: 'live' | 'letter' | 'both';
  readonly liveTwice: boolean;
}

const at = (lsn: number) => ({ lastCommit: lsn - 1, lsn, tsMs: BASE_TS_MS + lsn });
const productRow = (id: number, stock: number) => ({
  id,
  name: `P${id}`,
  description: null,
  price: '1.00',
  stock_quantity: stock,
});

/**
 * Replay of dead letters follows the live rules: whatever mix of live deliveries (before or after the
 * product, once or twice), letters of older versions, replays run twice or at the same time as each other
 * and as a live redelivery, each order line counts once, and only if it committed after the product's last
 * count (STOCK_MODEL=orders); lines of a product that never comes stay letters.
 */
describe('replay follows the same rules as live traffic', () => {
  let aws: EmbeddedAws;
  let run = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws.stop();
  });

  it('counts every order line once, after the last count, whatever replays and redeliveries overlap', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            productId: fc.constantFrom(...PRODUCTS, NEVER),
            quantity: fc.integer({ min: 1, max: 5 }),
            path: fc.constantFrom<LineSpec['path']>('live', 'letter', 'both'),
            liveTwice: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }), {
          minLength: 3,
          maxLength: 3,
        }),
        fc.boolean(),
        fc.boolean(),
        async (lines, counts, productsFirst, concurrent) => {
          // Prepare: product p is created at LSN 100 + p; its optional stock-take commits at LSN 500 + p;
          // order line i commits at LSN 200 + 50 i, so lines 0–5 come before the stock-takes, the rest after.
          run += 1;
          const service = await startLocalService({
            aws,
            env: { DYNAMODB_TABLE: `replay-p${run}`, DLQ_S3_BUCKET: `replay-p${run}`, STOCK_MODEL: 'orders' },
          });
          const records = lines.map((line, index) => {
            const row: OrderItemRow = {
              id: index + 1,
              order_id: index,
              product_id: line.productId,
              quantity: line.quantity,
            };
            return orderItemRecordAt(row, at(200 + 50 * index), index, index % 2);
          });
          const products: TestKafkaRecord[] = PRODUCTS.flatMap((id, index) => {
            const count = counts[index];
            const create = productRecordAt('c', productRow(id, 100), at(100 + id), index * 2);
            return count === undefined
              ? [create]
              : [create, productRecordAt('u', productRow(id, count), at(500 + id), index * 2 + 1)];
          });
          const live = records.filter((_, index) => lines[index]?.path !== 'letter');
          const twice = records.filter(
            (_, index) => lines[index]?.path !== 'letter' && lines[index]?.liveTwice,
          );
          const letters = records
            .map((record, index) => ({ record, line: lines[index] as LineSpec }))
            .filter(({ line }) => line.path !== 'live')
            .map(({ record, line }) => olderVersionLetter(record, line.productId, new Date(BASE_TS_MS)));

          // Act
          if (productsFirst) await service.invoke(mskEvent(products));
          if (live.length > 0) await service.invoke(mskEvent(live));
          await putLetters(service.aws.s3, service.config.deadLetterBucket, letters);
          if (!productsFirst) await service.invoke(mskEvent(products));
          if (concurrent) {
            await Promise.all([
              replay(service),
              replay(service),
              twice.length > 0 ? service.invoke(mskEvent(twice)) : Promise.resolve(),
            ]);
          } else {
            await replay(service);
            if (twice.length > 0) await service.invoke(mskEvent(twice));
            await replay(service);
          }

          // Assess
          const items = await service.scanInventory();
          const pending = (await service.listDeadLetters()).filter(({ key }) => !key.startsWith('replayed/'));
          await service.stop();
          for (const [index, id] of PRODUCTS.entries()) {
            const count = counts[index];
            const from = count === undefined ? 100 + id : 500 + id;
            const after = lines
              .map((line, lineIndex) => ({ line, lsn: 200 + 50 * lineIndex }))
              .filter(({ line, lsn }) => line.productId === id && lsn > from)
              .reduce((sum, { line }) => sum + line.quantity, 0);
            expect(items.find((item) => item.product_id === id)?.stock_quantity).toBe((count ?? 100) - after);
          }
          const neverLetters = lines.filter(
            (line) => line.productId === NEVER && line.path !== 'live',
          ).length;
          expect(pending.map(({ letter }) => letter.error.code)).toEqual(
            Array(neverLetters).fill('UNKNOWN_PRODUCT'),
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  }, 600_000);
});
