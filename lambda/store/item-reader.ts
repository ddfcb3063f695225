import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ErrorCode, PoisonRecordError } from '../errors.js';
import type { StoredProduct } from '../inventory/stored-product.js';
import { Attr, numberValue } from './attributes.js';

export type StoredItem = Readonly<Record<string, AttributeValue>>;

/** Strongly consistent read, used after a condition fails to learn why. */
export const readItem = async (
  client: DynamoDBClient,
  tableName: string,
  productId: number,
): Promise<StoredItem | undefined> => {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { [Attr.PRODUCT_ID]: numberValue(productId) },
      ConsistentRead: true,
    }),
  );
  return Item;
};

export const storedString = (item: StoredItem | undefined, name: string): string | undefined =>
  item?.[name]?.S;

export const storedNumber = (item: StoredItem | undefined, name: string): number | undefined => {
  const raw = item?.[name]?.N;
  return raw === undefined ? undefined : Number(raw);
};

/**
 * The item as planning sees it, from a read or from a refused condition's `ALL_OLD`. The ledger head (the
 * last delete) is not on the item: `deletedAt` stays unknown here.
 */
export const storedProductFromItem = (item: StoredItem | undefined): StoredProduct => ({
  exists: item !== undefined,
  position: storedString(item, Attr.CDC_POSITION),
  sourceStock: storedNumber(item, Attr.SOURCE_STOCK),
  stock: storedNumber(item, Attr.STOCK_QUANTITY),
  stockPosition: storedString(item, Attr.STOCK_POSITION),
  deletedAt: undefined,
});

export const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

export const isValidationError = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ValidationException';

/**
 * DynamoDB refuses a write that can never succeed (an item over 400 KB, a stored attribute of the wrong
 * type): that record is poison, not a reason to fail the batch forever.
 */
export const rejectIfInvalid = (error: unknown, what: string): void => {
  if (isValidationError(error)) {
    throw new PoisonRecordError(
      ErrorCode.STORE_REJECTED,
      `DynamoDB rejected ${what}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
};
