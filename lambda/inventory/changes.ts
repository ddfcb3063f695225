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
  /** When the change committed at the source (ms), if the event says; used for the lag bound. */
  readonly sourceTsMs: number | undefined;
  readonly columns: ProductColumns;
  readonly lastUpdated: string;
  readonly cdcTimestamp: number;
  readonly record: KafkaRecord;
}

export interface ProductDeleted {
  readonly type: 'ProductDeleted';
  readonly productId: number;
  readonly position: PositionKey;
  readonly sourceTsMs: number | undefined;
  readonly record: KafkaRecord;
}

/** A new order line (`op: c`), or one read by a snapshot (`op: r`, counted only under the ledger model). */
export interface OrderItemCreated {
  readonly type: 'OrderItemCreated';
  readonly productId: number;
  /** The order line's primary key: with the position, its identity. */
  readonly orderItemId: number;
  readonly quantity: number;
  readonly position: PositionKey;
  readonly snapshot: boolean;
  readonly sourceTsMs: number | undefined;
  readonly record: KafkaRecord;
}

export type InventoryChange = ProductUpserted | ProductDeleted | OrderItemCreated;

export const SkipReason = {
  TOMBSTONE: 'TOMBSTONE',
  ROWLESS_OP: 'ROWLESS_OP',
  ORDER_ITEM_NOT_CREATE: 'ORDER_ITEM_NOT_CREATE',
  /** The stock model says this order line does not change stock (products model, or a snapshot row). */
  ORDER_LINE_NOT_COUNTED: 'ORDER_LINE_NOT_COUNTED',
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
