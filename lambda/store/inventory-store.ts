import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import type { Outcome } from './outcome.js';
import {
  deleteProduct,
  type UpsertGroupResult,
  upsertProduct,
  upsertProductGroup,
} from './product-writes.js';
import { decrementStock, type StockDecrementResult } from './stock-writes.js';

/** The table as the batch processor sees it: idempotent, conditional writes. */
export interface InventoryStore {
  upsertProduct(change: ProductUpserted): Promise<Outcome>;
  /**
   * Consecutive upserts of one product, in delivery order, as one write (see upsert-group.ts). Optional so
   * that a store that cannot fold (a test double) still works: it then gets the changes one at a time.
   */
  upsertProductGroup?(changes: readonly ProductUpserted[]): Promise<UpsertGroupResult>;
  deleteProduct(change: ProductDeleted): Promise<Outcome>;
  decrementStock(productId: number, items: readonly OrderItemCreated[]): Promise<StockDecrementResult>;
}

export const createInventoryStore = (client: DynamoDBClient, tableName: string): InventoryStore => ({
  upsertProduct: (change) => upsertProduct(client, tableName, change),
  upsertProductGroup: (changes) => upsertProductGroup(client, tableName, changes),
  deleteProduct: (change) => deleteProduct(client, tableName, change),
  decrementStock: (productId, items) => decrementStock(client, tableName, productId, items),
});
