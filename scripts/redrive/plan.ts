import type { Config } from '../../lambda/config.js';
import { type DecodedRecord, decodeRecord } from '../../lambda/decode/decode-record.js';
import { flattenRecords, type KafkaEvent } from '../../lambda/decode/kafka-event.js';
import { InventoryError } from '../../lambda/errors.js';

/** What the handler would be asked to do with one record, as decoding alone tells. */
export const PlanKind = {
  UPSERT: 'upsert',
  DELETE: 'delete',
  ORDER_LINE: 'order-line',
  SKIP: 'skip',
  /** The record can never be applied: the handler dead-letters it (see `npm run replay`). */
  POISON: 'poison',
} as const;
export type PlanKind = (typeof PlanKind)[keyof typeof PlanKind];

export interface RecordPlan {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly kind: PlanKind;
  readonly detail: string;
}

export type PlanConfig = Pick<
  Config,
  'productsTopic' | 'orderItemsTopic' | 'priceScale' | 'sourceEpoch' | 'stockModel'
> &
  Partial<Pick<Config, 'registryValues'>>;

const describe = (decoded: DecodedRecord): Pick<RecordPlan, 'kind' | 'detail'> => {
  switch (decoded.type) {
    case 'ProductUpserted': {
      const stock = decoded.columns.stockQuantity;
      const snapshot = decoded.snapshot ? ' (snapshot row)' : '';
      return {
        kind: PlanKind.UPSERT,
        detail: `product ${decoded.productId}${snapshot}${stock === undefined ? '' : `, stock ${stock}`}`,
      };
    }
    case 'ProductDeleted':
      return { kind: PlanKind.DELETE, detail: `product ${decoded.productId}` };
    case 'OrderItemCreated':
      return {
        kind: PlanKind.ORDER_LINE,
        detail: `order item ${decoded.orderItemId}: product ${decoded.productId}, quantity ${decoded.quantity}`,
      };
    case 'ProductsTruncated':
      return { kind: PlanKind.DELETE, detail: `TRUNCATE of products at ${decoded.position}` };
    default:
      return { kind: PlanKind.SKIP, detail: `${decoded.reason}: ${decoded.detail}` };
  }
};

/**
 * Pure: every record of the event through the function's own decodeRecord, without reading or writing
 * anything. What the table already holds is not known here: the handler's identity rules decide at redrive
 * time whether a change is new, already applied, older than what the table has, or an order line that waits
 * for its product.
 */
export const planEvent = (event: KafkaEvent, config: PlanConfig): RecordPlan[] =>
  flattenRecords(event).map((record) => {
    const at = { topic: record.topic, partition: record.partition, offset: record.offset };
    try {
      return { ...at, ...describe(decodeRecord(record, config)) };
    } catch (error) {
      if (!(error instanceof InventoryError)) throw error;
      return { ...at, kind: PlanKind.POISON, detail: `${error.code}: ${error.message} (dead-lettered)` };
    }
  });

export const countPlan = (plans: readonly RecordPlan[]): Record<PlanKind, number> => {
  const counts = Object.fromEntries(Object.values(PlanKind).map((kind) => [kind, 0])) as Record<
    PlanKind,
    number
  >;
  for (const plan of plans) counts[plan.kind] += 1;
  return counts;
};
