import type { OrderItemCreated, PositionKey } from './changes.js';
import type { StoredProduct } from './stored-product.js';

/** How a product's current stock treats a run of order lines (see SOURCE_SCHEMA.md, "Stock models"). */
export interface OrderLinesPlan {
  /** Committed at or after the stock's position: they subtract now. */
  readonly counted: readonly OrderItemCreated[];
  /** Committed before the last stock set: already in that count. */
  readonly inCount: readonly OrderItemCreated[];
  /** The product is not in the table: the ledger keeps them until it arrives. */
  readonly pending: readonly OrderItemCreated[];
  readonly quantity: number;
}

/** The ledger entry of an order line: its position then its key, which together are its identity. */
export const orderLineEntry = (item: Pick<OrderItemCreated, 'position' | 'orderItemId'>): string =>
  `O${item.position}#${item.orderItemId}`;

/** The lowest entry that belongs to changes at or after `position`. */
export const orderLineEntryFrom = (position: PositionKey): string => `O${position}`;

const sumOf = (items: readonly OrderItemCreated[]): number =>
  items.reduce((sum, item) => sum + item.quantity, 0);

/**
 * Pure: the common case, planned without reading: every line subtracts. The write's own condition checks
 * that this holds (the product exists, no count was set after the oldest line); when it does not, the
 * refused condition returns the item and planOrderLines decides from that.
 */
export const assumeCounted = (items: readonly OrderItemCreated[]): OrderLinesPlan => ({
  counted: items,
  inCount: [],
  pending: [],
  quantity: sumOf(items),
});

/**
 * Pure: which order lines subtract from the stock the product holds. Order lines committed before the
 * stock's position are in that count already; without a stock position (an item without our bookkeeping)
 * every order line counts, as the Python inventory-service counted them.
 */
export const planOrderLines = (items: readonly OrderItemCreated[], stored: StoredProduct): OrderLinesPlan => {
  if (!stored.exists) return { counted: [], inCount: [], pending: items, quantity: 0 };
  const from = stored.stockPosition;
  const counted = from === undefined ? items : items.filter((item) => item.position >= from);
  const inCount = from === undefined ? [] : items.filter((item) => item.position < from);
  return {
    counted,
    inCount,
    pending: [],
    quantity: sumOf(counted),
  };
};
