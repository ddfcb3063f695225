import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { WriteContentionError } from '../errors.js';
import type { OrderItemCreated } from '../inventory/changes.js';
import { orderLineEntry, planOrderLines } from '../inventory/order-lines.js';
import { Attr, numberValue, stringValue } from './attributes.js';
import { backoffAfterContention } from './backoff.js';
import { rejectIfInvalid, storedString } from './item-reader.js';
import { LedgerAttr } from './ledger-attributes.js';
import { MAX_CONDITION_RETRIES } from './outcome.js';
import { readProduct } from './product-reads.js';
import { ExpressionBuilder, headKey, itemKey, optionalNumber, optionalString } from './product-writes.js';
import type { StoreContext } from './store-context.js';
import { isConditionFailure, MAX_TRANSACTION_ITEMS, transactWrite } from './transactions.js';

export interface OrderLinesResult {
  /** Subtracted from the stock now. */
  readonly applied: readonly OrderItemCreated[];
  /** Committed before the stock's last set: already in that count, recorded only. */
  readonly inCount: readonly OrderItemCreated[];
  /** The product is not in the table: recorded, they take effect when it arrives. */
  readonly pending: readonly OrderItemCreated[];
  /** Already in the ledger: a redelivery or a connector's re-emission. */
  readonly duplicates: readonly OrderItemCreated[];
  readonly stockAfter?: number;
  readonly name?: string;
}

export interface OrderLinesOptions {
  /** Replay: when the product is absent, write nothing and say so (the letter stays). */
  readonly requireProduct?: boolean;
}

/** Two actions of every transaction are the item's and the head's; the rest are entries. */
export const ENTRIES_PER_TRANSACTION = MAX_TRANSACTION_ITEMS - 2;

/**
 * A line recorded while its product is absent keeps its Kafka record: if the product never arrives, the
 * entry's expiry (DynamoDB TTL, then the ledger's stream) turns it into a dead letter instead of nothing.
 */
const pendingAttributes = (item: OrderItemCreated) => ({
  [LedgerAttr.PENDING]: { BOOL: true },
  [LedgerAttr.SOURCE_RECORD]: stringValue(JSON.stringify(item.record)),
});

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
      [LedgerAttr.EXPIRES_AT]: numberValue(expiresAt),
      [LedgerAttr.RECORD]: stringValue(`${item.record.topic}:${item.record.partition}:${item.record.offset}`),
      ...(pending ? pendingAttributes(item) : {}),
    },
    ConditionExpression: 'attribute_not_exists(#entry)',
    ExpressionAttributeNames: { '#entry': LedgerAttr.ENTRY },
  },
});

interface ChunkResult {
  readonly result: Omit<OrderLinesResult, 'duplicates'>;
  readonly duplicates: readonly OrderItemCreated[];
}

const EMPTY: Omit<OrderLinesResult, 'duplicates'> = { applied: [], inCount: [], pending: [] };

/**
 * Records up to ENTRIES_PER_TRANSACTION order lines of one product in one transaction: an entry per line,
 * conditional on its identity being new, with the stock update or the head's version bump that makes the
 * set of entries and the stock agree whatever runs at the same time.
 */
