import type { Config } from '../config.js';
import { ErrorCode, PoisonRecordError } from '../errors.js';
import {
  type InventoryChange,
  type OrderItemCreated,
  type ProductsTruncated,
  type SkippedRecord,
  SkipReason,
} from '../inventory/changes.js';
import { PositionBasis, positionBasis, positionKey } from '../inventory/position.js';
import { orderLinesCount, type StockModel, snapshotOrderLinesCount } from '../inventory/stock-model.js';
import { Op, parseChange, type RowlessChange } from './envelope.js';
import type { KafkaRecord } from './kafka-event.js';
import { toOrderItemChange } from './order-item-change.js';
import { decodeJsonPayload } from './payload.js';
import { toProductChange } from './product-change.js';
import { recordEpoch } from './record-epoch.js';
import type { RenderingHint } from './value-rendering.js';

export type DecodedRecord = InventoryChange | ProductsTruncated | SkippedRecord;

type TopicConfig = Pick<
  Config,
  'productsTopic' | 'orderItemsTopic' | 'priceScale' | 'sourceEpoch' | 'stockModel'
> &
  // Optional so that callers that predate EPOCH_HEADER keep compiling: absent means the default header.
  Partial<Pick<Config, 'epochHeader'>> & {
    /**
     * The mappings convert values through a schema registry (`EventRecordFormat: JSON`). Records say so
     * themselves with `valueSchemaMetadata`; this covers records rebuilt without it (dead letters, replays).
     */
    readonly registryValues?: boolean;
  };

const renderingHintOf = (record: KafkaRecord, config: TopicConfig): RenderingHint => ({
  registry: config.registryValues === true || record.valueSchemaMetadata !== undefined,
});

const skipped = (record: KafkaRecord, reason: SkippedRecord['reason'], detail: string): SkippedRecord => ({
  type: 'Skipped',
  reason,
  detail,
  record,
});

/** Whether the stock model lets this order line change stock; if not, it is skipped with the reason. */
const countedUnder = (model: StockModel, item: OrderItemCreated): OrderItemCreated | SkippedRecord => {
  if (!orderLinesCount(model)) {
    return skipped(
      item.record,
      SkipReason.ORDER_LINE_NOT_COUNTED,
      `order lines do not change stock under STOCK_MODEL=${model}`,
    );
  }
  if (item.snapshot && !snapshotOrderLinesCount(model)) {
    return skipped(
      item.record,
      SkipReason.ORDER_LINE_NOT_COUNTED,
      `snapshot order lines are in the snapshotted stock under STOCK_MODEL=${model}`,
    );
  }
  // A snapshot row says the line exists with this quantity as of the snapshot's point; a second snapshot
  // (redone, `always`, incremental) reads the same line at another point. What it adds is what the ledger
  // does not hold of the line yet: the store settles it against the line's entries (order-line-recall.ts).
  if (item.snapshot) return { ...item, recallOld: true };
  return item;
};

/**
 * TRUNCATE of order_items removed lines whose quantities the event does not carry (and, under the orders
 * model, some were already in a later count): no model can undo them exactly, so the stock stays and the
 * operator hears of it, with the position to look from.
 */
const orderItemsTruncated = (
  change: RowlessChange,
  record: KafkaRecord,
  config: TopicConfig,
): SkippedRecord => {
  const position =
    change.position === undefined
      ? undefined
      : positionKey(change.position, {
          snapshot: false,
          epoch: recordEpoch(record, config),
          offset: record.offset,
        });
  return {
    ...skipped(
      record,
      SkipReason.ORDER_ITEMS_TRUNCATED,
      `TRUNCATE of ${record.topic}: no stock changed (the removed lines' quantities are not in the event); ` +
        'npm run reconcile shows the products to repair',
    ),
    ...(position === undefined ? {} : { position }),
  };
};

/**
 * TRUNCATE of products removes every product committed before it, wherever each one's changes sit in the
 * topic: without a readable position it cannot be ordered against them, and is kept for an operator.
 */
const productsTruncated = (
  change: RowlessChange,
  record: KafkaRecord,
  config: TopicConfig,
): ProductsTruncated => {
  if (change.position === undefined || positionBasis(change.position) === PositionBasis.SOURCE_TIME) {
    throw new PoisonRecordError(
      ErrorCode.MISSING_FIELD,
      'TRUNCATE of products without source.lsn or source.sequence: it cannot be ordered against the changes it removes',
    );
  }
  return {
    type: 'ProductsTruncated',
    position: positionKey(change.position, {
      snapshot: false,
      epoch: recordEpoch(record, config),
      offset: record.offset,
    }),
    sourceTsMs: change.position.sourceTsMs,
    record,
  };
};

/**
 * One Kafka record → the inventory change it asks for, or a reason to skip it.
 * Pure: throws PoisonRecordError (with a code) for anything that can never be applied.
 */
export const decodeRecord = (record: KafkaRecord, config: TopicConfig): DecodedRecord => {
  if (record.malformed !== undefined) {
    throw new PoisonRecordError(ErrorCode.MALFORMED_RECORD, `Malformed Kafka record: ${record.malformed}`);
  }
  const isProducts = record.topic === config.productsTopic;
  if (!isProducts && record.topic !== config.orderItemsTopic) {
    throw new PoisonRecordError(ErrorCode.UNKNOWN_TOPIC, `No handler for topic '${record.topic}'`);
  }
  if (record.value === null || record.value === undefined) {
    return skipped(record, SkipReason.TOMBSTONE, 'tombstone (null value)');
  }
  const change = parseChange(decodeJsonPayload(record.value, 'value'), renderingHintOf(record, config));
  if (change === undefined) return skipped(record, SkipReason.TOMBSTONE, 'tombstone (null payload)');
  if (change.kind === 'rowless') {
    if (change.op === Op.TRUNCATE && !isProducts) return orderItemsTruncated(change, record, config);
    if (change.op === Op.TRUNCATE) return productsTruncated(change, record, config);
    return skipped(record, SkipReason.ROWLESS_OP, `op '${change.op}' carries no row`);
  }
  const epoch = recordEpoch(record, config);
  if (isProducts) return toProductChange(change, record, { priceScale: config.priceScale, epoch });
  const orderItem = toOrderItemChange(change, record, epoch);
  return orderItem.type === 'Skipped' ? orderItem : countedUnder(config.stockModel, orderItem);
};
