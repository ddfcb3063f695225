import type { InventoryChange, OrderItemCreated, ProductDeleted, ProductUpserted } from './changes.js';

export type WriteStep =
  | { readonly kind: 'upsert'; readonly change: ProductUpserted }
  | { readonly kind: 'delete'; readonly change: ProductDeleted }
  | { readonly kind: 'decrement'; readonly items: readonly OrderItemCreated[] };

/** The writes for one product, to be issued strictly in order. */
export interface ProductPlan {
  readonly productId: number;
  readonly steps: readonly WriteStep[];
}

export interface BatchPlan {
  readonly products: readonly ProductPlan[];
  /** The same Kafka record delivered twice inside one event: applied once, counted as a duplicate. */
  readonly inBatchDuplicates: readonly InventoryChange[];
}

const recordId = ({ record }: InventoryChange): string =>
  `${record.topic}\u0000${record.partition}\u0000${record.offset}`;

const appendStep = (steps: WriteStep[], change: InventoryChange): void => {
  if (change.type === 'ProductUpserted') {
    steps.push({ kind: 'upsert', change });
    return;
  }
  if (change.type === 'ProductDeleted') {
    steps.push({ kind: 'delete', change });
    return;
  }
  const last = steps.at(-1);
  // Consecutive order items of one product fold into one write: their sum commutes, and each
  // partition's watermark advances to its highest offset.
  if (last?.kind === 'decrement') {
    steps[steps.length - 1] = { kind: 'decrement', items: [...last.items, change] };
  } else {
    steps.push({ kind: 'decrement', items: [change] });
  }
};

/**
 * Pure: groups a batch's changes by product, keeping each product's delivery order, so that products can
 * be written concurrently while one product's writes stay sequential.
 */
export const planWrites = (changes: readonly InventoryChange[]): BatchPlan => {
  const seen = new Set<string>();
  const inBatchDuplicates: InventoryChange[] = [];
  const stepsByProduct = new Map<number, WriteStep[]>();
  for (const change of changes) {
    const id = recordId(change);
    if (seen.has(id)) {
      inBatchDuplicates.push(change);
      continue;
    }
    seen.add(id);
    const steps = stepsByProduct.get(change.productId) ?? [];
    stepsByProduct.set(change.productId, steps);
    appendStep(steps, change);
  }
  return {
    products: [...stepsByProduct].map(([productId, steps]) => ({ productId, steps })),
    inBatchDuplicates,
  };
};

export const recordsOfStep = (step: WriteStep): readonly InventoryChange[] =>
  step.kind === 'decrement' ? step.items : [step.change];
