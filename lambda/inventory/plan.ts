import type { InventoryChange, OrderItemCreated, ProductDeleted, ProductUpserted } from './changes.js';
import { orderLineEffects } from './order-line-effects.js';

export type WriteStep =
  /** Consecutive upserts of one product, in delivery order: one conditional write (see upsert-group.ts). */
  | { readonly kind: 'upsert'; readonly changes: readonly ProductUpserted[] }
  | { readonly kind: 'delete'; readonly change: ProductDeleted }
  /** Consecutive order lines of one product, from any partitions: one transaction per 98 lines. */
  | { readonly kind: 'orders'; readonly items: readonly OrderItemCreated[] };

/** The writes for one product, to be issued strictly in order. */
export interface ProductPlan {
  readonly productId: number;
  readonly steps: readonly WriteStep[];
}

export interface BatchPlan {
  readonly products: readonly ProductPlan[];
  /** The same change twice in one event (redelivered or re-emitted): applied once, counted as a duplicate. */
  readonly inBatchDuplicates: readonly InventoryChange[];
}

/**
 * A change's identity: its table, its row's key and its source position; never its Kafka offset. An order
 * line's effect also names its product: a line moved between products is one change with two effects.
 */
export const changeIdentity = (change: InventoryChange): string =>
  change.type === 'OrderItemCreated'
    ? `o\u0000${change.orderItemId}\u0000${change.position}\u0000${change.productId}`
    : `p\u0000${change.productId}\u0000${change.position}`;

type OpenStep =
  | { readonly kind: 'upsert'; readonly changes: ProductUpserted[] }
  | { readonly kind: 'delete'; readonly change: ProductDeleted }
  | { readonly kind: 'orders'; readonly items: OrderItemCreated[] };

/**
 * Consecutive upserts fold into one write: later columns win and the newest position is stored.
 * Consecutive order lines fold into one transaction: each keeps its own ledger entry and their sum commutes.
 * A delete always stands alone and ends the group before it.
 */
const appendStep = (steps: OpenStep[], change: InventoryChange): void => {
  const last = steps.at(-1);
  // Appending in place keeps planning linear for a hot product with thousands of order items.
  if (change.type === 'ProductDeleted') steps.push({ kind: 'delete', change });
  else if (change.type === 'ProductUpserted') {
    if (last?.kind === 'upsert') last.changes.push(change);
    else steps.push({ kind: 'upsert', changes: [change] });
  } else if (last?.kind === 'orders') last.items.push(change);
  else steps.push({ kind: 'orders', items: [change] });
};

/**
 * Pure: groups a batch's changes by product, keeping each product's delivery order, so that products can
 * be written concurrently while one product's writes stay sequential.
 */
export const planWrites = (changes: readonly InventoryChange[]): BatchPlan => {
  const seen = new Set<string>();
  const inBatchDuplicates: InventoryChange[] = [];
  const stepsByProduct = new Map<number, OpenStep[]>();
  for (const change of changes.flatMap(orderLineEffects)) {
    const id = changeIdentity(change);
    if (seen.has(id)) {
      inBatchDuplicates.push(change);
      continue;
    }
    seen.add(id);
    let steps = stepsByProduct.get(change.productId);
    if (steps === undefined) {
      steps = [];
      stepsByProduct.set(change.productId, steps);
    }
    appendStep(steps, change);
  }
  return {
    products: [...stepsByProduct].map(([productId, steps]) => ({ productId, steps })),
    inBatchDuplicates,
  };
};

export const recordsOfStep = (step: WriteStep): readonly InventoryChange[] => {
  if (step.kind === 'orders') return step.items;
  return step.kind === 'upsert' ? step.changes : [step.change];
};

/**
 * One step per change, in order: the fallback when DynamoDB rejects a folded write as invalid (e.g. an
 * item over 400 KB), so that only the records that cannot be applied end up dead-lettered.
 */
export const splitStep = (step: WriteStep): WriteStep[] => {
  if (step.kind === 'orders') return step.items.map((item) => ({ kind: 'orders', items: [item] }));
  if (step.kind === 'upsert') return step.changes.map((change) => ({ kind: 'upsert', changes: [change] }));
  return [step];
};
