import { type AttributeValue, type TransactWriteItem, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ErrorCode, PoisonRecordError } from '../errors.js';
import type { PositionKey, ProductColumns, ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import type { StoredProduct } from '../inventory/stored-product.js';
import { reflectedPosition } from '../inventory/stored-product.js';
import {
  type BlindUpsertPlan,
  planBlindUpsert,
  planUpsertGroup,
  type StockEffect,
  type UpsertGroupPlan,
} from '../inventory/upsert-group.js';
import { Attr, numberValue, stringValue } from './attributes.js';
import { isTransactionConflict, pauseBeforeRetry } from './contention.js';
import { markCounted, newCountToken, readOrderLinesFrom, recordCountToken } from './create-counting.js';
import { isConditionalCheckFailed, rejectIfInvalid, storedNumber, storedString } from './item-reader.js';
import { carriedAssignment, oldKeyDescription, settleNewKey, stillAwaited } from './key-change-writes.js';
import { HEAD_ENTRY, LedgerAttr, TRUNCATED_AT } from './ledger-attributes.js';
import { Outcome } from './outcome.js';
import { type ProductSnapshot, readProduct, truncateMarkerKey } from './product-reads.js';
import type { StoreContext } from './store-context.js';
import { transactWrite } from './transactions.js';

export interface Expression {
  readonly UpdateExpression?: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** The columns a new item needs to have the contract's shape; a change that lacks one can only update. */
export const canCreateItem = ({ name, price, stockQuantity }: ProductColumns): boolean =>
  name !== undefined && price !== undefined && stockQuantity !== undefined;

/** Builds expressions with numbered placeholders, so that no two clauses collide. */
export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  #next = 0;

  name(attribute: string): string {
    const token = `#n${this.#next++}`;
    this.names[token] = attribute;
    return token;
  }

  value(value: AttributeValue): string {
    const token = `:v${this.#next++}`;
    this.values[token] = value;
    return token;
  }

  /** `attribute = stored`, or "absent" when nothing is stored: a compare-and-set on what was read. */
  unchanged(attribute: string, stored: AttributeValue | undefined): string {
    const name = this.name(attribute);
    return stored === undefined ? `attribute_not_exists(${name})` : `${name} = ${this.value(stored)}`;
  }

  build(update: string | undefined, conditions: readonly string[]): Expression {
    return {
      ...(update === undefined ? {} : { UpdateExpression: update }),
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length === 0 ? {} : { ExpressionAttributeValues: this.values }),
    };
  }
}

export const optionalString = (value: string | undefined): AttributeValue | undefined =>
  value === undefined ? undefined : stringValue(value);
export const optionalNumber = (value: number | undefined): AttributeValue | undefined =>
  value === undefined ? undefined : numberValue(value);

/** The stock after `effect`, or undefined to leave stock_quantity alone. */
export const stockAfter = (
  effect: StockEffect,
  stored: StoredProduct,
  ledgerQuantity: number,
): number | undefined => {
  if (effect.kind === 'keep') return undefined;
  if (effect.kind === 'set') return effect.value;
  if (effect.kind === 'move') return (stored.stock ?? 0) + effect.delta;
  return effect.value - ledgerQuantity;
};

/** The SET and REMOVE clauses that write a merged change's columns and its position. */
const columnAssignments = (
  b: ExpressionBuilder,
  merged: ProductUpserted,
  sourceStock: number | undefined,
) => {
  const sets: string[] = [];
  const removes: string[] = [];
  const set = (attribute: string, value: AttributeValue) =>
    sets.push(`${b.name(attribute)} = ${b.value(value)}`);
  const { name, description, price } = merged.columns;
  if (name !== undefined) set(Attr.NAME, stringValue(name));
  if (typeof description === 'string') set(Attr.DESCRIPTION, stringValue(description));
  if (description === null) removes.push(b.name(Attr.DESCRIPTION));
  if (price !== undefined) set(Attr.PRICE, stringValue(price));
  set(Attr.LAST_UPDATED, stringValue(merged.lastUpdated));
  set(Attr.CDC_TIMESTAMP, numberValue(merged.cdcTimestamp));
  set(Attr.CDC_POSITION, stringValue(merged.position));
  if (sourceStock !== undefined) set(Attr.SOURCE_STOCK, numberValue(sourceStock));
  return { sets, removes, set };
};

