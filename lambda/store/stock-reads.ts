import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { Attr, numberValue } from './attributes.js';
import { storedNumber, storedString } from './item-reader.js';
import type { StoreContext } from './store-context.js';

/** A product's stock and name as read after the batch's writes, for low-stock alerts. */
export interface StockReading {
  readonly stock: number | undefined;
  readonly name: string | undefined;
}

/** DynamoDB's limit on keys per BatchGetItem. */
const KEYS_PER_BATCH_GET = 100;

/**
 * One strongly consistent BatchGetItem per 100 products, after their order lines were written: an `ADD`
 * inside a transaction returns nothing, and reading each product before its write is what this design
 * removed. Keys DynamoDB leaves unprocessed (throttling) are asked again.
 */
export const readStocks = async (
  context: StoreContext,
  productIds: readonly number[],
): Promise<ReadonlyMap<number, StockReading>> => {
  const readings = new Map<number, StockReading>();
  const chunks: number[][] = [];
  for (let start = 0; start < productIds.length; start += KEYS_PER_BATCH_GET) {
    chunks.push(productIds.slice(start, start + KEYS_PER_BATCH_GET));
  }
  // A batch of 1,000 records may name a few hundred products: their reads go out together.
  await Promise.all(chunks.map((ids) => readChunk(context, ids, readings)));
  return readings;
};

const readChunk = async (
  context: StoreContext,
  productIds: readonly number[],
  readings: Map<number, StockReading>,
): Promise<void> => {
  let request: Record<string, KeysAndAttributes> | undefined = {
    [context.tableName]: {
      Keys: productIds.map((id) => ({ [Attr.PRODUCT_ID]: numberValue(id) })),
      ConsistentRead: true,
      ProjectionExpression: '#id, #stock, #name',
      ExpressionAttributeNames: { '#id': Attr.PRODUCT_ID, '#stock': Attr.STOCK_QUANTITY, '#name': Attr.NAME },
    },
  };
  while (request !== undefined && Object.keys(request).length > 0) {
    const answer: BatchGetItemCommandOutput = await context.client.send(
      new BatchGetItemCommand({ RequestItems: request }),
    );
    for (const item of answer.Responses?.[context.tableName] ?? []) addReading(readings, item);
    request = answer.UnprocessedKeys;
  }
};

const addReading = (readings: Map<number, StockReading>, item: Record<string, AttributeValue>): void => {
  const id = storedNumber(item, Attr.PRODUCT_ID);
  if (id === undefined) return;
  readings.set(id, { stock: storedNumber(item, Attr.STOCK_QUANTITY), name: storedString(item, Attr.NAME) });
};
