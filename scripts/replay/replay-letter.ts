import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../../lambda/config.js';
import { type DecodedRecord, decodeRecord } from '../../lambda/decode/decode-record.js';
import type { KafkaRecord } from '../../lambda/decode/kafka-event.js';
import { ErrorCode, isPoisonRecordError } from '../../lambda/errors.js';
import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../../lambda/inventory/changes.js';
import { Attr } from '../../lambda/store/attributes.js';
import type { DeadLetter } from '../../lambda/store/dead-letter.js';
import { readItem, storedString } from '../../lambda/store/item-reader.js';
import { Outcome } from '../../lambda/store/outcome.js';
import { deleteProduct, upsertProduct } from '../../lambda/store/product-writes.js';
import { decideReplay, ReplayDecision, replayDecrement } from '../../lambda/store/replay-writes.js';

export const LetterOutcome = {
  /** Applied now (or, in a dry run, would be). */
  REPLAYED: 'REPLAYED',
  /** Its effect is already in the table: a live redelivery, an earlier replay, or a newer change. */
  ALREADY_APPLIED: 'ALREADY_APPLIED',
  /** It decodes to something that changes nothing (a tombstone, an order-item update). */
  NOTHING_TO_APPLY: 'NOTHING_TO_APPLY',
  STILL_FAILING: 'STILL_FAILING',
  /** Not attempted: an earlier letter of the same product and partition is still pending. */
  HELD_BACK: 'HELD_BACK',
} as const;
export type LetterOutcome = (typeof LetterOutcome)[keyof typeof LetterOutcome];

export interface LetterResult {
  readonly outcome: LetterOutcome;
  readonly detail: string;
  /** For STILL_FAILING: the failure to append to the letter. */
  readonly failure?: { readonly code: ErrorCode; readonly message: string };
}

/** The order item a letter holds, if it decodes to one: replay uses it to keep a product's order. */
export type DecodedLetter =
  | DecodedRecord
  | { readonly type: 'Poison'; readonly code: ErrorCode; readonly message: string };

type DecodeConfig = Pick<Config, 'productsTopic' | 'orderItemsTopic' | 'priceScale'>;

/** The record exactly as the mapping delivered it, rebuilt from the letter. */
export const recordOf = (letter: DeadLetter): KafkaRecord => ({
  topic: letter.record.topic,
  partition: letter.record.partition,
  offset: letter.record.offset,
  timestamp: letter.record.timestamp,
  ...(letter.record.timestampType === undefined ? {} : { timestampType: letter.record.timestampType }),
  key: letter.record.key,
  value: letter.record.value,
  headers: letter.record.headers ?? [],
});

/** The function's own decoder; anything it throws that is not poison is still a failure to keep. */
export const decodeLetter = (letter: DeadLetter, config: DecodeConfig): DecodedLetter => {
  try {
    return decodeRecord(recordOf(letter), config);
  } catch (error) {
    if (isPoisonRecordError(error)) return { type: 'Poison', code: error.code, message: error.message };
    return {
      type: 'Poison',
      code: ErrorCode.MALFORMED_RECORD,
      message: `Undecodable record: ${String(error)}`,
    };
  }
};

export const unknownProductFailure = (productId: number) => ({
  code: ErrorCode.UNKNOWN_PRODUCT,
  message: `Product ${productId} is not in the inventory table; replay once it exists`,
});

export interface ReplayTarget {
  readonly dynamoDb: DynamoDBClient;
  readonly tableName: string;
  readonly dryRun: boolean;
  /** Dry run only: products that earlier letters of this run would create (true) or delete (false). */
  readonly plannedProducts: Map<number, boolean>;
}

const OUTCOME_DETAIL: Record<Outcome, string> = {
  [Outcome.APPLIED]: 'applied',
  [Outcome.DUPLICATE]: 'this change is already in the table',
  [Outcome.STALE]: 'superseded: the item reflects a newer change',
  [Outcome.ALREADY_ABSENT]: 'nothing to delete',
};

/** Dry run: the outcome the position-guarded write would have, from a consistent read. */
const probeProductWrite = async (target: ReplayTarget, change: ProductUpserted | ProductDeleted) => {
  const item = await readItem(target.dynamoDb, target.tableName, change.productId);
  const planned = target.plannedProducts.get(change.productId);
  const exists = planned ?? item !== undefined;
  const stored = storedString(item, Attr.CDC_POSITION);
  if (change.type === 'ProductDeleted' && !exists) return Outcome.ALREADY_ABSENT;
  if (planned === undefined && stored !== undefined && stored >= change.position) {
    return stored === change.position ? Outcome.DUPLICATE : Outcome.STALE;
  }
  target.plannedProducts.set(change.productId, change.type === 'ProductUpserted');
  return Outcome.APPLIED;
};