const recordChunk = async (
  context: StoreContext,
  productId: number,
  chunk: readonly OrderItemCreated[],
  options: OrderLinesOptions,
): Promise<ChunkResult> => {
  let pending = chunk;
  const duplicates: OrderItemCreated[] = [];
  for (let attempt = 0; attempt < MAX_CONDITION_RETRIES + pending.length; attempt++) {
    if (pending.length === 0) return { result: EMPTY, duplicates };
    const snapshot = await readProduct(context, productId);
    const { stored } = snapshot;
    if (!stored.exists && options.requireProduct === true)
      return { result: { ...EMPTY, pending }, duplicates };
    const plan = planOrderLines(pending, stored);
    const expiresAt = Math.floor(context.now().getTime() / 1000) + context.ledgerRetentionSeconds;
    const actions = pending.map((item) => entryPut(context, item, expiresAt, !stored.exists));
    const b = new ExpressionBuilder();
    let stockAfter: number | undefined;
    if (!stored.exists) {
      // The create reads the ledger before it writes: the version tells it whether it missed an entry.
      const version = b.name(LedgerAttr.VERSION);
      const update = b.build(`ADD ${version} ${b.value(numberValue(1))}`, []);
      actions.push({
        Update: {
          TableName: context.ledgerTableName,
          Key: headKey(productId),
          UpdateExpression: update.UpdateExpression as string,
          ExpressionAttributeNames: update.ExpressionAttributeNames,
          ...(update.ExpressionAttributeValues === undefined
            ? {}
            : { ExpressionAttributeValues: update.ExpressionAttributeValues }),
        },
      });
      const absent = new ExpressionBuilder();
      actions.push({
        ConditionCheck: {
          TableName: context.tableName,
          Key: itemKey(productId),
          ...absent.build(undefined, [`attribute_not_exists(${absent.name(Attr.PRODUCT_ID)})`]),
        },
      });
    } else if (plan.quantity > 0) {
      stockAfter = (stored.stock ?? 0) - plan.quantity;
      const stock = b.name(Attr.STOCK_QUANTITY);
      const conditions = [
        `attribute_exists(${b.name(Attr.PRODUCT_ID)})`,
        b.unchanged(Attr.STOCK_QUANTITY, optionalNumber(stored.stock)),
        b.unchanged(Attr.STOCK_POSITION, optionalString(stored.stockPosition)),
      ];
      actions.push({
        Update: {
          TableName: context.tableName,
          Key: itemKey(productId),
          ...b.build(`SET ${stock} = ${b.value(numberValue(stockAfter))}`, conditions),
        } as TransactWriteItem['Update'],
      });
    }
    // Order lines all older than the stock's position only need their identity recorded: that position
    // never moves back, so they stay in the count whatever else commits.
    let cancelled: readonly string[] | undefined;
    try {
      cancelled = await transactWrite(context, actions);
    } catch (error) {
      rejectIfInvalid(error, `the order lines of product ${productId}`);
      throw error;
    }
    if (cancelled === undefined) {
      return {
        result: {
          applied: plan.counted,
          inCount: plan.inCount,
          pending: plan.pending,
          ...(stockAfter === undefined ? {} : { stockAfter }),
          ...(storedString(snapshot.item, Attr.NAME) === undefined
            ? {}
            : { name: storedString(snapshot.item, Attr.NAME) }),
        },
        duplicates,
      };
    }
    const entryCodes = cancelled.slice(0, pending.length);
    const contended =
      cancelled.slice(pending.length).some((code) => code !== 'None') ||
      entryCodes.some((code) => code !== 'None' && !isConditionFailure(code));
    duplicates.push(...pending.filter((_, index) => isConditionFailure(entryCodes[index])));
    pending = pending.filter((_, index) => !isConditionFailure(entryCodes[index]));
    // Entries that are already there only need re-planning; a lost race waits a little first.
    if (contended) await backoffAfterContention(attempt);
  }
  throw new WriteContentionError(productId);
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
  const duplicates: OrderItemCreated[] = [];
  let stockAfter: number | undefined;
  let name: string | undefined;
  for (let start = 0; start < items.length; start += ENTRIES_PER_TRANSACTION) {
    const chunk = await recordChunk(
      context,
      productId,
      items.slice(start, start + ENTRIES_PER_TRANSACTION),
      options,
    );
    applied.push(...chunk.result.applied);
    inCount.push(...chunk.result.inCount);
    pending.push(...chunk.result.pending);
    duplicates.push(...chunk.duplicates);
    stockAfter = chunk.result.stockAfter ?? stockAfter;
    name = chunk.result.name ?? name;
  }
  return {
    applied,
    inCount,
    pending,
    duplicates,
    ...(stockAfter === undefined ? {} : { stockAfter }),
    ...(name === undefined ? {} : { name }),
  };
};
