import { randomBytes } from 'node:crypto';
import { type AttributeValue, paginateQuery, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { PositionKey } from '../inventory/changes.js';
import { orderLineEntryFrom } from '../inventory/order-lines.js';
import { numberValue, stringValue } from './attributes.js';
import { isConditionalCheckFailed, storedNumber, storedString } from './item-reader.js';
import { LedgerAttr } from './ledger-attributes.js';
import type { StoreContext } from './store-context.js';

/**
 * What a create counted, made durable. A create sums the ledger's entries at or after its position; an
 * entry TTL removes before that sum is not in it. The expiry function must know which case a removed
 * pending entry was, whatever the order of removal, create and stream delivery:
 *
 * 1. before its write, a create attempt marks every pending entry it summed with its own random token
 *    (`counted_by`; the mark is conditional on the entry still being there, else the attempt starts over);
 * 2. its write adds the token to the head's `counted_creates`, in the same transaction as the item and on
 *    condition that the head's version is the one it read;
 * 3. the expiry function bumps that version before it reads the head (see expiry/settle-expired.ts).
 *
 * So a removed entry's image carries the token of the last attempt that summed it, and that token is in
 * the head exactly when that attempt's write committed. An attempt that has not committed when the expiry
 * bumps the version fails its condition and sums again, without the removed entry.
 */
export interface LedgerLinesFrom {
  /** Sum of the quantities at or after the position. */
  readonly quantity: number;
  /** Entry keys of those recorded while the product was absent (`pending`). */
  readonly pendingEntries: readonly string[];
}

/** The ledger's order lines of `productId` at or after `from`: their sum and which of them are pending. */
export const readOrderLinesFrom = async (
  context: StoreContext,
  productId: number,
  from: PositionKey,
): Promise<LedgerLinesFrom> => {
  let quantity = 0;
  const pendingEntries: string[] = [];
  const pages = paginateQuery(
    { client: context.client },
    {
      TableName: context.ledgerTableName,
      KeyConditionExpression: '#id = :id AND #entry BETWEEN :from AND :to',
      ExpressionAttributeNames: {
        '#id': LedgerAttr.PRODUCT_ID,
        '#entry': LedgerAttr.ENTRY,
        '#qty': LedgerAttr.QUANTITY,
        '#pending': LedgerAttr.PENDING,
      },
      ExpressionAttributeValues: {
        ':id': numberValue(productId),
        ':from': stringValue(orderLineEntryFrom(from)),
        // Every order-line entry starts with 'O'; 'P' bounds them all.
        ':to': stringValue('P'),
      },
      ProjectionExpression: '#entry, #qty, #pending',
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const entry of page.Items ?? []) {
      quantity += storedNumber(entry, LedgerAttr.QUANTITY) ?? 0;
      const key = storedString(entry, LedgerAttr.ENTRY);
      if (entry[LedgerAttr.PENDING]?.BOOL === true && key !== undefined) pendingEntries.push(key);
    }
  }
  return { quantity, pendingEntries };
};

/** A fresh token per create attempt: a retry must not inherit the marks of an attempt that failed. */
export const newCountToken = (): string => randomBytes(12).toString('base64url');

const MARKS_IN_FLIGHT = 16;

/**
 * Marks the pending entries a create attempt summed with its token. False when one of them is gone (TTL
 * removed it after the sum): the attempt's sum is wrong, and it must read again.
 */
export const markCounted = async (
  context: StoreContext,
  productId: number,
  entries: readonly string[],
  token: string,
): Promise<boolean> => {
  for (let start = 0; start < entries.length; start += MARKS_IN_FLIGHT) {
    const marks = entries.slice(start, start + MARKS_IN_FLIGHT).map(async (entry) => {
      try {
        await context.client.send(
          new UpdateItemCommand({
            TableName: context.ledgerTableName,
            Key: { [LedgerAttr.PRODUCT_ID]: numberValue(productId), [LedgerAttr.ENTRY]: stringValue(entry) },
            UpdateExpression: 'SET #by = :token',
            ConditionExpression: 'attribute_exists(#entry)',
            ExpressionAttributeNames: { '#by': LedgerAttr.COUNTED_BY, '#entry': LedgerAttr.ENTRY },
            ExpressionAttributeValues: { ':token': stringValue(token) },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
    if ((await Promise.all(marks)).includes(false)) return false;
  }
  return true;
};

interface HeadCondition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** The head's condition of a create, turned into an update that records the create's token with it. */
export const recordCountToken = (condition: HeadCondition, token: string) => ({
  ...condition,
  UpdateExpression: 'ADD #countedCreates :countToken',
  ExpressionAttributeNames: {
    ...condition.ExpressionAttributeNames,
    '#countedCreates': LedgerAttr.COUNTED_CREATES,
  },
  ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':countToken': { SS: [token] } },
});