const replayProductChange = async (
  target: ReplayTarget,
  change: ProductUpserted | ProductDeleted,
): Promise<LetterResult> => {
  const what = `product ${change.productId} ${change.type === 'ProductUpserted' ? 'upsert' : 'delete'}`;
  const outcome = target.dryRun
    ? await probeProductWrite(target, change)
    : change.type === 'ProductUpserted'
      ? await upsertProduct(target.dynamoDb, target.tableName, change)
      : await deleteProduct(target.dynamoDb, target.tableName, change);
  return {
    outcome: outcome === Outcome.APPLIED ? LetterOutcome.REPLAYED : LetterOutcome.ALREADY_APPLIED,
    detail: `${what}: ${OUTCOME_DETAIL[outcome]}`,
  };
};

const DECISION_DETAIL: Record<Exclude<ReplayDecision, 'APPLY' | 'UNKNOWN_PRODUCT'>, string> = {
  [ReplayDecision.APPLIED_LIVE]: 'applied live by a redelivery after the product appeared',
  [ReplayDecision.ALREADY_REPLAYED]: 'applied by an earlier replay',
};

const probeOrderItem = async (target: ReplayTarget, item: OrderItemCreated) => {
  const stored = await readItem(target.dynamoDb, target.tableName, item.productId);
  const planned = target.plannedProducts.get(item.productId);
  if (planned === false || (stored === undefined && planned === undefined)) {
    return { decision: ReplayDecision.UNKNOWN_PRODUCT };
  }
  if (stored === undefined) return { decision: ReplayDecision.APPLY };
  return { decision: decideReplay(stored, item).decision };
};

const replayOrderItem = async (target: ReplayTarget, item: OrderItemCreated): Promise<LetterResult> => {
  const what = `product ${item.productId} −${item.quantity}`;
  const result = target.dryRun
    ? await probeOrderItem(target, item)
    : await replayDecrement(target.dynamoDb, target.tableName, item);
  switch (result.decision) {
    case ReplayDecision.APPLY: {
      const stock =
        'stockAfter' in result && result.stockAfter !== undefined
          ? `: stock ${result.stockBefore} → ${result.stockAfter}`
          : '';
      const name = 'name' in result && result.name !== undefined ? ` (${result.name})` : '';
      return { outcome: LetterOutcome.REPLAYED, detail: `${what}${name}${stock}` };
    }
    case ReplayDecision.UNKNOWN_PRODUCT: {
      const failure = unknownProductFailure(item.productId);
      return { outcome: LetterOutcome.STILL_FAILING, detail: `${failure.code}: ${failure.message}`, failure };
    }
    default:
      return {
        outcome: LetterOutcome.ALREADY_APPLIED,
        detail: `${what}: ${DECISION_DETAIL[result.decision]}`,
      };
  }
};

/** Replays one decoded letter through the function's own writes (or, in a dry run, predicts them). */
export const replayDecoded = async (target: ReplayTarget, decoded: DecodedLetter): Promise<LetterResult> => {
  if (decoded.type === 'Poison') {
    return {
      outcome: LetterOutcome.STILL_FAILING,
      detail: `${decoded.code}: ${decoded.message}`,
      failure: { code: decoded.code, message: decoded.message },
    };
  }
  if (decoded.type === 'Skipped') {
    return { outcome: LetterOutcome.NOTHING_TO_APPLY, detail: decoded.detail };
  }
  try {
    return decoded.type === 'OrderItemCreated'
      ? await replayOrderItem(target, decoded)
      : await replayProductChange(target, decoded);
  } catch (error) {
    // DynamoDB refused the write for good (STORE_REJECTED): the letter stays, with that error.
    if (!isPoisonRecordError(error)) throw error;
    const failure = { code: error.code, message: error.message };
    return { outcome: LetterOutcome.STILL_FAILING, detail: `${error.code}: ${error.message}`, failure };
  }
};

/**
 * A letter that must wait for an earlier one of its product: if the product is still missing it fails
 * again like that one (and gets the error appended); otherwise it is held back, untouched.
 */
export const holdBack = async (
  target: ReplayTarget,
  item: OrderItemCreated,
  blockerKey: string,
): Promise<LetterResult> => {
  const stored = await readItem(target.dynamoDb, target.tableName, item.productId);
  const exists = target.plannedProducts.get(item.productId) ?? stored !== undefined;
  if (!exists) {
    const failure = unknownProductFailure(item.productId);
    return { outcome: LetterOutcome.STILL_FAILING, detail: `${failure.code}: ${failure.message}`, failure };
  }
  return {
    outcome: LetterOutcome.HELD_BACK,
    detail: `waits for ${blockerKey} (product ${item.productId}, earlier offset): replay that one first`,
  };
};
