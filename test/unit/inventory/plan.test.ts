import { describe, expect, it } from 'vitest';
import { planWrites, recordsOfStep, splitStep, type WriteStep } from '../../../lambda/inventory/plan.js';
import { orderItemCreated, productDeleted, productUpserted } from '../support/changes.js';

const kinds = (steps: readonly WriteStep[]): string[] => steps.map((step) => step.kind);

describe('planWrites', () => {
  it('returns an empty plan for an empty batch', () => {
    // Prepare
    const changes: never[] = [];

    // Act
    const plan = planWrites(changes);

    // Assess
    expect(plan).toEqual({ products: [], inBatchDuplicates: [] });
  });

  it('groups changes by product in first-seen order, keeping each product’s delivery order', () => {
    // Prepare
    const upsert1 = productUpserted(1, 10);
    const upsert2 = productUpserted(2, 11);
    const delete1 = productDeleted(1, 12);
    const upsert3 = productUpserted(3, 13);
    const upsert2Again = productUpserted(2, 14);

    // Act
    const plan = planWrites([upsert1, upsert2, delete1, upsert3, upsert2Again]);

    // Assess
    expect(plan.products.map((product) => product.productId)).toEqual([1, 2, 3]);
    expect(plan.products[0]?.steps).toEqual([
      { kind: 'upsert', changes: [upsert1] },
      { kind: 'delete', change: delete1 },
    ]);
    expect(plan.products[1]?.steps).toEqual([{ kind: 'upsert', changes: [upsert2, upsert2Again] }]);
    expect(plan.products[2]?.steps).toEqual([{ kind: 'upsert', changes: [upsert3] }]);
    expect(plan.inBatchDuplicates).toEqual([]);
  });

  it('folds consecutive decrements of one product into one step, in order', () => {
    // Prepare
    const first = orderItemCreated(1, 100, 2);
    const second = orderItemCreated(1, 101, 3);
    const third = orderItemCreated(1, 102, 1);

    // Act
    const plan = planWrites([first, second, third]);

    // Assess
    expect(plan.products).toEqual([
      { productId: 1, steps: [{ kind: 'orders', items: [first, second, third] }] },
    ]);
  });

  it('folds decrements of one product across other products’ changes in between', () => {
    // Prepare
    const a = orderItemCreated(1, 100, 2);
    const other = orderItemCreated(2, 101, 5);
    const b = orderItemCreated(1, 102, 4);

    // Act
    const plan = planWrites([a, other, b]);

    // Assess
    expect(plan.products).toEqual([
      { productId: 1, steps: [{ kind: 'orders', items: [a, b] }] },
      { productId: 2, steps: [{ kind: 'orders', items: [other] }] },
    ]);
  });

  it('folds decrements from different partitions of one product', () => {
    // Prepare
    const p0 = orderItemCreated(1, 100, 2, 0, 7_100);
    const p1 = { ...orderItemCreated(1, 100, 3, 1, 7_101), orderItemId: 6_101 };

    // Act
    const plan = planWrites([p0, p1]);

    // Assess
    expect(plan.products[0]?.steps).toEqual([{ kind: 'orders', items: [p0, p1] }]);
    expect(plan.inBatchDuplicates).toEqual([]);
  });

  it('folds consecutive upserts of one product into one step, across other products in between', () => {
    // Prepare
    const first = productUpserted(1, 10);
    const other = productUpserted(2, 11);
    const second = productUpserted(1, 12);
    const third = productUpserted(1, 13);

    // Act
    const plan = planWrites([first, other, second, third]);

    // Assess
    expect(plan.products).toEqual([
      { productId: 1, steps: [{ kind: 'upsert', changes: [first, second, third] }] },
      { productId: 2, steps: [{ kind: 'upsert', changes: [other] }] },
    ]);
  });

  it('lets a delete end a group of upserts and stand alone', () => {
    // Prepare
    const upsertA = productUpserted(1, 10);
    const upsertB = productUpserted(1, 11);
    const deletion = productDeleted(1, 12);
    const upsertC = productUpserted(1, 13);

    // Act
    const plan = planWrites([upsertA, upsertB, deletion, upsertC]);

    // Assess
    expect(plan.products[0]?.steps).toEqual([
      { kind: 'upsert', changes: [upsertA, upsertB] },
      { kind: 'delete', change: deletion },
      { kind: 'upsert', changes: [upsertC] },
    ]);
  });

  it('keeps an upsert and the order items after it as separate steps', () => {
    // Prepare
    const upsert = productUpserted(1, 10);
    const order = orderItemCreated(1, 200, 2);
    const upsertAgain = productUpserted(1, 11);

    // Act
    const plan = planWrites([upsert, order, upsertAgain]);

    // Assess
    expect(kinds(plan.products[0]?.steps ?? [])).toEqual(['upsert', 'orders', 'upsert']);
  });

  it('lets an upsert break a run of decrements', () => {
    // Prepare
    const before = orderItemCreated(1, 200, 1);
    const upsert = productUpserted(1, 5);
    const after1 = orderItemCreated(1, 201, 2);
    const after2 = orderItemCreated(1, 202, 3);

    // Act
    const plan = planWrites([before, upsert, after1, after2]);

    // Assess
    const steps = plan.products[0]?.steps ?? [];
    expect(kinds(steps)).toEqual(['orders', 'upsert', 'orders']);
    expect(steps[0]).toEqual({ kind: 'orders', items: [before] });
    expect(steps[1]).toEqual({ kind: 'upsert', changes: [upsert] });
    expect(steps[2]).toEqual({ kind: 'orders', items: [after1, after2] });
  });

  it('lets a delete break a run of decrements', () => {
    // Prepare
    const before = orderItemCreated(1, 200, 1);
    const deletion = productDeleted(1, 6);
    const after = orderItemCreated(1, 201, 2);

    // Act
    const plan = planWrites([before, deletion, after]);

    // Assess
    expect(plan.products[0]?.steps).toEqual([
      { kind: 'orders', items: [before] },
      { kind: 'delete', change: deletion },
      { kind: 'orders', items: [after] },
    ]);
  });

  it('applies a record delivered twice in one batch once and reports the copy once', () => {
    // Prepare
    const original = orderItemCreated(1, 300, 4);
    const copy = orderItemCreated(1, 300, 4);
    const next = orderItemCreated(1, 301, 1);

    // Act
    const plan = planWrites([original, next, copy]);

    // Assess
    expect(plan.products).toEqual([{ productId: 1, steps: [{ kind: 'orders', items: [original, next] }] }]);
    expect(plan.inBatchDuplicates).toEqual([copy]);
    expect(plan.inBatchDuplicates[0]).toBe(copy);
  });

  it('reports each extra copy of a product change as a duplicate', () => {
    // Prepare
    const original = productUpserted(7, 40);
    const copies = [productUpserted(7, 40), productUpserted(7, 40)];

    // Act
    const plan = planWrites([original, ...copies]);

    // Assess
    expect(plan.products).toEqual([{ productId: 7, steps: [{ kind: 'upsert', changes: [original] }] }]);
    expect(plan.inBatchDuplicates).toHaveLength(2);
    expect(plan.inBatchDuplicates[0]).toBe(copies[0]);
    expect(plan.inBatchDuplicates[1]).toBe(copies[1]);
  });

  it('does not mistake the same offset on another partition or topic for a duplicate', () => {
    // Prepare: different changes that happen to share an offset
    const orderItem = orderItemCreated(1, 50, 1, 0, 7_001);
    const otherPartition = { ...orderItemCreated(1, 50, 1, 2, 7_002), orderItemId: 9_999 };
    const product = productUpserted(1, 50);

    // Act
    const plan = planWrites([orderItem, otherPartition, product]);

    // Assess
    expect(plan.inBatchDuplicates).toEqual([]);
    expect(plan.products[0]?.steps).toEqual([
      { kind: 'orders', items: [orderItem, otherPartition] },
      { kind: 'upsert', changes: [product] },
    ]);
  });

  it('recognises a change re-sent at another offset and partition as the same change', () => {
    // Prepare: the connector re-emitted the order line after a restart: same key, same position
    const original = orderItemCreated(1, 50, 3, 0, 7_001);
    const reemitted = { ...original, record: { ...original.record, partition: 1, offset: 900 } };

    // Act
    const plan = planWrites([original, reemitted]);

    // Assess
    expect(plan.inBatchDuplicates).toEqual([reemitted]);
  });
});

