import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ErrorCode, PoisonRecordError, WriteContentionError } from '../errors.js';
import type { PositionKey, ProductColumns, ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import { planUpsertGroup } from '../inventory/upsert-group.js';
import { Attr, EMPTY_MAP, numberValue, stringValue } from './attributes.js';
import { isConditionalCheckFailed, readItem, rejectIfInvalid, storedString } from './item-reader.js';
import { MAX_CONDITION_RETRIES, Outcome } from './outcome.js';

/** Newer than what the item reflects, or the item has no position yet (new, or written by the seed service). */
const NEWER_THAN_STORED = `attribute_not_exists(#pos) OR #pos < :pos`;
const GROUP_NEWER_THAN_STORED = `attribute_not_exists(#pos) OR #pos < :guard`;

export interface UpsertExpression {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

/** The columns a new item needs to have the seed's shape; a change that lacks one can only update an item. */
export const canCreateItem = ({ name, price, stockQuantity }: ProductColumns): boolean =>
  name !== undefined && price !== undefined && stockQuantity !== undefined;

/**
 * Pure: the conditional update that upserts a product, setting only the columns the change carries.
 * `guard` is the position the stored one must be below; a folded group passes its lowest position, so
 * the write only goes through when every change of the group is newer than the item.
 */
export const buildUpsertExpression = (
  change: ProductUpserted,
  guard: PositionKey = change.position,
): UpsertExpression => {
  const names: Record<string, string> = { '#pos': Attr.CDC_POSITION };
  const values: Record<string, AttributeValue> = { ':pos': stringValue(change.position) };
  if (guard !== change.position) values[':guard'] = stringValue(guard);
  const sets: string[] = [];
  const removes: string[] = [];
  const set = (attribute: string, value: AttributeValue): void => {
    const token = `${sets.length}`;
    names[`#a${token}`] = attribute;
    values[`:v${token}`] = value;
    sets.push(`#a${token} = :v${token}`);
  };
  const { name, description, price, stockQuantity } = change.columns;
  if (name !== undefined) set(Attr.NAME, stringValue(name));
  if (typeof description === 'string') set(Attr.DESCRIPTION, stringValue(description));
  if (description === null) {
    names['#desc'] = Attr.DESCRIPTION;
    removes.push('#desc');
  }
  if (price !== undefined) set(Attr.PRICE, stringValue(price));
  if (stockQuantity !== undefined) set(Attr.STOCK_QUANTITY, numberValue(stockQuantity));
  set(Attr.LAST_UPDATED, stringValue(change.lastUpdated));
  set(Attr.CDC_TIMESTAMP, numberValue(change.cdcTimestamp));
  names['#applied'] = Attr.APPLIED_OFFSETS;
  names['#first'] = Attr.FIRST_OFFSETS;
  values[':empty'] = EMPTY_MAP;
  sets.push(
    '#pos = :pos',
    '#applied = if_not_exists(#applied, :empty)',
    '#first = if_not_exists(#first, :empty)',
  );
  const newer = guard === change.position ? NEWER_THAN_STORED : GROUP_NEWER_THAN_STORED;
  if (!canCreateItem(change.columns)) names['#id'] = Attr.PRODUCT_ID;
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: canCreateItem(change.columns) ? newer : `(${newer}) AND attribute_exists(#id)`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

const readPosition = async (
  client: DynamoDBClient,
  tableName: string,
  productId: number,
): Promise<string | undefined> =>
  storedString(await readItem(client, tableName, productId), Attr.CDC_POSITION);

/** After a failed condition: same position means this change is already in; a higher one means it is superseded. */
const classifyRejected = async (
  client: DynamoDBClient,
  tableName: string,
  productId: number,
  position: string,
): Promise<Outcome | undefined> => {
  const stored = await readPosition(client, tableName, productId);
  if (stored === undefined || stored < position) return undefined;
  return stored === position ? Outcome.DUPLICATE : Outcome.STALE;
};

export interface UpsertGroupResult {
  readonly applied: readonly ProductUpserted[];
  readonly duplicates: readonly ProductUpserted[];
  readonly stale: readonly ProductUpserted[];
}

const incompleteNewItem = (productId: number): PoisonRecordError =>
  new PoisonRecordError(
    ErrorCode.MISSING_FIELD,
    `Product ${productId} is not in the table and the change lacks name, price or stock_quantity, which a new item needs`,
  );

/**
 * Applies consecutive upserts of one product with one conditional write, exactly as applying them one by
 * one would. The write is guarded by the group's lowest position; when the item already holds a position
 * at or above it (a redelivery that applied part of the group, or a concurrent writer), a fresh read
 * tells which changes are in, and the rest is re-planned and written again.
 */
export const upsertProductGroup = async (
  client: DynamoDBClient,
  tableName: string,
  changes: readonly ProductUpserted[],
): Promise<UpsertGroupResult> => {
  const productId = changes[0]?.productId as number;
  let stored: string | undefined;
  for (let attempt = 0; attempt < MAX_CONDITION_RETRIES; attempt++) {
    const { applied, duplicates, stale, merged, guard } = planUpsertGroup(changes, stored);
    if (merged === undefined) return { applied, duplicates, stale };
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [Attr.PRODUCT_ID]: numberValue(productId) },
          ...buildUpsertExpression(merged, guard),
        }),
      );
      return { applied, duplicates, stale };
    } catch (error) {
      rejectIfInvalid(error, `the upsert of product ${productId}`);
      if (!isConditionalCheckFailed(error)) throw error;
      const item = await readItem(client, tableName, productId);
      if (item === undefined && !canCreateItem(merged.columns)) throw incompleteNewItem(productId);
      stored = storedString(item, Attr.CDC_POSITION);
    }
  }
  throw new WriteContentionError(productId);
};

/** One upsert: APPLIED, DUPLICATE (this very change is in) or STALE (a newer one is). */
export const upsertProduct = async (
  client: DynamoDBClient,
  tableName: string,
  change: ProductUpserted,
): Promise<Outcome> => {
  const { applied, duplicates } = await upsertProductGroup(client, tableName, [change]);
  if (applied.length > 0) return Outcome.APPLIED;
  return duplicates.length > 0 ? Outcome.DUPLICATE : Outcome.STALE;
};

export const deleteProduct = async (
  client: DynamoDBClient,
  tableName: string,
  change: ProductDeleted,
): Promise<Outcome> => {
  for (let attempt = 0; attempt < MAX_CONDITION_RETRIES; attempt++) {
    try {
      const { Attributes } = await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: { [Attr.PRODUCT_ID]: numberValue(change.productId) },
          ConditionExpression: NEWER_THAN_STORED,
          ExpressionAttributeNames: { '#pos': Attr.CDC_POSITION },
          ExpressionAttributeValues: { ':pos': stringValue(change.position) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes === undefined ? Outcome.ALREADY_ABSENT : Outcome.APPLIED;
    } catch (error) {
      rejectIfInvalid(error, `the delete of product ${change.productId}`);
      if (!isConditionalCheckFailed(error)) throw error;
      const outcome = await classifyRejected(client, tableName, change.productId, change.position);
      if (outcome !== undefined) return outcome;
    }
  }
  throw new WriteContentionError(change.productId);
};
