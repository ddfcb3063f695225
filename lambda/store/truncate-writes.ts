import { paginateScan, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { forEachConcurrently } from '../concurrency.js';
import type { ProductsTruncated } from '../inventory/changes.js';
import { Attr, stringValue } from './attributes.js';
import { isConditionalCheckFailed, storedNumber, storedString } from './item-reader.js';
import { TRUNCATED_AT } from './ledger-attributes.js';
import { Outcome } from './outcome.js';
import { truncateMarkerKey } from './product-reads.js';
import { deleteProduct } from './product-writes.js';
import type { StoreContext } from './store-context.js';

export interface TruncateResult {
  /** Items the TRUNCATE removed (each with its delete remembered, as a delete's). */
  readonly removed: number;
  /** Items of changes committed after it, kept. */
  readonly kept: number;
}

/** Deletes of one sweep in flight at once: a table of thousands of products is swept within one invocation. */
const SWEEP_CONCURRENCY = 16;

/**
 * `TRUNCATE products` at its position: the marker first, so that from then on no create older than it can
 * succeed (every create checks it, and an item older than it reads as absent), then a sweep deleting each
 * item older than it exactly as a delete at that position would (the head remembers it). Idempotent: a
 * redelivery after a sweep cut short finishes it, and a copy of an older TRUNCATE changes nothing.
 */
export const truncateProducts = async (
  context: StoreContext,
  truncate: ProductsTruncated,
  concurrency = SWEEP_CONCURRENCY,
): Promise<TruncateResult> => {
  await rememberTruncate(context, truncate);
  const older: number[] = [];
  let kept = 0;
  const pages = paginateScan(
    { client: context.client },
    {
      TableName: context.tableName,
      ProjectionExpression: '#id, #position',
      ExpressionAttributeNames: { '#id': Attr.PRODUCT_ID, '#position': Attr.CDC_POSITION },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const productId = storedNumber(item, Attr.PRODUCT_ID);
      const position = storedString(item, Attr.CDC_POSITION);
      if (productId === undefined) continue;
      if (position !== undefined && position > truncate.position) kept += 1;
      else older.push(productId);
    }
  }
  let removed = 0;
  await forEachConcurrently(older, concurrency, async (productId) => {
    const { position, sourceTsMs, record } = truncate;
    const outcome = await deleteProduct(context, {
      type: 'ProductDeleted',
      productId,
      position,
      sourceTsMs,
      record,
    });
    if (outcome === Outcome.APPLIED) removed += 1;
    else kept += 1;
  });
  return { removed, kept };
};

const rememberTruncate = async (context: StoreContext, truncate: ProductsTruncated): Promise<void> => {
  try {
    await context.client.send(
      new UpdateItemCommand({
        TableName: context.ledgerTableName,
        Key: truncateMarkerKey(),
        UpdateExpression: 'SET #at = :at',
        ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
        ExpressionAttributeNames: { '#at': TRUNCATED_AT },
        ExpressionAttributeValues: { ':at': stringValue(truncate.position) },
      }),
    );
  } catch (error) {
    // A newer (or this very) TRUNCATE is remembered already; the sweep below still runs, in case it was cut.
    if (!isConditionalCheckFailed(error)) throw error;
  }
};
