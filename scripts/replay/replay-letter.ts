import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../../lambda/config.js';
import { type DecodedRecord, decodeRecord } from '../../lambda/decode/decode-record.js';
import type { KafkaRecord } from '../../lambda/decode/kafka-event.js';
import { ErrorCode, isPoisonRecordError } from '../../lambda/errors.js';
import type { OrderItemCreated, ProductDeleted, ProductUpserted } from '../../lambda/inventory/changes.js';
import { planOrderLines } from '../../lambda/inventory/order-lines.js';
import { reflectedPosition } from '../../lambda/inventory/stored-product.js';
import type { DeadLetter } from '../../lambda/store/dead-letter.js';
import { type OrderLinesResult, recordOrderLines } from '../../lambda/store/order-writes.js';
import { Outcome } from '../../lambda/store/outcome.js';
import { hasOrderLine, readProduct } from '../../lambda/store/product-reads.js';
import { deleteProduct, upsertProductGroup } from '../../lambda/store/product-writes.js';
import { readStocks } from '../../lambda/store/stock-reads.js';
import type { StoreContext } from '../../lambda/store/store-context.js';
import { truncateProducts } from '../../lambda/store/truncate-writes.js';

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
  /**
   * Not attempted, and never will be: the letter holds an entry of the event that was no record at all
   * (MALFORMED_RECORD, kept as delivered in `entry`). Left as it is, for the operator.
   */
  UNREPLAYABLE: 'UNREPLAYABLE',
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
  | { readonly type: 'Poison'; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'Unreplayable'; readonly detail: string };

type DecodeConfig = Pick<
  Config,
  'productsTopic' | 'orderItemsTopic' | 'priceScale' | 'sourceEpoch' | 'stockModel'
> &
  Partial<Pick<Config, 'registryValues'>>;

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

/**
 * The function's own decoder; anything it throws that is not poison is still a failure to keep. A letter of
 * a malformed entry has no record to decode: its `record` was made up from the map key (offset, value and
 * all), so decoding it would call it a tombstone and settle it.
 */
