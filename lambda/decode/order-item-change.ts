import { ErrorCode, PoisonRecordError } from '../errors.js';
import { type OrderItemCreated, type SkippedRecord, SkipReason } from '../inventory/changes.js';
import { keyRow, preview, readId, requireId } from './columns.js';
import { Op, type RowChange } from './envelope.js';
import type { KafkaRecord } from './kafka-event.js';
import { changePosition } from './product-change.js';

const readQuantity = (row: RowChange['row']): number => {
  const quantity = row.quantity;
  if (quantity === undefined || quantity === null) {
    throw new PoisonRecordError(ErrorCode.MISSING_FIELD, "Column 'quantity' is missing");
  }
  if (!Number.isSafeInteger(quantity) || (quantity as number) <= 0) {
    throw new PoisonRecordError(
      ErrorCode.INVALID_QUANTITY,
      `Column 'quantity' must be a positive integer, got ${preview(quantity)}`,
    );
  }
  return quantity as number;
};

/**
 * Only new order lines (`c`) and snapshot rows (`r`) can take stock; which of them do is the stock model's
 * call (see stock-model.ts). Updates and deletes would need the old quantity, which default REPLICA
 * IDENTITY does not send, and restocks arrive as product changes.
 */
export const toOrderItemChange = (
  change: RowChange,
  record: KafkaRecord,
  epoch: number,
): OrderItemCreated | SkippedRecord => {
  if (change.opInferred) {
    // Without the op an unwrapped order line could be a new order or an edit: guessing either way would
    // lose or double stock, so the record is kept for replay and the cause named.
    throw new PoisonRecordError(
      ErrorCode.MISSING_FIELD,
      "Unwrapped order_items row has no '__op': configure ExtractNewRecordState with add.fields=op",
    );
  }
  if (change.op !== Op.CREATE && change.op !== Op.READ) {
    return {
      type: 'Skipped',
      reason: SkipReason.ORDER_ITEM_NOT_CREATE,
      detail: `order_items '${change.op}' does not change stock`,
      record,
    };
  }
  return {
    type: 'OrderItemCreated',
    productId: requireId(change.row, 'product_id'),
    orderItemId: readId(change.row, 'id') ?? requireId(keyRow(record.key), 'id'),
    quantity: readQuantity(change.row),
    position: changePosition(change, record, epoch),
    snapshot: change.op === Op.READ,
    sourceTsMs: change.position.sourceTsMs,
    record,
  };
};
