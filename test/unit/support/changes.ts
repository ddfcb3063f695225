import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../../../lambda/inventory/changes.js';
import { positionKey } from '../../../lambda/inventory/position.js';
import { mskRecord, ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC } from './records.js';

/** A streamed change's position: one transaction per LSN, each committed just after the previous one. */
export const positionAt = (lsn: number): string =>
  positionKey(
    {
      lsn: BigInt(lsn),
      sequence: { lastCommitLsn: BigInt(Math.max(0, lsn - 1)), lsn: BigInt(lsn) },
      sourceTsMs: 1,
    },
    { snapshot: false, epoch: 0, offset: 0 },
  );

/** Decoded changes built directly, for the pure planning and expression tests. */
export const productUpserted = (
  productId: number,
  offset: number,
  overrides: Partial<Omit<ProductUpserted, 'type' | 'productId' | 'record'>> = {},
): ProductUpserted => ({
  type: 'ProductUpserted',
  productId,
  position: positionAt(1000 + offset),
  snapshot: false,
  sourceTsMs: 1_736_937_000_000,
  columns: { name: `Product ${productId}`, price: '10.00', stockQuantity: 50 },
  lastUpdated: '2025-01-15T10:30:00.000Z',
  cdcTimestamp: 1_736_937_000_100,
  record: mskRecord({ topic: PRODUCTS_TOPIC, offset }),
  ...overrides,
});

export const productDeleted = (productId: number, offset: number): ProductDeleted => ({
  type: 'ProductDeleted',
  productId,
  position: positionAt(1000 + offset),
  sourceTsMs: 1_736_937_000_000,
  record: mskRecord({ topic: PRODUCTS_TOPIC, offset }),
});

export const orderItemCreated = (
  productId: number,
  offset: number,
  quantity = 1,
  partition = 0,
  lsn = 5000 + offset,
): OrderItemCreated => ({
  type: 'OrderItemCreated',
  productId,
  orderItemId: 5000 + offset,
  quantity,
  position: positionAt(lsn),
  snapshot: false,
  sourceTsMs: 1_736_937_000_000,
  record: mskRecord({ topic: ORDER_ITEMS_TOPIC, partition, offset }),
});
