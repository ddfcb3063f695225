import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { WriteContentionError } from '../errors.js';
import type { OrderItemCreated } from '../inventory/changes.js';
import {
  assumeCounted,
  type OrderLinesPlan,
  orderLineEntry,
  planOrderLines,
} from '../inventory/order-lines.js';
import type { StoredProduct } from '../inventory/stored-product.js';
import { Attr, numberValue, stringValue } from './attributes.js';
import { ContentionPolicy, pauseBeforeRetry } from './contention.js';
import { rejectIfInvalid, storedProductFromItem } from './item-reader.js';
import { LedgerAttr } from './ledger-attributes.js';
import { recallOldQuantities } from './order-line-recall.js';
import { readProduct } from './product-reads.js';
import { ExpressionBuilder, headKey, itemKey } from './product-writes.js';
import type { StoreContext } from './store-context.js';
import {
  type Cancellation,
  isConditionFailure,
  MAX_TRANSACTION_ITEMS,
  transactWrite,
} from './transactions.js';

export interface OrderLinesResult {
  /** Subtracted from the stock now. */
  readonly applied: readonly OrderItemCreated[];
  /** Committed before the stock's last set: already in that count, recorded only. */
  readonly inCount: readonly OrderItemCreated[];
  /** The product is not in the table: recorded, they take effect when it arrives. */
  readonly pending: readonly OrderItemCreated[];
  /** Already in the ledger: a redelivery or a connector's re-emission. */
  readonly duplicates: readonly OrderItemCreated[];
  /** Edits without a before image whose line the ledger does not remember: the stock is left as it is. */
  readonly unremembered?: readonly OrderItemCreated[];
  /** Edits without a before image that left the quantity as it was. */
  readonly unchanged?: readonly OrderItemCreated[];
  /** Transactions sent, the committed ones included (attempts per commit); one when absent. */
  readonly attempts?: number;
}

export interface OrderLinesOptions {
  /** Replay: when the product is absent, write nothing and say so (the letter stays). */
  readonly requireProduct?: boolean;
}

/** Two actions of a transaction may be the item's and the head's; the rest are entries. */
export const ENTRIES_PER_TRANSACTION = MAX_TRANSACTION_ITEMS - 2;

/**
 * A line recorded while its product is absent keeps its Kafka record: if the product never arrives, the
 * entry's expiry (DynamoDB TTL, then the ledger's stream) turns it into a dead letter instead of nothing.
 */
const pendingAttributes = (item: OrderItemCreated) => ({
  [LedgerAttr.PENDING]: { BOOL: true },
  [LedgerAttr.SOURCE_RECORD]: stringValue(JSON.stringify(item.record)),
});

/** The line's identity, written only if new: the condition that makes every line count once. */
const entryPut = (
  context: StoreContext,
  item: OrderItemCreated,
  expiresAt: number,
  pending: boolean,
): TransactWriteItem => ({
  Put: {
    TableName: context.ledgerTableName,
    Item: {
      [LedgerAttr.PRODUCT_ID]: numberValue(item.productId),
      [LedgerAttr.ENTRY]: stringValue(orderLineEntry(item)),
      [LedgerAttr.QUANTITY]: numberValue(item.quantity),
      [LedgerAttr.ORDER_ITEM_ID]: numberValue(item.orderItemId),
      [LedgerAttr.EXPIRES_AT]: numberValue(expiresAt),
      [LedgerAttr.RECORD]: stringValue(`${item.record.topic}:${item.record.partition}:${item.record.offset}`),
      ...(pending ? pendingAttributes(item) : {}),
    },
    ConditionExpression: 'attribute_not_exists(#entry)',
    ExpressionAttributeNames: { '#entry': LedgerAttr.ENTRY },
  },
});

/**
 * The commutative decrement: `ADD` the lines' sum, no read. Its condition decides the rare cases on the
 * write itself: the item must exist (else the lines wait in the ledger for their product) and no count may
 * have been set after the oldest of them (else that one is in the count). When refused, DynamoDB returns
 * the item as it was, and the writer re-plans from that.
 */
