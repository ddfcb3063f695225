import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProductColumns, ProductUpserted } from '../../../lambda/inventory/changes.js';
import { STOCK_MODELS, StockModel } from '../../../lambda/inventory/stock-model.js';
import { ABSENT_PRODUCT, type StoredProduct } from '../../../lambda/inventory/stored-product.js';
import { mergeColumns, planUpsertGroup, type StockEffect } from '../../../lambda/inventory/upsert-group.js';
import { positionAt, productUpserted } from '../support/changes.js';

const upsertAt = (lsn: number, columns: ProductColumns, snapshot = false): ProductUpserted =>
  productUpserted(1, lsn, { position: positionAt(lsn), columns, snapshot });

const existing = (overrides: Partial<StoredProduct> = {}): StoredProduct => ({
  exists: true,
  position: positionAt(5),
  sourceStock: 100,
  stock: 90,
  stockPosition: positionAt(5),
  deletedAt: undefined,
  ...overrides,
});

describe('mergeColumns', () => {
  it('lets later values win, keeps columns the later change does not carry, and keeps a null clear', () => {
    // Prepare
    const earlier: ProductColumns = { name: 'Laptop', description: 'fast', price: '10.00', stockQuantity: 5 };
    const later: ProductColumns = { price: '12.00', description: null };

    // Act
    const merged = mergeColumns(earlier, later);

    // Assess
    expect(merged).toEqual({ name: 'Laptop', description: null, price: '12.00', stockQuantity: 5 });
  });
});

describe('planUpsertGroup, positions', () => {
  it('folds a run into one upsert at the newest position with the columns merged', () => {
    // Prepare
    const changes = [
      upsertAt(10, { name: 'Laptop', description: 'fast', price: '10.00', stockQuantity: 5 }),
      upsertAt(20, { name: 'Laptop Pro', stockQuantity: 4 }),
      upsertAt(30, { price: '11.50', stockQuantity: 0 }),
    ];

    // Act
    const plan = planUpsertGroup(changes, ABSENT_PRODUCT, StockModel.PRODUCTS);

    // Assess
    expect(plan.applied).toEqual(changes);
    expect(plan.merged?.position).toBe(positionAt(30));
    expect(plan.merged?.columns).toEqual({
      name: 'Laptop Pro',
      description: 'fast',
      price: '11.50',
      stockQuantity: 0,
    });
    expect(plan.stock).toEqual({ kind: 'set', value: 0 });
  });

  it('skips the stored change as a duplicate and older ones as stale, whatever their delivery order', () => {
    // Prepare: the stored change (5) again, a new one, then a re-sent older one after it
    const changes = [
      upsertAt(5, { price: '5.00' }),
      upsertAt(8, { price: '8.00' }),
      upsertAt(3, { price: '3.00' }),
    ];

    // Act
    const plan = planUpsertGroup(changes, existing(), StockModel.ORDERS);

    // Assess
    expect(plan.applied.map((change) => change.position)).toEqual([positionAt(8)]);
    expect(plan.duplicates.map((change) => change.position)).toEqual([positionAt(5)]);
    expect(plan.stale.map((change) => change.position)).toEqual([positionAt(3)]);
  });

  it('treats everything older than the last delete as stale while the product is absent', () => {
    // Prepare
    const stored = { ...ABSENT_PRODUCT, deletedAt: positionAt(50) };

    // Act
    const plan = planUpsertGroup(
      [upsertAt(40, { name: 'x', price: '1.00', stockQuantity: 1 })],
      stored,
      StockModel.ORDERS,
    );

    // Assess
    expect(plan.merged).toBeUndefined();
    expect(plan.stale).toHaveLength(1);
  });
});

