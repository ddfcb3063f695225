import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../../lambda/inventory/changes.js';
import type { DeadLetter, DeadLetterStore } from '../../lambda/store/dead-letter.js';
import { deadLetterKey } from '../../lambda/store/dead-letter.js';
import type { InventoryStore } from '../../lambda/store/inventory-store.js';
import { Outcome } from '../../lambda/store/outcome.js';

/**
 * Stores that keep everything in memory, for running BatchProcessor thousands of times in a fuzz test.
 * They follow the real stores' contracts (dead letters serialised as JSON, order lines of unknown products pending)
 * without their I/O, so only the decode-and-route path is under test.
 */
export const inMemoryStores = () => {
  const products = new Map<number, { stock: number }>();
  const letters = new Map<string, DeadLetter>();
  const writes: string[] = [];
  const store: InventoryStore = {
    async upsertProductGroup(changes: readonly ProductUpserted[]) {
      for (const change of changes) {
        writes.push(`upsert ${change.productId}`);
        products.set(change.productId, { stock: change.columns.stockQuantity ?? 0 });
      }
      return { applied: changes, duplicates: [], stale: [] };
    },
    async deleteProduct(change: ProductDeleted) {
      writes.push(`delete ${change.productId}`);
      return products.delete(change.productId) ? Outcome.APPLIED : Outcome.ALREADY_ABSENT;
    },
    async recordOrderLines(productId: number, items: readonly OrderItemCreated[]) {
      writes.push(`orders ${productId}`);
      const product = products.get(productId);
      if (product === undefined) return { applied: [], inCount: [], pending: items, duplicates: [] };
      product.stock -= items.reduce((sum, item) => sum + item.quantity, 0);
      return { applied: items, inCount: [], pending: [], duplicates: [] };
    },
    async truncateProducts() {
      writes.push('truncate');
      const removed = products.size;
      products.clear();
      return { removed, kept: 0 };
    },
    async readStocks(productIds: readonly number[]) {
      writes.push(`read ${productIds.join(',')}`);
      return new Map(productIds.map((id) => [id, { stock: products.get(id)?.stock, name: undefined }]));
    },
  };
  const deadLetters: DeadLetterStore = {
    async put(letter) {
      const key = deadLetterKey(letter.record);
      letters.set(key, JSON.parse(JSON.stringify(letter)) as DeadLetter);
      return key;
    },
  };
  return { store, deadLetters, products, letters, writes };
};
