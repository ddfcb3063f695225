import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProductColumns, ProductUpserted } from '../../../lambda/inventory/changes.js';
import { positionKey } from '../../../lambda/inventory/position.js';
import { mergeColumns, planUpsertGroup } from '../../../lambda/inventory/upsert-group.js';
import { productUpserted } from '../support/changes.js';

const at = (lsn: number): string => positionKey({ lsn, sourceTsMs: 1_736_937_000_000 }, 0);

const upsertAt = (lsn: number, offset: number, columns: ProductColumns): ProductUpserted =>
  productUpserted(1, offset, {
    position: at(lsn),
    columns,
    lastUpdated: new Date(1_736_937_000_000 + lsn).toISOString(),
    cdcTimestamp: 1_736_937_000_000 + lsn,
  });

interface ModelItem {
  readonly position: string | undefined;
  readonly columns: ProductColumns;
  readonly lastUpdated: string | undefined;
}

/** What the per-change guard does, one upsert at a time: the reference the fold must match. */
const applyOneByOne = (item: ModelItem, changes: readonly ProductUpserted[]): ModelItem =>
  changes.reduce<ModelItem>(
    (current, change) =>
      current.position === undefined || current.position < change.position
        ? {
            position: change.position,
            columns: mergeColumns(current.columns, change.columns),
            lastUpdated: change.lastUpdated,
          }
        : current,
    item,
  );

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

describe('planUpsertGroup', () => {
  it('folds a run into one upsert at the newest position, guarded by the lowest', () => {
    // Prepare
    const first = upsertAt(10, 1, { name: 'Laptop', description: 'fast', price: '10.00', stockQuantity: 5 });
    const second = upsertAt(20, 2, { name: 'Laptop Pro', stockQuantity: 4 });
    const third = upsertAt(30, 3, { price: '11.50', stockQuantity: 0 });

    // Act
    const plan = planUpsertGroup([first, second, third]);

    // Assess
    expect(plan.applied).toEqual([first, second, third]);
    expect(plan.duplicates).toEqual([]);
    expect(plan.stale).toEqual([]);
    expect(plan.guard).toBe(at(10));
    expect(plan.merged).toEqual({
      ...third,
      columns: { name: 'Laptop Pro', description: 'fast', price: '11.50', stockQuantity: 0 },
    });
  });

  it('re-plans from a stored position: older changes are stale, the stored one a duplicate', () => {
    // Prepare
    const changes = [upsertAt(10, 1, { name: 'A' }), upsertAt(20, 2, { name: 'B' }), upsertAt(30, 3, {})];

    // Act
    const plan = planUpsertGroup(changes, at(20));

    // Assess
    expect(plan.stale).toEqual([changes[0]]);
    expect(plan.duplicates).toEqual([changes[1]]);
    expect(plan.applied).toEqual([changes[2]]);
    expect(plan.guard).toBe(at(30));
    expect(plan.merged?.columns).toEqual({});
  });

  it('skips re-emitted changes that arrive after newer ones, as the per-change guard would', () => {
    // Prepare: a connector restart re-emits LSN 10 and 20 at new offsets after LSN 30
    const changes = [
      upsertAt(10, 1, { name: 'A' }),
      upsertAt(20, 2, { name: 'B' }),
      upsertAt(30, 3, { name: 'C' }),
      upsertAt(10, 4, { name: 'A' }),
      upsertAt(30, 5, { name: 'C' }),
    ];

    // Act
    const plan = planUpsertGroup(changes);

    // Assess
    expect(plan.applied).toEqual(changes.slice(0, 3));
    expect(plan.stale).toEqual([changes[3]]);
    expect(plan.duplicates).toEqual([changes[4]]);
    expect(plan.merged?.columns.name).toBe('C');
  });

  it('has nothing to write when the item is already at or past every change', () => {
    // Prepare
    const changes = [upsertAt(10, 1, { name: 'A' }), upsertAt(20, 2, { name: 'B' })];

    // Act
    const plan = planUpsertGroup(changes, at(25));

    // Assess
    expect(plan.merged).toBeUndefined();
    expect(plan.guard).toBeUndefined();
    expect(plan.stale).toEqual(changes);
  });

  it('has the effect of applying the changes one by one, from any stored position', () => {
    const columnsArb: fc.Arbitrary<ProductColumns> = fc.record(
      {
        name: fc.constantFrom('A', 'B', 'C'),
        description: fc.constantFrom('x', 'y', null),
        price: fc.constantFrom('1.00', '2.50'),
        stockQuantity: fc.integer({ min: 0, max: 9 }),
      },
      { requiredKeys: [] },
    );
    const changesArb = fc.array(fc.record({ lsn: fc.integer({ min: 1, max: 12 }), columns: columnsArb }), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        changesArb,
        fc.option(fc.integer({ min: 0, max: 12 })),
        columnsArb,
        (specs, stored, old) => {
          // Prepare
          const changes = specs.map(({ lsn, columns }, index) => upsertAt(lsn, index, columns));
          const item: ModelItem = {
            position: stored === null ? undefined : at(stored),
            columns: old,
            lastUpdated: undefined,
          };

          // Act
          const plan = planUpsertGroup(changes, item.position);

          // Assess
          const expected = applyOneByOne(item, changes);
          const folded =
            plan.merged === undefined || plan.guard === undefined
              ? item
              : {
                  position: plan.merged.position,
                  columns: mergeColumns(item.columns, plan.merged.columns),
                  lastUpdated: plan.merged.lastUpdated,
                };
          expect(folded).toEqual(expected);
          expect(item.position === undefined || plan.guard === undefined || item.position < plan.guard).toBe(
            true,
          );
          expect(plan.applied.length + plan.duplicates.length + plan.stale.length).toBe(changes.length);
        },
      ),
    );
  });
});