const updateClause = (sets: readonly string[], removes: readonly string[]): string =>
  `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;

/**
 * Pure: the update that applies a run of upserts without reading first (planBlindUpsert). Its condition is
 * what the plan assumed: the item exists, holds a position older than the run's oldest change, and (orders
 * and ledger) holds the same previous stock_quantity, so the stock is left alone and commutes with order
 * lines. Under `products` the row's value is the stock.
 */
export const buildBlindUpsertExpression = (plan: BlindUpsertPlan): Expression => {
  const b = new ExpressionBuilder();
  const { sets, removes, set } = columnAssignments(b, plan.merged, plan.sourceStock);
  if (plan.merged.columns.description !== undefined) removes.push(b.name(Attr.AWAITING_DESCRIPTION_OF));
  const position = b.name(Attr.CDC_POSITION);
  const conditions = [
    `attribute_exists(${b.name(Attr.PRODUCT_ID)})`,
    `${position} < ${b.value(stringValue(plan.oldest))}`,
  ];
  if (plan.setsStock) set(Attr.STOCK_QUANTITY, numberValue(plan.sourceStock as number));
  else if (plan.sourceStock !== undefined)
    conditions.push(`${b.name(Attr.SOURCE_STOCK)} = ${b.value(numberValue(plan.sourceStock))}`);
  return b.build(updateClause(sets, removes), conditions);
};

/**
 * Pure: the conditional update that applies a planned upsert group. Its condition is a compare-and-set on
 * everything the plan read: the item's position (or its absence), and for a stock that is recomputed, the
 * stock and its position, so that no order line can slip in between the read and the write.
 */
export const buildUpsertExpression = (
  plan: UpsertGroupPlan & { merged: ProductUpserted },
  stored: StoredProduct,
  stock: number | undefined,
  truncatedAt?: PositionKey,
  keyChange: { readonly awaitingOf?: number | undefined; readonly descriptionSent?: boolean } = {},
): Expression => {
  const b = new ExpressionBuilder();
  const { merged, stock: effect } = plan;
  const { sets, removes, set } = columnAssignments(b, merged, plan.sourceStock);
  if (keyChange.awaitingOf !== undefined)
    set(Attr.AWAITING_DESCRIPTION_OF, numberValue(keyChange.awaitingOf));
  // A description the change itself sent settles a key change's wait: nothing older may overwrite it.
  else if (keyChange.descriptionSent === true) removes.push(b.name(Attr.AWAITING_DESCRIPTION_OF));
  const conditions: string[] = [];
  if (stored.exists) {
    conditions.push(`attribute_exists(${b.name(Attr.PRODUCT_ID)})`);
    conditions.push(b.unchanged(Attr.CDC_POSITION, optionalString(stored.position)));
  } else if (truncatedAt === undefined) {
    conditions.push(`attribute_not_exists(${b.name(Attr.PRODUCT_ID)})`);
  } else {
    // An item a TRUNCATE removed but its sweep has not deleted yet is absent: the create takes its place.
    const position = b.name(Attr.CDC_POSITION);
    conditions.push(
      `(attribute_not_exists(${b.name(Attr.PRODUCT_ID)}) OR attribute_not_exists(${position}) OR ${position} < ${b.value(stringValue(truncatedAt))})`,
    );
  }
  if (effect.kind === 'move') {
    // Commutes with order lines: no compare-and-set on the stock.
    const stockName = b.name(Attr.STOCK_QUANTITY);
    sets.push(
      `${stockName} = if_not_exists(${stockName}, ${b.value(numberValue(0))}) + ${b.value(numberValue(effect.delta))}`,
    );
  } else if (stock !== undefined) {
    set(Attr.STOCK_QUANTITY, numberValue(stock));
    if (effect.kind === 'reset') {
      set(Attr.STOCK_POSITION, stringValue(effect.from));
      if (stored.exists) {
        conditions.push(b.unchanged(Attr.STOCK_QUANTITY, optionalNumber(stored.stock)));
        conditions.push(b.unchanged(Attr.STOCK_POSITION, optionalString(stored.stockPosition)));
      }
    }
  }
  return b.build(updateClause(sets, removes), conditions);
};

/**
 * Pure: the condition on the product's ledger head that a write joins in one transaction. A write that
 * creates the item must be newer than the product's last delete; a write that recomputes the stock from
 * the ledger must see the same head version as its read, or an order line recorded in between is missed.
 */
export const buildHeadCondition = (
  snapshot: ProductSnapshot,
  options: { readonly newerThanDelete?: string; readonly sameVersion: boolean },
): Expression => {
  const b = new ExpressionBuilder();
  const conditions: string[] = [];
  if (options.newerThanDelete !== undefined) {
    const deleted = b.name(LedgerAttr.DELETED_AT);
    conditions.push(
      `(attribute_not_exists(${deleted}) OR ${deleted} < ${b.value(stringValue(options.newerThanDelete))})`,
    );
  }
  if (options.sameVersion)
    conditions.push(b.unchanged(LedgerAttr.VERSION, optionalNumber(snapshot.headVersion)));
  return b.build(undefined, conditions);
};

export const headKey = (productId: number) => ({
  [LedgerAttr.PRODUCT_ID]: numberValue(productId),
  [LedgerAttr.ENTRY]: stringValue(HEAD_ENTRY),
});
export const itemKey = (productId: number) => ({ [Attr.PRODUCT_ID]: numberValue(productId) });

export interface UpsertGroupResult {
  readonly applied: readonly ProductUpserted[];
  readonly duplicates: readonly ProductUpserted[];
  readonly stale: readonly ProductUpserted[];
  /** Write attempts, the committed one included; one when absent. */
  readonly attempts?: number;
  /** Stock and name after the write, when it was applied and changed the stock. */
  readonly stockAfter?: number;
  readonly name?: string;
}

const incompleteNewItem = (productId: number): PoisonRecordError =>
  new PoisonRecordError(
    ErrorCode.MISSING_FIELD,
    `Product ${productId} is not in the table and the change lacks name, price or stock_quantity, which a new item needs`,
  );

/**
 * The common case in one call and no read: a write whose condition is what planBlindUpsert assumed.
 * Undefined when the condition was refused (or another transaction held the item): the caller reads.
 */
const upsertWithoutRead = async (
  context: StoreContext,
  productId: number,
  changes: readonly ProductUpserted[],
  plan: BlindUpsertPlan,
): Promise<UpsertGroupResult | undefined> => {
  try {
    const { Attributes } = await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: itemKey(productId),
        ...buildBlindUpsertExpression(plan),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return {
      applied: changes,
      duplicates: [],
      stale: [],
      attempts: 1,
      // A write that leaves the stock alone (a price edit) has no stock to alert on.
      ...withStock(
        plan.setsStock ? storedNumber(Attributes, Attr.STOCK_QUANTITY) : undefined,
        storedString(Attributes, Attr.NAME),
      ),
    };
  } catch (error) {
    rejectIfInvalid(error, `the upsert of product ${productId}`);
    if (isConditionalCheckFailed(error) || isTransactionConflict((error as Error)?.name)) return undefined;
    throw error;
  }
};

/**
 * Applies consecutive upserts of one product with one conditional write (or one transaction with the
 * ledger head), exactly as applying them one by one in commit order would. When the position alone
 * decides, one write without a read; otherwise read, plan, write with a compare-and-set on what was read,
 * and when another writer got there first, pause and read again.
 */
export const upsertProductGroup = async (
  context: StoreContext,
  changes: readonly ProductUpserted[],
): Promise<UpsertGroupResult> => {
  const productId = changes[0]?.productId as number;
  const plan = planBlindUpsert(changes, context.stockModel);
  const blind = plan === undefined ? undefined : await upsertWithoutRead(context, productId, changes, plan);
  if (blind !== undefined) return blind;
  const tried = plan === undefined ? 0 : 1;
  for (let attempt = 0; ; attempt++) {
    const result = await upsertAfterRead(context, productId, changes);
    if (result !== undefined) return { ...result, attempts: tried + attempt + 1 };
    await pauseBeforeRetry(productId, attempt);
  }
};

/** One read-plan-write round; undefined when the compare-and-set lost to another writer. */
const upsertAfterRead = async (
  context: StoreContext,
  productId: number,
  changes: readonly ProductUpserted[],
): Promise<UpsertGroupResult | undefined> => {
  const snapshot = await readProduct(context, productId);
  const { stored } = snapshot;
  const plan = planUpsertGroup(changes, stored, context.stockModel);
  const { applied, duplicates, stale } = plan;
  const oldKey =
    stored.exists || plan.merged === undefined ? undefined : await oldKeyDescription(context, plan.merged);
  const merged =
    plan.merged === undefined || oldKey?.description === undefined
      ? plan.merged
      : { ...plan.merged, columns: { ...plan.merged.columns, description: oldKey.description } };
  if (merged === undefined) return { applied, duplicates, stale };
  if (!stored.exists && !canCreateItem(merged.columns)) throw incompleteNewItem(productId);
  const reset = plan.stock.kind === 'reset';
  // No head means no delete and no order line recorded while the product was absent: nothing to sum.
  // The head condition below catches one that lands between this read and the write.
  const mayHaveEntries =
    stored.exists || snapshot.headVersion !== undefined || stored.deletedAt !== undefined;
  const ledger =
    plan.stock.kind === 'reset' && mayHaveEntries
      ? await readOrderLinesFrom(context, productId, plan.stock.from)
      : undefined;
  // A create where a head exists leaves a token of what it counted (create-counting.ts).
  const countToken = !stored.exists && mayHaveEntries ? newCountToken() : undefined;
  if (countToken !== undefined && ledger !== undefined) {
    if (!(await markCounted(context, productId, ledger.pendingEntries, countToken))) return undefined;
  }
  const stock = stockAfter(plan.stock, stored, ledger?.quantity ?? 0);
  const update = buildUpsertExpression({ ...plan, merged }, stored, stock, snapshot.truncatedAt, {
    awaitingOf: oldKey?.awaitingOf,
    descriptionSent: plan.merged?.columns.description !== undefined,
  });
  const what = `the upsert of product ${productId}`;
  if (stored.exists && !reset) {
    try {
      const { Attributes } = await context.client.send(
        new UpdateItemCommand({
          TableName: context.tableName,
          Key: itemKey(productId),
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return {
        applied,
        duplicates,
        stale,
        ...withStock(
          plan.stock.kind === 'keep' ? undefined : storedNumber(Attributes, Attr.STOCK_QUANTITY),
          storedString(Attributes, Attr.NAME),
        ),
      };
    } catch (error) {
      rejectIfInvalid(error, what);
      if (isConditionalCheckFailed(error) || isTransactionConflict((error as Error)?.name)) return undefined;
      throw error;
    }
  }
  const head = buildHeadCondition(snapshot, {
    ...(stored.exists ? {} : { newerThanDelete: merged.position }),
    sameVersion: reset,
  });
  const items: TransactWriteItem[] = [
    countToken === undefined
      ? { ConditionCheck: { TableName: context.ledgerTableName, Key: headKey(productId), ...head } }
      : {
          Update: {
            TableName: context.ledgerTableName,
            Key: headKey(productId),
            ...recordCountToken(head, countToken),
          },
        },
    ...(stored.exists ? [] : [truncateUnchanged(context, snapshot.truncatedAt)]),
    ...(oldKey?.awaitingOf === undefined ? [] : [stillAwaited(context, oldKey.awaitingOf)]),
    {
      Update: {
        TableName: context.tableName,
        Key: itemKey(productId),
        ...update,
      } as TransactWriteItem['Update'],
    },
  ];
  try {
    const cancelled = await transactWrite(context, items);
    if (cancelled !== undefined) return undefined;
  } catch (error) {
    rejectIfInvalid(error, what);
    throw error;
  }
  return {
    applied,
    duplicates,
    stale,
    ...withStock(stock, merged.columns.name ?? storedString(snapshot.item, Attr.NAME)),
  };
};

/** A create is newer than the latest TRUNCATE as read: one that lands in between makes it re-read. */
const truncateUnchanged = (
  context: StoreContext,
  truncatedAt: PositionKey | undefined,
): TransactWriteItem => {
  const b = new ExpressionBuilder();
  return {
    ConditionCheck: {
      TableName: context.ledgerTableName,
      Key: truncateMarkerKey(),
      ...b.build(undefined, [b.unchanged(TRUNCATED_AT, optionalString(truncatedAt))]),
    },
  };
};

const withStock = (stock: number | undefined, name: string | undefined) => ({
  ...(stock === undefined ? {} : { stockAfter: stock }),
  ...(name === undefined ? {} : { name }),
});

/**
 * Removes the item and remembers the delete in the ledger head, in one transaction: no older change, late
 * snapshot row or replay can bring the product back, and a re-created id (a newer create) still can.
 */
export const deleteProduct = async (context: StoreContext, change: ProductDeleted): Promise<Outcome> => {
  const outcome = await deleteOnce(context, change);
  // Also after a redelivery: a first delivery cut short between the delete and this hand-over is finished.
  await settleNewKey(context, change);
  return outcome;
};

const deleteOnce = async (context: StoreContext, change: ProductDeleted): Promise<Outcome> => {
  const { productId, position } = change;
  for (let attempt = 0; ; attempt++) {
    const snapshot = await readProduct(context, productId, { physical: true });
    const { stored } = snapshot;
    const current = reflectedPosition(stored);
    if (current !== undefined && current >= position) {
      return current === position ? Outcome.DUPLICATE : Outcome.STALE;
    }
    const item = new ExpressionBuilder();
    const itemCondition = stored.exists
      ? item.build(undefined, [item.unchanged(Attr.CDC_POSITION, optionalString(stored.position))])
      : item.build(undefined, [`attribute_not_exists(${item.name(Attr.PRODUCT_ID)})`]);
    const head = new ExpressionBuilder();
    const deleted = head.name(LedgerAttr.DELETED_AT);
    const at = head.value(stringValue(position));
    // The delete half of a key change leaves the row's description where the new key's create finds it.
    const carried = carriedAssignment(change, snapshot.item);
    const carry =
      carried === undefined ? '' : `, ${head.name(LedgerAttr.CARRIED_DESCRIPTION)} = ${head.value(carried)}`;
    const headUpdate = head.build(`SET ${deleted} = ${at}${carry}`, [
      `(attribute_not_exists(${deleted}) OR ${deleted} < ${at})`,
    ]);
    const itemAction: TransactWriteItem = stored.exists
      ? { Delete: { TableName: context.tableName, Key: itemKey(productId), ...itemCondition } }
      : { ConditionCheck: { TableName: context.tableName, Key: itemKey(productId), ...itemCondition } };
    try {
      const cancelled = await transactWrite(context, [
        itemAction,
        {
          Update: {
            TableName: context.ledgerTableName,
            Key: headKey(productId),
            ...headUpdate,
          } as TransactWriteItem['Update'],
        },
      ]);
      if (cancelled === undefined) return stored.exists ? Outcome.APPLIED : Outcome.ALREADY_ABSENT;
    } catch (error) {
      rejectIfInvalid(error, `the delete of product ${productId}`);
      throw error;
    }
    await pauseBeforeRetry(productId, attempt);
  }
};