describe('planUpsertGroup, stock models', () => {
  it('orders: a price edit that re-sends the same count keeps the stock', () => {
    const plan = planUpsertGroup(
      [upsertAt(10, { price: '9.00', stockQuantity: 100 })],
      existing(),
      StockModel.ORDERS,
    );
    expect(plan.stock).toEqual({ kind: 'keep' });
  });

  it('orders: a changed count resets the stock at its position', () => {
    const plan = planUpsertGroup([upsertAt(10, { stockQuantity: 80 })], existing(), StockModel.ORDERS);
    expect(plan.stock).toEqual({ kind: 'reset', value: 80, from: positionAt(10) });
  });

  it('orders: a snapshot row on a known item is compared like any version, not taken as a new count', () => {
    const plan = planUpsertGroup([upsertAt(10, { stockQuantity: 100 }, true)], existing(), StockModel.ORDERS);
    expect(plan.stock).toEqual({ kind: 'keep' });
  });

  it('orders and ledger: an item without our bookkeeping (Python inventory-service) starts from the change', () => {
    for (const model of [StockModel.ORDERS, StockModel.LEDGER]) {
      const plan = planUpsertGroup(
        [upsertAt(10, { stockQuantity: 70 })],
        existing({ sourceStock: undefined }),
        model,
      );
      expect(plan.stock).toEqual({ kind: 'reset', value: 70, from: positionAt(10) });
    }
  });

  it('ledger: moves the stock by the received difference', () => {
    const plan = planUpsertGroup(
      [
        upsertAt(10, { stockQuantity: 130 }),
        upsertAt(11, { price: '2.00' }),
        upsertAt(12, { stockQuantity: 125 }),
      ],
      existing(),
      StockModel.LEDGER,
    );
    expect(plan.stock).toEqual({ kind: 'move', delta: 25 });
    expect(plan.sourceStock).toBe(125);
  });

  it('ledger: a create followed by receipts in one run is one reset with the receipts added', () => {
    const plan = planUpsertGroup(
      [upsertAt(10, { name: 'n', price: '1.00', stockQuantity: 10 }), upsertAt(12, { stockQuantity: 15 })],
      ABSENT_PRODUCT,
      StockModel.LEDGER,
    );
    expect(plan.stock).toEqual({ kind: 'reset', value: 15, from: positionAt(10) });
  });

  it('a change without stock_quantity (partial) leaves the stock and the previous version alone', () => {
    for (const model of STOCK_MODELS) {
      const plan = planUpsertGroup([upsertAt(10, { price: '3.00' })], existing(), model);
      expect(plan.stock).toEqual({ kind: 'keep' });
      expect(plan.sourceStock).toBe(100);
    }
  });
});

/** The stock an effect leaves, given the stored stock and what the ledger holds from a position on. */
const applyEffect = (
  stock: number,
  effect: StockEffect,
  ledgerFrom: (position: string) => number,
): number => {
  if (effect.kind === 'keep') return stock;
  if (effect.kind === 'set') return effect.value;
  if (effect.kind === 'move') return stock + effect.delta;
  return effect.value - ledgerFrom(effect.from);
};

interface SerialState {
  stock: number;
  sourceStock: number | undefined;
  known: boolean;
}

/** The contract's stock models, one change at a time: the reference the fold must match. */
const applySerially = (
  model: StockModel,
  state: SerialState,
  changes: readonly ProductUpserted[],
  ledgerFrom: (position: string) => number,
): SerialState =>
  changes.reduce<SerialState>((current, change) => {
    const value = change.columns.stockQuantity;
    if (value === undefined) return current;
    if (model === StockModel.PRODUCTS) return { stock: value, sourceStock: value, known: true };
    if (!current.known || current.sourceStock === undefined) {
      return { stock: value - ledgerFrom(change.position), sourceStock: value, known: true };
    }
    if (model === StockModel.ORDERS) {
      const stock = value === current.sourceStock ? current.stock : value - ledgerFrom(change.position);
      return { stock, sourceStock: value, known: true };
    }
    return { stock: current.stock + value - current.sourceStock, sourceStock: value, known: true };
  }, state);

describe('planUpsertGroup, folding', () => {
  it('has the stock effect of applying the changes one by one in commit order, in every model', () => {
    const change = fc.record({
      lsn: fc.integer({ min: 6, max: 60 }),
      stock: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...STOCK_MODELS),
        fc.uniqueArray(change, { selector: (c) => c.lsn, minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (model, specs, known) => {
          // Prepare: changes in commit order (one partition delivers them so)
          const changes = [...specs]
            .sort((a, b) => a.lsn - b.lsn)
            .map((spec) => upsertAt(spec.lsn, spec.stock === undefined ? {} : { stockQuantity: spec.stock }));
          const stored = existing(known ? {} : { sourceStock: undefined });
          const ledgerFrom = (position: string) =>
            position.length + (position.charCodeAt(position.length - 1) % 7);

          // Act
          const plan = planUpsertGroup(changes, stored, model);

          // Assess
          const serial = applySerially(
            model,
            { stock: 90, sourceStock: stored.sourceStock, known },
            changes,
            ledgerFrom,
          );
          expect(applyEffect(90, plan.stock, ledgerFrom)).toBe(serial.stock);
          expect(plan.sourceStock).toBe(serial.sourceStock);
        },
      ),
    );
  });
});
