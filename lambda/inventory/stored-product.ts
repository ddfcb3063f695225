import type { PositionKey } from './changes.js';

/**
 * What the store knows about one product, read before planning its writes. Missing bookkeeping (an item
 * written by the Python inventory-service or by hand) reads as "nothing applied yet".
 */
export interface StoredProduct {
  /** The item is in the inventory table. */
  readonly exists: boolean;
  /** Position of the last products change applied to the item. */
  readonly position: PositionKey | undefined;
  /** `products.stock_quantity` of that change: the "previous version" the stock models compare with. */
  readonly sourceStock: number | undefined;
  /** The item's stock_quantity. */
  readonly stock: number | undefined;
  /** Position from which order lines count against `stock` (the last stock set, or the create). */
  readonly stockPosition: PositionKey | undefined;
  /** Position of the latest delete of this product id, kept in the ledger table for good. */
  readonly deletedAt: PositionKey | undefined;
}

export const ABSENT_PRODUCT: StoredProduct = {
  exists: false,
  position: undefined,
  sourceStock: undefined,
  stock: undefined,
  stockPosition: undefined,
  deletedAt: undefined,
};

/** The newest change the product reflects: its own position while it exists, else its delete's. */
export const reflectedPosition = (stored: StoredProduct): PositionKey | undefined =>
  stored.exists ? stored.position : stored.deletedAt;
