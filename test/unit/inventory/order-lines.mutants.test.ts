import { describe, expect, it } from 'vitest';
import type { OrderItemCreated } from '../../../lambda/inventory/changes.js';
import { planOrderLines } from '../../../lambda/inventory/order-lines.js';
import { ABSENT_PRODUCT, type StoredProduct } from '../../../lambda/inventory/stored-product.js';
import { orderItemCreated, positionAt } from '../support/changes.js';

// planOrderLines on its own (npm run mutate found it checked only through DynamoDB Local): which order lines
// subtract from the stock, which are already in a stock-take's count, and which wait for their product.

const stored = (stockPosition: string | undefined): StoredProduct => ({
  ...ABSENT_PRODUCT,
  exists: true,
  stock: 50,
  stockPosition,
});
const line = (lsn: number, quantity: number): OrderItemCreated => ({
  ...orderItemCreated(7, lsn, quantity, 0, lsn),
  orderItemId: lsn,
});
const ids = (items: readonly OrderItemCreated[]): number[] => items.map((item) => item.orderItemId);

describe('planOrderLines', () => {
  it('counts the lines at or after the stock position and keeps the earlier ones as already counted', () => {
    // Arrange: the stock was last set at LSN 20
    const items = [line(10, 1), line(20, 2), line(30, 4)];

    // Act
    const plan = planOrderLines(items, stored(positionAt(20)));

    // Assert
    expect(ids(plan.counted)).toEqual([20, 30]);
    expect(ids(plan.inCount)).toEqual([10]);
    expect(plan.pending).toEqual([]);
    expect(plan.quantity).toBe(6);
  });

  it('counts every line against an item without a stock position (written by the Python service)', () => {
    // Arrange
    const items = [line(10, 1), line(30, 4)];

    // Act
    const plan = planOrderLines(items, stored(undefined));

    // Assert
    expect(ids(plan.counted)).toEqual([10, 30]);
    expect(plan.inCount).toEqual([]);
    expect(plan.pending).toEqual([]);
    expect(plan.quantity).toBe(5);
  });

  it('keeps every line pending, subtracting nothing, while the product is not in the table', () => {
    // Arrange
    const items = [line(10, 1), line(30, 4)];

    // Act
    const plan = planOrderLines(items, ABSENT_PRODUCT);

    // Assert
    expect(ids(plan.pending)).toEqual([10, 30]);
    expect(plan.counted).toEqual([]);
    expect(plan.inCount).toEqual([]);
    expect(plan.quantity).toBe(0);
  });
});
