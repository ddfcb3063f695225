import type { KafkaRecord } from '../decode/kafka-event.js';

/**
 * Where a change sits in the source's commit order (see position.ts): a string whose lexicographic order is
 * the commit order, so DynamoDB can compare it in a condition expression. With the table and the row's
 * key it is also the change's identity: a re-emitted copy at a new Kafka offset has the same position.
 */
export type PositionKey = string;

/** Product columns a change carries. An absent property means "not sent": the stored value is kept. */
export interface ProductColumns {
  readonly name?: string;
  /** null clears the description (the column is nullable). */
  readonly description?: string | null;
  /** Exact decimal string, e.g. "1299.99". */
  readonly price?: string;
  readonly stockQuantity?: number;
}

export interface ProductUpserted {
  readonly type: 'ProductUpserted';
  readonly productId: number;
  readonly position: PositionKey;
  /** A snapshot row (`op: r`): the row's state at the snapshot point. */
  readonly snapshot: boolean;
  /**
   * An insert (`op: c`): the row did not exist before it, so its stock_quantity is a new count whatever an
   * item still holds (one left from before a TRUNCATE the table has not applied yet, or an id reused).
   */
  readonly created?: boolean;
  /**
   * The create half of a primary-key change (header `__debezium.oldkey`): the row had this id before.
   * Columns it carries as the TOAST placeholder take the old key's values.
   */
  readonly oldProductId?: number;
  /** When the change committed at the source (ms), if the event says; used for the lag bound. */
  readonly sourceTsMs: number | undefined;
  readonly columns: ProductColumns;
  readonly lastUpdated: string;
  readonly cdcTimestamp: number;
  readonly record: KafkaRecord;
}

/**
 * `TRUNCATE products`: every product committed before it is gone, final like a delete (nothing older brings
 * one back; a later create does). It names no row: it applies to the whole table at its position.
 */
export interface ProductsTruncated {
  readonly type: 'ProductsTruncated';
  readonly position: PositionKey;
  readonly sourceTsMs: number | undefined;
  readonly record: KafkaRecord;
}

export interface ProductDeleted {
  readonly type: 'ProductDeleted';
  readonly productId: number;
  /** The delete half of a primary-key change (header `__debezium.newkey`): the row lives on under this id. */
  readonly newProductId?: number;
  readonly position: PositionKey;
  readonly sourceTsMs: number | undefined;
  readonly record: KafkaRecord;
}

/** How an order line changed: the stock moves by what it takes now minus what it took before. */
export const OrderLineEdit = {
  /** `op: u`: the quantity or the product changed. */
  UPDATE: 'update',
  /** `op: d`: the line is gone and gives its quantity back. */
  DELETE: 'delete',
} as const;
export type OrderLineEdit = (typeof OrderLineEdit)[keyof typeof OrderLineEdit];

/**
 * An order line's effect on one product's stock: a new line (`op: c`), one read by a snapshot (`op: r`,
 * counted only under the ledger model), or an edit or removal of one (`edit`).
 */
export interface OrderItemCreated {
  readonly type: 'OrderItemCreated';
  readonly productId: number;
  /** The order line's primary key: with the position (and the product), its identity. */
  readonly orderItemId: number;
  /**
   * Units this change takes from the product's stock: the line's quantity for a new line; for an edit the
   * new quantity minus the old (negative when it gives stock back), for a removal minus the old quantity.
   */
  readonly quantity: number;
  readonly edit?: OrderLineEdit;
  /**
   * An update without a before image (default REPLICA IDENTITY), or a snapshot row under `ledger`: the old
   * quantity is recalled from the ledger's entries of this line, and `quantity` is then the line's quantity
   * as of this change, not yet a difference.
   */
  readonly recallOld?: true;
  /**
   * The line's `product_id` changed (known from a before image): the old product gets `quantity` back.
   * Planning splits this into one change per product (order-line-effects.ts).
   */
  readonly movedFrom?: { readonly productId: number; readonly quantity: number };
  /** The second half of a split change: its record is counted once, with the first. */
  readonly sharesRecord?: true;
  readonly position: PositionKey;
  readonly snapshot: boolean;
  readonly sourceTsMs: number | undefined;
  readonly record: KafkaRecord;
}

export type InventoryChange = ProductUpserted | ProductDeleted | OrderItemCreated;

export const SkipReason = {
  TOMBSTONE: 'TOMBSTONE',
  ROWLESS_OP: 'ROWLESS_OP',
  /** The stock model says this order line does not change stock (products model, or a snapshot row). */
  ORDER_LINE_NOT_COUNTED: 'ORDER_LINE_NOT_COUNTED',
  /** An edit that leaves the line's product and quantity as they were (a unit price edit). */
  ORDER_LINE_UNCHANGED: 'ORDER_LINE_UNCHANGED',
  /**
   * A removal without a before image (default REPLICA IDENTITY): neither the product nor the quantity is
   * known, so the stock cannot be given back. Counted and logged; `npm run reconcile` finds the product.
   */
  ORDER_LINE_REMOVAL_UNKNOWN: 'ORDER_LINE_REMOVAL_UNKNOWN',
  /**
   * TRUNCATE of order_items: which lines it removed, and so their quantities, is not in the event; no stock
   * model can give them back. Counted and logged at WARN; reconcile shows the products to repair.
   */
  ORDER_ITEMS_TRUNCATED: 'ORDER_ITEMS_TRUNCATED',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** A record that is valid but has nothing to apply. */
export interface SkippedRecord {
  readonly type: 'Skipped';
  readonly reason: SkipReason;
  readonly detail: string;
  readonly record: KafkaRecord;
  /** The change's commit position, when a skip is worth reporting where it happened (a TRUNCATE). */
  readonly position?: PositionKey;
}
