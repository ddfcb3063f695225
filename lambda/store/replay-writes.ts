import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { WriteContentionError } from '../errors.js';
import type { OrderItemCreated } from '../inventory/changes.js';
import { wasAppliedLive } from '../inventory/live-coverage.js';
import { Attr, numberValue, stringValue } from './attributes.js';
import { ensureWatermarkMaps } from './bookkeeping.js';
import {
  isConditionalCheckFailed,
  isValidationError,
  readItem,
  rejectIfInvalid,
  type StoredItem,
  storedMapNumber,
  storedNumber,
  storedString,
} from './item-reader.js';
import { MAX_CONDITION_RETRIES } from './outcome.js';

/** What replaying one dead-lettered order item did (or, for a dry run, would do). */
export const ReplayDecision = {
  /** Not applied yet: the decrement is (to be) applied now. */
  APPLY: 'APPLY',
  /** A live redelivery applied it after its product appeared (see wasAppliedLive). */
  APPLIED_LIVE: 'APPLIED_LIVE',
  /** An earlier (or concurrent) replay applied it: its id is in replayed_records. */
  ALREADY_REPLAYED: 'ALREADY_REPLAYED',
  UNKNOWN_PRODUCT: 'UNKNOWN_PRODUCT',
} as const;
export type ReplayDecision = (typeof ReplayDecision)[keyof typeof ReplayDecision];

export interface ReplayDecrementResult {
  readonly decision: ReplayDecision;
  /** Stock and name after the decrement; only when it was applied. */
  readonly stockBefore?: number;
  readonly stockAfter?: number;
  readonly name?: string;
}

/** `<topic>:<partition>:<offset>`, the member of replayed_records that marks one order item as replayed. */
export const replayRecordId = ({ record }: Pick<OrderItemCreated, 'record'>): string =>
  `${record.topic}:${record.partition}:${record.offset}`;

/**
 * Pure: what replaying `item` against the stored item should do. `advance` says whether the partition's
 * watermark is absent or below the offset, in which case the write also moves it up to the offset so that a
 * later live redelivery of the same record is seen as a duplicate.
 */
export const decideReplay = (
  stored: StoredItem | undefined,
  item: OrderItemCreated,
): { decision: ReplayDecision; advance: boolean } => {
  if (stored === undefined) return { decision: ReplayDecision.UNKNOWN_PRODUCT, advance: false };
  const partition = String(item.record.partition);
  const last = storedMapNumber(stored, Attr.APPLIED_OFFSETS, partition);
  const first = storedMapNumber(stored, Attr.FIRST_OFFSETS, partition);
  // Replay moves the watermarks too, so a replayed record also lies in the live range: ask the set first.
  if (stored[Attr.REPLAYED_RECORDS]?.SS?.includes(replayRecordId(item)) === true) {
    return { decision: ReplayDecision.ALREADY_REPLAYED, advance: false };
  }
  if (wasAppliedLive({ first, last }, item.record.offset)) {
    return { decision: ReplayDecision.APPLIED_LIVE, advance: false };
  }
  return { decision: ReplayDecision.APPLY, advance: last === undefined || last < item.record.offset };
};

export interface ReplayExpression {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

/**
 * Pure: the one conditional update that applies a dead-lettered order item. Its condition is exactly
 * "the item exists, this record is not in replayed_records, and the live path has not applied it", split
 * by where the partition's watermark stands:
 * - advance (watermark absent or below the offset): the live path cannot have applied it; the write also
 *   sets the watermark to the offset (and the first offset if there is none);
 * - behind (watermark at or above the offset): applied live only if first ≤ offset, so require first > offset
 *   or no first at all.
 */
export const buildReplayExpression = (item: OrderItemCreated, advance: boolean): ReplayExpression => {
  const names: Record<string, string> = {
    '#id': Attr.PRODUCT_ID,
    '#stock': Attr.STOCK_QUANTITY,
    '#applied': Attr.APPLIED_OFFSETS,
    '#first': Attr.FIRST_OFFSETS,
    '#replayed': Attr.REPLAYED_RECORDS,
    '#p': String(item.record.partition),
  };
  const values: Record<string, AttributeValue> = {
    ':zero': numberValue(0),
    ':qty': numberValue(item.quantity),
    ':off': numberValue(item.record.offset),
    ':rid': stringValue(replayRecordId(item)),
    ':rids': { SS: [replayRecordId(item)] },
  };
  const conditions = ['attribute_exists(#id)', 'NOT contains(#replayed, :rid)'];
  const sets = ['#stock = if_not_exists(#stock, :zero) - :qty'];
  if (advance) {
    conditions.push('(attribute_not_exists(#applied.#p) OR #applied.#p < :off)');
    sets.push('#applied.#p = :off', '#first.#p = if_not_exists(#first.#p, :off)');
  } else {
    conditions.push('#applied.#p >= :off', '(attribute_not_exists(#first.#p) OR #first.#p > :off)');
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')} ADD #replayed :rids`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

/**
 * Applies one dead-lettered order item exactly once, whatever else runs at the same time: a second replay,
 * a concurrent one, or a live redelivery of the same record. A failed condition is classified from a
 * consistent read; only "not applied, but the watermark moved" is retried, with the other expression.
 */
export const replayDecrement = async (
  client: DynamoDBClient,
  tableName: string,
  item: OrderItemCreated,
): Promise<ReplayDecrementResult> => {
  let advance = true;
  let mapsEnsured = false;
  for (let attempt = 0; attempt < MAX_CONDITION_RETRIES; attempt++) {
    try {
      const { Attributes } = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [Attr.PRODUCT_ID]: numberValue(item.productId) },
          ...buildReplayExpression(item, advance),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const stockAfter = storedNumber(Attributes, Attr.STOCK_QUANTITY);
      return {
        decision: ReplayDecision.APPLY,
        ...(stockAfter === undefined ? {} : { stockBefore: stockAfter + item.quantity, stockAfter }),
        ...(storedString(Attributes, Attr.NAME) === undefined
          ? {}
          : { name: storedString(Attributes, Attr.NAME) }),
      };
    } catch (error) {
      if (isValidationError(error) && advance && !mapsEnsured) {
        // A legacy item without the watermark maps: the nested SET needs them.
        mapsEnsured = true;
        if (await ensureWatermarkMaps(client, tableName, item.productId)) continue;
        return { decision: ReplayDecision.UNKNOWN_PRODUCT };
      }
      rejectIfInvalid(error, `the replayed decrement of product ${item.productId}`);
      if (!isConditionalCheckFailed(error)) throw error;
      const decided = decideReplay(await readItem(client, tableName, item.productId), item);
      if (decided.decision !== ReplayDecision.APPLY) return { decision: decided.decision };
      advance = decided.advance;
    }
  }
  throw new WriteContentionError(item.productId);
};
