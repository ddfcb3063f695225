import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import type { Outcome } from './outcome.js';
import { deleteProduct, type UpsertGroupResult, upsertProductGroup } from './product-writes.js';
import { decrementStock, type StockDecrementResult } from './stock-writes.js';

/** The table as the batch processor sees it: idempotent, conditional writes. */
export interface InventoryStore {
  /** Consecutive upserts of one product, in delivery order, as one write (see upsert-group.ts). */
  upsertProductGroup(changes: readonly ProductUpserted[]): Promise<UpsertGroupResult>;
  deleteProduct(change: ProductDeleted): Promise<Outcome>;
  decrementStock(productId: number, items: readonly OrderItemCreated[]): Promise<StockDecrementResult>;
}

export const createInventoryStore = (client: DynamoDBClient, tableName: string): InventoryStore => ({
  upsertProductGroup: (changes) => upsertProductGroup(client, tableName, changes),
  deleteProduct: (change) => deleteProduct(client, tableName, change),
  decrementStock: (productId, items) => decrementStock(client, tableName, productId, items),
});
