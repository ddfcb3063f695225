import { type AttributeValue, type TransactWriteItem, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import { Attr, numberValue, stringValue } from './attributes.js';
import { isConditionalCheckFailed, storedString } from './item-reader.js';
import { HEAD_ENTRY, LedgerAttr } from './ledger-attributes.js';
import { readProduct } from './product-reads.js';
import type { StoreContext } from './store-context.js';

/**
 * A primary-key change (`UPDATE products SET id = B WHERE id = A`) is a delete of A and a create of B at one
 * position, usually in different partitions; B's create carries an unchanged TOASTed description as the
 * placeholder, and the description it stands for is A's as of that position. Whichever half is applied first:
 * - the delete of A leaves A's description (as of the change: every earlier change of A is applied before it,
 *   one key being one partition) in A's head, and hands it to B if B already waits for it;
 * - the create of B takes it from A's head when the delete is there, else takes A's current description for
 *   now and marks B as waiting for A (`awaiting_description_of`), which the delete then settles.
 * A later change of B that sends its description clears the mark, so nothing older overwrites it.
 */

/** What a create of B learned about A's description. */
export interface OldKeyDescription {
  /** The description to write now (null: none), or undefined to write nothing. */
  readonly description: string | null | undefined;
  /** A's delete has not been applied: B waits for it, and the create checks that it still has not. */
  readonly awaitingOf: number | undefined;
}

const NOT_A_KEY_CHANGE: OldKeyDescription = { description: undefined, awaitingOf: undefined };

/** The carried value as stored: a string, or NULL for a row without a description. */
const carriedValue = (description: string | undefined): AttributeValue =>
  description === undefined ? { NULL: true } : { S: description };

const readCarried = (value: AttributeValue | undefined): string | null | undefined => {
  if (value === undefined) return undefined;
  return value.NULL === true ? null : value.S;
};

export const oldKeyDescription = async (
  context: StoreContext,
  merged: ProductUpserted,
): Promise<OldKeyDescription> => {
  if (merged.oldProductId === undefined || merged.columns.description !== undefined) return NOT_A_KEY_CHANGE;
  const old = await readProduct(context, merged.oldProductId, { physical: true });
  const carried = readCarried(old.carried);
  if (carried !== undefined) return { description: carried, awaitingOf: undefined };
  return { description: storedString(old.item, Attr.DESCRIPTION), awaitingOf: merged.oldProductId };
};

/** The create of B may wait for A only while A's delete has not carried anything: checked in its transaction. */
export const stillAwaited = (context: StoreContext, oldProductId: number): TransactWriteItem => ({
  ConditionCheck: {
    TableName: context.ledgerTableName,
    Key: {
      [LedgerAttr.PRODUCT_ID]: numberValue(oldProductId),
      [LedgerAttr.ENTRY]: stringValue(HEAD_ENTRY),
    },
    ConditionExpression: 'attribute_not_exists(#carried)',
    ExpressionAttributeNames: { '#carried': LedgerAttr.CARRIED_DESCRIPTION },
  },
});

/** The SET clause the delete of A adds to A's head update, carrying A's description as it is now. */
export const carriedAssignment = (
  change: ProductDeleted,
  item: Readonly<Record<string, AttributeValue>> | undefined,
): AttributeValue | undefined =>
  change.newProductId === undefined || item === undefined
    ? undefined
    : carriedValue(storedString(item, Attr.DESCRIPTION));

/**
 * After A's delete (or a redelivery of it): B, if it waits for A, takes what A's head carries. Conditional on
 * the mark, so a B that has its own description since, or none yet, is left alone (the create reads the head).
 */
export const settleNewKey = async (context: StoreContext, change: ProductDeleted): Promise<void> => {
  if (change.newProductId === undefined) return;
  const head = await readProduct(context, change.productId, { physical: true });
  const carried = readCarried(head.carried);
  if (carried === undefined) return;
  const values: Record<string, AttributeValue> = { ':old': numberValue(change.productId) };
  const names: Record<string, string> = { '#awaiting': Attr.AWAITING_DESCRIPTION_OF, '#d': Attr.DESCRIPTION };
  let update = 'REMOVE #awaiting, #d';
  if (carried !== null) {
    update = 'SET #d = :d REMOVE #awaiting';
    values[':d'] = { S: carried };
  }
  try {
    await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: { [Attr.PRODUCT_ID]: numberValue(change.newProductId) },
        UpdateExpression: update,
        ConditionExpression: '#awaiting = :old',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
};
