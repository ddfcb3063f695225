import type {
  OrderItemCreated,
  ProductDeleted,
  ProductsTruncated,
  ProductUpserted,
} from '../inventory/changes.js';
import { type OrderLinesOptions, type OrderLinesResult, recordOrderLines } from './order-writes.js';
import type { Outcome } from './outcome.js';
import { deleteProduct, type UpsertGroupResult, upsertProductGroup } from './product-writes.js';
import { readStocks, type StockReading } from './stock-reads.js';
import type { StoreContext } from './store-context.js';
import { type TruncateResult, truncateProducts } from './truncate-writes.js';

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
  /** `TRUNCATE products`: every product committed before it removed, for good. */
  truncateProducts(truncate: ProductsTruncated): Promise<TruncateResult>;
  /** Stock and name of products after this batch's writes (order lines return none), for low-stock alerts. */
  readStocks(productIds: readonly number[]): Promise<ReadonlyMap<number, StockReading>>;
}

export const createInventoryStore = (context: StoreContext): InventoryStore => ({
  upsertProductGroup: (changes) => upsertProductGroup(context, changes),
  deleteProduct: (change) => deleteProduct(context, change),
  recordOrderLines: (productId, items, options) => recordOrderLines(context, productId, items, options),
  readStocks: (productIds) => readStocks(context, productIds),
  truncateProducts: (truncate) => truncateProducts(context, truncate),
});
