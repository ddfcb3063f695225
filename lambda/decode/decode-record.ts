import type { Config } from '../config.js';
import { ErrorCode, PoisonRecordError } from '../errors.js';
import { type InventoryChange, type SkippedRecord, SkipReason } from '../inventory/changes.js';
import { parseChange } from './envelope.js';
import type { KafkaRecord } from './kafka-event.js';
import { toOrderItemChange } from './order-item-change.js';
import { decodeJsonPayload } from './payload.js';
import { toProductChange } from './product-change.js';

export type DecodedRecord = InventoryChange | SkippedRecord;

type TopicConfig = Pick<Config, 'productsTopic' | 'orderItemsTopic' | 'priceScale'>;

const skipped = (record: KafkaRecord, reason: SkippedRecord['reason'], detail: string): SkippedRecord => ({
  type: 'Skipped',
  reason,
  detail,
  record,
});

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
  const change = parseChange(decodeJsonPayload(record.value, 'value'));
  if (change === undefined) return skipped(record, SkipReason.TOMBSTONE, 'tombstone (null payload)');
  if (change.kind === 'rowless') {
    return skipped(record, SkipReason.ROWLESS_OP, `op '${change.op}' carries no row`);
  }
  return isProducts ? toProductChange(change, record, config.priceScale) : toOrderItemChange(change, record);
};