describe('recordsOfStep', () => {
  it('returns the items of a decrement and the change of an upsert or delete', () => {
    // Prepare
    const items = [orderItemCreated(1, 1), orderItemCreated(1, 2)];
    const upsert = productUpserted(1, 3);
    const deletion = productDeleted(1, 4);

    // Act
    const fromDecrement = recordsOfStep({ kind: 'orders', items });
    const fromUpsert = recordsOfStep({ kind: 'upsert', changes: [upsert] });
    const fromDelete = recordsOfStep({ kind: 'delete', change: deletion });

    // Assess
    expect(fromDecrement).toEqual(items);
    expect(fromUpsert).toEqual([upsert]);
    expect(fromDelete).toEqual([deletion]);
  });
});

describe('splitStep', () => {
  it('splits a folded step into one step per change, in order, and leaves a delete alone', () => {
    // Prepare
    const items = [orderItemCreated(1, 1), orderItemCreated(1, 2, 1, 3)];
    const upserts = [productUpserted(1, 3), productUpserted(1, 4)];
    const deletion = productDeleted(1, 5);

    // Act
    const decrements = splitStep({ kind: 'orders', items });
    const upsertSteps = splitStep({ kind: 'upsert', changes: upserts });
    const deleteSteps = splitStep({ kind: 'delete', change: deletion });

    // Assess
    expect(decrements).toEqual([
      { kind: 'orders', items: [items[0]] },
      { kind: 'orders', items: [items[1]] },
    ]);
    expect(upsertSteps).toEqual([
      { kind: 'upsert', changes: [upserts[0]] },
      { kind: 'upsert', changes: [upserts[1]] },
    ]);
    expect(deleteSteps).toEqual([{ kind: 'delete', change: deletion }]);
  });
});
