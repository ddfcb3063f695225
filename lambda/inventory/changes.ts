import type { KafkaRecord } from '../decode/kafka-event.js';

/**
 * Where a change sits in history, as a string that sorts like the tuple (LSN, source ms, Kafka offset).
 * Fixed-width digits make lexicographic order equal numeric order, so DynamoDB can compare it in a
 * condition expression.
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
  readonly columns: ProductColumns;
  readonly lastUpdated: string;
  readonly cdcTimestamp: number;
  readonly record: KafkaRecord;
}

export interface ProductDeleted {
  readonly type: 'ProductDeleted';
  readonly productId: number;
  readonly position: PositionKey;
  readonly record: KafkaRecord;
}

export interface OrderItemCreated {
  readonly type: 'OrderItemCreated';
  readonly productId: number;
  readonly orderItemId: number | undefined;
  readonly quantity: number;
  readonly record: KafkaRecord;
}

export type InventoryChange = ProductUpserted | ProductDeleted | OrderItemCreated;

export const SkipReason = {
  TOMBSTONE: 'TOMBSTONE',
  ROWLESS_OP: 'ROWLESS_OP',
  ORDER_ITEM_NOT_CREATE: 'ORDER_ITEM_NOT_CREATE',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** A record that is valid but has nothing to apply. */
export interface SkippedRecord {
  readonly type: 'Skipped';
  readonly reason: SkipReason;
  readonly detail: string;
  readonly record: KafkaRecord;
}
