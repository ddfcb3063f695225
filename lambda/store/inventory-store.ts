import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import type { Outcome } from './outcome.js';
import { deleteProduct, upsertProduct } from './product-writes.js';
import { decrementStock, type StockDecrementResult } from './stock-writes.js';

/** The table as the batch processor sees it: three idempotent, conditional writes. */
export interface InventoryStore {
  upsertProduct(change: ProductUpserted): Promise<Outcome>;
  deleteProduct(change: ProductDeleted): Promise<Outcome>;
  decrementStock(productId: number, items: readonly OrderItemCreated[]): Promise<StockDecrementResult>;
}

export const createInventoryStore = (client: DynamoDBClient, tableName: string): InventoryStore => ({
  upsertProduct: (change) => upsertProduct(client, tableName, change),
  deleteProduct: (change) => deleteProduct(client, tableName, change),
  decrementStock: (productId, items) => decrementStock(client, tableName, productId, items),
});
