import { describe, expect, it } from 'vitest';
import type { DatabaseProduct, TableItem } from '../../scripts/reconcile/compare.js';
import { snapshotOutcome } from '../../scripts/reconcile/snapshot-effect.js';

const row = (stockQuantity: number, ordered: number): DatabaseProduct => ({
  id: 1,
  name: 'Lamp',
  description: null,
  price: '1.00',
  stockQuantity,
  ordered,
});
const item = (stock: number, sourceStock?: number): TableItem => ({
  product_id: { N: '1' },
  stock_quantity: { N: String(stock) },
  ...(sourceStock === undefined ? {} : { source_stock: { N: String(sourceStock) } }),
});

describe('snapshotOutcome: what sending a products row again does to the stock', () => {
  it.each([
    [
      'products: the row is the stock',
      'products',
      row(10, 3),
      item(4),
      { effect: 'set', safe: true, truth: 10 },
    ],
    [
      'orders: same count, stock left as it is',
      'orders',
      row(10, 3),
      item(8, 10),
      { effect: 'keep', safe: true },
    ],
    [
      'orders: a count the item does not hold, with order lines: a new count would drop lines',
      'orders',
      row(10, 3),
      item(8, 12),
      { effect: 'reset', safe: false },
    ],
    [
      'orders: an item without source_stock, with order lines (the Python item)',
      'orders',
      row(10, 3),
      item(8),
      { effect: 'reset', safe: false },
    ],
    [
      'orders: a missing item without order lines',
      'orders',
      row(10, 0),
      undefined,
      { effect: 'reset', safe: true, truth: 10 },
    ],
    [
      'ledger: a missed receipt, the move lands on the exact stock',
      'ledger',
      row(15, 3),
      item(7, 10),
      { effect: 'move', safe: true, truth: 12 },
    ],
    [
      'ledger: a wrong source_stock on a right stock: the move would go away from the truth',
      'ledger',
      row(15, 3),
      item(12, 10),
      { effect: 'move', safe: false, truth: 12 },
    ],
    [
      'ledger: a missing item with order lines',
      'ledger',
      row(15, 3),
      undefined,
      { effect: 'reset', safe: false, truth: 12 },
    ],
  ] as const)('%s', (_label, model, databaseRow, tableItem, expected) => {
    // Act
    const outcome = snapshotOutcome(model, databaseRow, tableItem);

    // Assess
    expect(outcome).toEqual(expected);
  });
});
