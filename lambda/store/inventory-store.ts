import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import { type OrderLinesOptions, type OrderLinesResult, recordOrderLines } from './order-writes.js';
import type { Outcome } from './outcome.js';
import { deleteProduct, type UpsertGroupResult, upsertProductGroup } from './product-writes.js';
import type { StoreContext } from './store-context.js';

/** The tables as the batch processor sees them: idempotent, conditional writes in commit order. */
export interface InventoryStore {
  /** Consecutive upserts of one product, in delivery order, as one write (see upsert-group.ts). */
  upsertProductGroup(changes: readonly ProductUpserted[]): Promise<UpsertGroupResult>;
  deleteProduct(change: ProductDeleted): Promise<Outcome>;
  recordOrderLines(
    productId: number,
    items: readonly OrderItemCreated[],
    options?: OrderLinesOptions,
  ): Promise<OrderLinesResult>;
}

export const createInventoryStore = (context: StoreContext): InventoryStore => ({
  upsertProductGroup: (changes) => upsertProductGroup(context, changes),
  deleteProduct: (change) => deleteProduct(context, change),
  recordOrderLines: (productId, items, options) => recordOrderLines(context, productId, items, options),
});