const decrementItem = (context: StoreContext, plan: OrderLinesPlan): TransactWriteItem => {
  const b = new ExpressionBuilder();
  const oldest = plan.counted.map((item) => item.position).sort()[0] as string;
  const stockPosition = b.name(Attr.STOCK_POSITION);
  const update = b.build(`ADD ${b.name(Attr.STOCK_QUANTITY)} ${b.value(numberValue(-plan.quantity))}`, [
    `attribute_exists(${b.name(Attr.PRODUCT_ID)})`,
    `(attribute_not_exists(${stockPosition}) OR ${stockPosition} <= ${b.value(stringValue(oldest))})`,
  ]);
  return {
    Update: {
      TableName: context.tableName,
      Key: itemKey(plan.counted[0]?.productId as number),
      ...update,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    } as TransactWriteItem['Update'],
  };
};

/**
 * While the product is absent: its create sums the ledger before it writes, and the head's version tells
 * it whether an entry landed in between. The item must still be absent (if it was created meanwhile, the
 * refused check returns it and the lines are re-planned against it).
 */
const pendingActions = (context: StoreContext, productId: number): TransactWriteItem[] => {
  const head = new ExpressionBuilder();
  const bump = head.build(`ADD ${head.name(LedgerAttr.VERSION)} ${head.value(numberValue(1))}`, []);
  const absent = new ExpressionBuilder();
  return [
    {
      Update: {
        TableName: context.ledgerTableName,
        Key: headKey(productId),
        UpdateExpression: bump.UpdateExpression as string,
        ExpressionAttributeNames: bump.ExpressionAttributeNames,
        ...(bump.ExpressionAttributeValues === undefined
          ? {}
          : { ExpressionAttributeValues: bump.ExpressionAttributeValues }),
      },
    },
    {
      ConditionCheck: {
        TableName: context.tableName,
        Key: itemKey(productId),
        ...absent.build(undefined, [`attribute_not_exists(${absent.name(Attr.PRODUCT_ID)})`]),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  ];
};

/** The transaction for a plan: entries first (their index is the line's), then the item's action if any. */
const planActions = (
  context: StoreContext,
  productId: number,
  lines: readonly OrderItemCreated[],
  plan: OrderLinesPlan,
): { readonly actions: TransactWriteItem[]; readonly itemIndex: number | undefined } => {
  const expiresAt = Math.floor(context.now().getTime() / 1000) + context.ledgerRetentionSeconds;
  const pending = plan.pending.length > 0;
  const actions = lines.map((item) => entryPut(context, item, expiresAt, pending));
  if (pending)
    return { actions: [...actions, ...pendingActions(context, productId)], itemIndex: lines.length + 1 };
  // Lines all older than the stock's position only need their identity recorded: that position never moves
  // back, so they stay in the count whatever else commits.
  if (plan.counted.length === 0) return { actions, itemIndex: undefined };
  return { actions: [...actions, decrementItem(context, plan)], itemIndex: lines.length };
};

/** What a cancelled transaction says: which lines were there already, and what the item was if it refused. */
interface Refusal {
  readonly duplicateIndexes: ReadonlySet<number>;
  /** The item as the refused condition saw it (absent when DynamoDB returned none). */
  readonly item: StoredProduct | undefined;
  /** Another transaction held an item at that moment, or DynamoDB throttled it: try again after a pause. */
  readonly contended: boolean;
}

export const readRefusal = (
  cancelled: readonly Cancellation[],
  entries: number,
  itemIndex: number | undefined,
): Refusal => {
  const duplicateIndexes = new Set<number>();
  let item: StoredProduct | undefined;
  let contended = false;
  cancelled.forEach(({ code, item: returned }, index) => {
    if (code === 'None') return;
    if (isConditionFailure(code) && index < entries) duplicateIndexes.add(index);
    else if (isConditionFailure(code) && index === itemIndex) item = storedProductFromItem(returned);
    else contended = true;
  });
  return { duplicateIndexes, item, contended };
};

/**
 * Records up to ENTRIES_PER_TRANSACTION order lines of one product in one transaction, without reading
 * first: an entry per line (conditional on its identity being new) and one `ADD` of their sum to the item.
 * Order lines never refuse each other; a refused condition (a duplicate, a count set after a line, the
 * product absent) says what it saw, and the lines are re-planned from that, with no read.
 */
const recordChunk = async (
  context: StoreContext,
  productId: number,
  chunk: readonly OrderItemCreated[],
  options: OrderLinesOptions,
): Promise<OrderLinesResult> => {
  let lines = chunk;
  const duplicates: OrderItemCreated[] = [];
  // Replay asks before it writes: an absent product keeps the letter even if the line's entry is there.
  let known: StoredProduct | undefined =
    options.requireProduct === true ? (await readProduct(context, productId)).stored : undefined;
  let pauses = 0;
  for (let attempts = 1; ; attempts++) {
    // Every retry either drops a duplicate, learns the item's state or pauses: this bound is never the norm.
    if (attempts > ContentionPolicy.MAX_ATTEMPTS + chunk.length)
      throw new WriteContentionError(productId, attempts);
    if (lines.length === 0)
      return { applied: [], inCount: [], pending: [], duplicates, attempts: attempts - 1 };
    const plan = known === undefined ? assumeCounted(lines) : planOrderLines(lines, known);
    if (plan.pending.length > 0 && options.requireProduct === true) {
      return { applied: [], inCount: [], pending: plan.pending, duplicates, attempts: attempts - 1 };
    }
    const { actions, itemIndex } = planActions(context, productId, lines, plan);
    let cancelled: readonly Cancellation[] | undefined;
    try {
      cancelled = await transactWrite(context, actions);
    } catch (error) {
      rejectIfInvalid(error, `the order lines of product ${productId}`);
      throw error;
    }
    if (cancelled === undefined) {
      return { applied: plan.counted, inCount: plan.inCount, pending: plan.pending, duplicates, attempts };
    }
    const refusal = readRefusal(cancelled, lines.length, itemIndex);
    duplicates.push(...lines.filter((_, index) => refusal.duplicateIndexes.has(index)));
    lines = lines.filter((_, index) => !refusal.duplicateIndexes.has(index));
    if (refusal.item !== undefined) known = refusal.item;
    // Dropping duplicates or learning the item's state is progress and needs no pause; a collision does.
    const progressed = refusal.duplicateIndexes.size > 0 || refusal.item !== undefined;
    if (refusal.contended || !progressed) await pauseBeforeRetry(productId, pauses++);
  }
};

/**
 * Applies order lines of one product exactly once by their identity (position and key), whatever Kafka
 * delivered them as. In chunks that fit a transaction; each chunk stands on its own, so a redelivery
 * after a partial batch finds the earlier chunks' entries and skips them as duplicates.
 */
export const recordOrderLines = async (
  context: StoreContext,
  productId: number,
  items: readonly OrderItemCreated[],
  options: OrderLinesOptions = {},
): Promise<OrderLinesResult> => {
  const applied: OrderItemCreated[] = [];
  const inCount: OrderItemCreated[] = [];
  const pending: OrderItemCreated[] = [];
  const recalled = await recallOldQuantities(context, items);
  const duplicates: OrderItemCreated[] = [...recalled.duplicates];
  const { ready } = recalled;
  let attempts = 0;
  for (let start = 0; start < ready.length; start += ENTRIES_PER_TRANSACTION) {
    const chunk = await recordChunk(
      context,
      productId,
      ready.slice(start, start + ENTRIES_PER_TRANSACTION),
      options,
    );
    applied.push(...chunk.applied);
    inCount.push(...chunk.inCount);
    pending.push(...chunk.pending);
    duplicates.push(...chunk.duplicates);
    attempts += chunk.attempts ?? 1;
  }
  return {
    applied,
    inCount,
    pending,
    duplicates,
    attempts,
    unremembered: recalled.unremembered,
    unchanged: recalled.unchanged,
  };
};