export const decodeLetter = (letter: DeadLetter, config: DecodeConfig): DecodedLetter => {
  if (letter.entry !== undefined) {
    return {
      type: 'Unreplayable',
      detail: `an entry of the event that is no Kafka record (${letter.error.code}), kept as delivered in "entry": nothing to replay`,
    };
  }
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
  /** The function's own store and its context: replay writes exactly as the live path does. */
  readonly storeContext: StoreContext;
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

/** Dry run: the outcome the commit-order guarded write would have, from consistent reads. */
const probeProductWrite = async (target: ReplayTarget, change: ProductUpserted | ProductDeleted) => {
  const { stored } = await readProduct(target.storeContext, change.productId);
  const planned = target.plannedProducts.get(change.productId);
  const exists = planned ?? stored.exists;
  const current = reflectedPosition(stored);
  if (planned === undefined && current !== undefined && current >= change.position) {
    return current === change.position ? Outcome.DUPLICATE : Outcome.STALE;
  }
  if (change.type === 'ProductDeleted' && !exists) return Outcome.ALREADY_ABSENT;
  target.plannedProducts.set(change.productId, change.type === 'ProductUpserted');
  return Outcome.APPLIED;
};

const upsertOutcome = async (target: ReplayTarget, change: ProductUpserted): Promise<Outcome> => {
  const { applied, duplicates } = await upsertProductGroup(target.storeContext, [change]);
  if (applied.length > 0) return Outcome.APPLIED;
  return duplicates.length > 0 ? Outcome.DUPLICATE : Outcome.STALE;
};

const replayProductChange = async (
  target: ReplayTarget,
  change: ProductUpserted | ProductDeleted,
): Promise<LetterResult> => {
  const what = `product ${change.productId} ${change.type === 'ProductUpserted' ? 'upsert' : 'delete'}`;
  const outcome = target.dryRun
    ? await probeProductWrite(target, change)
    : change.type === 'ProductUpserted'
      ? await upsertOutcome(target, change)
      : await deleteProduct(target.storeContext, change);
  return {
    outcome: outcome === Outcome.APPLIED ? LetterOutcome.REPLAYED : LetterOutcome.ALREADY_APPLIED,
    detail: `${what}: ${OUTCOME_DETAIL[outcome]}`,
  };
};

/** Dry run: what recording the order line would do, without writing. */
const probeOrderItem = async (target: ReplayTarget, item: OrderItemCreated): Promise<OrderLinesResult> => {
  const { stored } = await readProduct(target.storeContext, item.productId);
  const planned = target.plannedProducts.get(item.productId);
  const exists = planned ?? stored.exists;
  const none = { applied: [], inCount: [], pending: [], duplicates: [] };
  if (!exists) return { ...none, pending: [item] };
  if (await hasOrderLine(target.storeContext, item)) return { ...none, duplicates: [item] };
  const plan = planOrderLines([item], stored.exists ? stored : { ...stored, exists: true });
  return { ...none, applied: plan.counted, inCount: plan.inCount };
};

const replayOrderItem = async (target: ReplayTarget, item: OrderItemCreated): Promise<LetterResult> => {
  const what = `product ${item.productId} −${item.quantity}`;
  const result = target.dryRun
    ? await probeOrderItem(target, item)
    : await recordOrderLines(target.storeContext, item.productId, [item], { requireProduct: true });
  if (result.pending.length > 0) {
    const failure = unknownProductFailure(item.productId);
    return { outcome: LetterOutcome.STILL_FAILING, detail: `${failure.code}: ${failure.message}`, failure };
  }
  if (result.applied.length > 0) {
    // The decrement is an ADD that returns nothing; a dry run wrote nothing to read back.
    const after = target.dryRun
      ? undefined
      : (await readStocks(target.storeContext, [item.productId])).get(item.productId);
    const stock = after?.stock === undefined ? '' : `: stock ${after.stock + item.quantity} → ${after.stock}`;
    const name = after?.name === undefined ? '' : ` (${after.name})`;
    return { outcome: LetterOutcome.REPLAYED, detail: `${what}${name}${stock}` };
  }
  const why =
    result.duplicates.length > 0
      ? 'already applied (its identity is in the ledger)'
      : 'already in the stock count set by a later products change';
  return { outcome: LetterOutcome.ALREADY_APPLIED, detail: `${what}: ${why}` };
};

/** Replays one decoded letter through the function's own writes (or, in a dry run, predicts them). */
export const replayDecoded = async (target: ReplayTarget, decoded: DecodedLetter): Promise<LetterResult> => {
  if (decoded.type === 'Unreplayable') return { outcome: LetterOutcome.UNREPLAYABLE, detail: decoded.detail };
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
    if (decoded.type === 'ProductsTruncated') {
      if (target.dryRun)
        return { outcome: LetterOutcome.REPLAYED, detail: `TRUNCATE of products at ${decoded.position}` };
      const { removed, kept } = await truncateProducts(target.storeContext, decoded);
      return {
        outcome: LetterOutcome.REPLAYED,
        detail: `TRUNCATE of products: ${removed} removed, ${kept} kept`,
      };
    }
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
  const { stored } = await readProduct(target.storeContext, item.productId);
  const exists = target.plannedProducts.get(item.productId) ?? stored.exists;
  if (!exists) {
    const failure = unknownProductFailure(item.productId);
    return { outcome: LetterOutcome.STILL_FAILING, detail: `${failure.code}: ${failure.message}`, failure };
  }
  return {
    outcome: LetterOutcome.HELD_BACK,
    detail: `waits for ${blockerKey} (product ${item.productId}, earlier offset): replay that one first`,
  };
};

/** The message versions before the expiry function decided alone wrote for a late line they also kept pending. */
const KEPT_PENDING_TOO =
  /^Product -?\d+ is not in the inventory table \d+ h after this order line; replay once it exists$/;
/** The expiry function's own letter: no create counted the line (lambda/expiry/settle-expired.ts). */
const UNCOUNTED_AT_EXPIRY = /^No create of product -?\d+ counted this order line/;

/**
 * A letter an older version wrote at once for a late order line whose product was absent, while it also kept
 * the line pending in the ledger, and that the expiry function has not (yet) found uncounted.
 */
export const wasAlsoKeptPending = (letter: DeadLetter): boolean =>
  letter.errors.some(
    ({ code, message }) => code === ErrorCode.UNKNOWN_PRODUCT && KEPT_PENDING_TOO.test(message),
  ) && !letter.errors.some(({ message }) => UNCOUNTED_AT_EXPIRY.test(message));

/**
 * Such a letter's line counted through its pending entry when its product arrived: while the entry is there,
 * replay finds it a duplicate; once it expired, the expiry function wrote its own failure into this letter
 * if no create had counted it. So a product that arrived and a ledger without the entry mean: counted by the
 * create. Undefined when the usual replay decides (the product absent, or the entry still there).
 */
export const settledByItsCreate = async (
  target: ReplayTarget,
  item: OrderItemCreated,
): Promise<LetterResult | undefined> => {
  const { stored } = await readProduct(target.storeContext, item.productId);
  const arrived = stored.exists || (stored.deletedAt !== undefined && stored.deletedAt > item.position);
  if (!arrived || (await hasOrderLine(target.storeContext, item))) return undefined;
  return {
    outcome: LetterOutcome.ALREADY_APPLIED,
    detail:
      `product ${item.productId} −${item.quantity}: counted by its product's create (the version that wrote this ` +
      'letter also kept the line pending; its entry expired and the expiry function found it counted)',
  };
};
