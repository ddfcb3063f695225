import { ErrorCode, PoisonRecordError } from '../errors.js';
import {
  type OrderItemCreated,
  OrderLineEdit,
  type SkippedRecord,
  SkipReason,
} from '../inventory/changes.js';
import { keyRow, preview, readId, requireId } from './columns.js';
import { Op, type RowChange } from './envelope.js';
import type { KafkaRecord } from './kafka-event.js';
import { changePosition } from './product-change.js';

const isQuantity = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

const readQuantity = (row: RowChange['row']): number => {
  const quantity = row.quantity;
  if (quantity === undefined || quantity === null) {
    throw new PoisonRecordError(ErrorCode.MISSING_FIELD, "Column 'quantity' is missing");
  }
  if (!isQuantity(quantity)) {
    throw new PoisonRecordError(
      ErrorCode.INVALID_QUANTITY,
      `Column 'quantity' must be a positive integer, got ${preview(quantity)}`,
    );
  }
  return quantity;
};

/**
 * The old row's product and quantity, when the image is the whole row (`REPLICA IDENTITY FULL`). With the
 * default identity a delete's image holds the key and nulls, and an unwrapped delete placeholders (0 for a
 * NOT NULL integer): `quantity > 0` (the table's CHECK) tells a real image from those.
 */
const oldLine = (
  image: RowChange['row'] | undefined,
): { productId: number; quantity: number } | undefined => {
  if (image === undefined || !isQuantity(image.quantity)) return undefined;
  const productId = readId(image, 'product_id');
  return productId === undefined ? undefined : { productId, quantity: image.quantity };
};

const skipped = (record: KafkaRecord, reason: SkippedRecord['reason'], detail: string): SkippedRecord => ({
  type: 'Skipped',
  reason,
  detail,
  record,
});

const orderItemIdOf = (change: RowChange, record: KafkaRecord): number =>
  readId(change.row, 'id') ?? requireId(keyRow(record.key), 'id');

/**
 * An edit moves the stock by what the line takes now minus what it took (a removal gives it all back).
 * Exact with before images; an update without one recalls the old quantity from the ledger (the store does);
 * a removal without one names neither product nor quantity and is counted and logged.
 */
const toOrderLineEdit = (
  change: RowChange,
  record: KafkaRecord,
  common: Pick<OrderItemCreated, 'orderItemId' | 'position' | 'sourceTsMs' | 'record'>,
): OrderItemCreated | SkippedRecord => {
  const base = { type: 'OrderItemCreated', snapshot: false, ...common } as const;
  if (change.op === Op.DELETE) {
    const old = oldLine(change.row);
    if (old === undefined) {
      return skipped(
        record,
        SkipReason.ORDER_LINE_REMOVAL_UNKNOWN,
        `order line ${common.orderItemId} removed without a before image (set REPLICA IDENTITY FULL on order_items): its quantity is not given back`,
      );
    }
    return { ...base, productId: old.productId, quantity: -old.quantity, edit: OrderLineEdit.DELETE };
  }
  const productId = requireId(change.row, 'product_id');
  const quantity = readQuantity(change.row);
  const old = oldLine(change.before);
  if (old === undefined) return { ...base, productId, quantity, edit: OrderLineEdit.UPDATE, recallOld: true };
  if (old.productId !== productId) {
    return { ...base, productId, quantity, edit: OrderLineEdit.UPDATE, movedFrom: old };
  }
  if (old.quantity === quantity) {
    return skipped(
      record,
      SkipReason.ORDER_LINE_UNCHANGED,
      `order line ${common.orderItemId} kept its product and quantity`,
    );
  }
  return { ...base, productId, quantity: quantity - old.quantity, edit: OrderLineEdit.UPDATE };
};

/**
 * New order lines (`c`) and snapshot rows (`r`) take their quantity; edits (`u`) and removals (`d`) move
 * the stock by the difference. Which of them change stock is the stock model's call (see stock-model.ts).
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
  const common = {
    orderItemId: orderItemIdOf(change, record),
    position: changePosition(change, record, epoch),
    sourceTsMs: change.position.sourceTsMs,
    record,
  };
  if (change.op === Op.UPDATE || change.op === Op.DELETE) return toOrderLineEdit(change, record, common);
  return {
    type: 'OrderItemCreated',
    productId: requireId(change.row, 'product_id'),
    quantity: readQuantity(change.row),
    snapshot: change.op === Op.READ,
    ...common,
  };
};
