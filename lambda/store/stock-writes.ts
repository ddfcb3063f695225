import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { WriteContentionError } from '../errors.js';
import type { OrderItemCreated } from '../inventory/changes.js';
import { Attr, numberValue } from './attributes.js';
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

export interface StockDecrementResult {
  readonly applied: readonly OrderItemCreated[];
  readonly duplicates: readonly OrderItemCreated[];
  readonly unknownProduct: readonly OrderItemCreated[];
  /** Stock and name after the last applied write; absent when nothing was applied. */
  readonly stockAfter?: number;
  readonly name?: string;
}

interface PartitionRun {
  readonly partition: number;
  readonly minOffset: number;
  readonly maxOffset: number;
}

const runsByPartition = (items: readonly OrderItemCreated[]): PartitionRun[] => {
  const runs = new Map<number, { minOffset: number; maxOffset: number }>();
  for (const { record } of items) {
    const run = runs.get(record.partition);
    runs.set(record.partition, {
      minOffset: Math.min(run?.minOffset ?? record.offset, record.offset),
      maxOffset: Math.max(run?.maxOffset ?? record.offset, record.offset),
    });
  }
  return [...runs].map(([partition, run]) => ({ partition, ...run }));
};

export interface DecrementExpression {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

/**
 * Pure: one conditional update that takes the summed quantity of order items of one product, from any
 * number of partitions, and advances each partition's watermark. The condition requires every partition's
 * watermark to be below the run's lowest offset, so the write is all-or-nothing per delivery.
 */
export const buildDecrementExpression = (items: readonly OrderItemCreated[]): DecrementExpression => {
  const names: Record<string, string> = {
    '#id': Attr.PRODUCT_ID,
    '#stock': Attr.STOCK_QUANTITY,
    '#applied': Attr.APPLIED_OFFSETS,
    '#first': Attr.FIRST_OFFSETS,
  };
  const total = items.reduce((sum, item) => sum + item.quantity, 0);
  const values: Record<string, AttributeValue> = { ':zero': numberValue(0), ':qty': numberValue(total) };
  const sets = ['#stock = if_not_exists(#stock, :zero) - :qty'];
  const conditions = ['attribute_exists(#id)'];
  runsByPartition(items).forEach(({ partition, minOffset, maxOffset }, index) => {
    names[`#p${index}`] = String(partition);
    values[`:min${index}`] = numberValue(minOffset);
    values[`:max${index}`] = numberValue(maxOffset);
    conditions.push(`(attribute_not_exists(#applied.#p${index}) OR #applied.#p${index} < :min${index})`);
    sets.push(
      `#applied.#p${index} = :max${index}`,
      `#first.#p${index} = if_not_exists(#first.#p${index}, :min${index})`,
    );
  });
  return {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

const isAlreadyApplied = (item: StoredItem, { record }: OrderItemCreated): boolean => {
  const watermark = storedMapNumber(item, Attr.APPLIED_OFFSETS, String(record.partition));
  return watermark !== undefined && record.offset <= watermark;
};

/**
 * Applies the decrements of one product exactly once. A failed condition means either the product is
 * missing or an earlier delivery applied a prefix of these offsets: a fresh read tells which, and only the
 * offsets above each partition's watermark are retried.
 */
export const decrementStock = async (
  client: DynamoDBClient,
  tableName: string,
  productId: number,
  items: readonly OrderItemCreated[],
): Promise<StockDecrementResult> => {
  let pending = items;
  const duplicates: OrderItemCreated[] = [];
  let bookkeepingEnsured = false;
  for (let attempt = 0; attempt < MAX_CONDITION_RETRIES; attempt++) {
    try {
      const { Attributes } = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [Attr.PRODUCT_ID]: numberValue(productId) },
          ...buildDecrementExpression(pending),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return {
        applied: pending,
        duplicates,
        unknownProduct: [],
        stockAfter: storedNumber(Attributes, Attr.STOCK_QUANTITY),
        name: storedString(Attributes, Attr.NAME),
      };
    } catch (error) {
      if (isValidationError(error) && !bookkeepingEnsured) {
        bookkeepingEnsured = true;
        if (await ensureWatermarkMaps(client, tableName, productId)) continue;
        return { applied: [], duplicates, unknownProduct: pending };
      }
      rejectIfInvalid(error, `the decrement of product ${productId}`);
      if (!isConditionalCheckFailed(error)) throw error;
      const item = await readItem(client, tableName, productId);
      if (item === undefined) return { applied: [], duplicates, unknownProduct: pending };
      duplicates.push(...pending.filter((decrement) => isAlreadyApplied(item, decrement)));
      pending = pending.filter((decrement) => !isAlreadyApplied(item, decrement));
      if (pending.length === 0) return { applied: [], duplicates, unknownProduct: [] };
    }
  }
  throw new WriteContentionError(productId);
};
