import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ErrorCode } from '../errors.js';
import { numberValue, stringValue } from '../store/attributes.js';
import { buildDeadLetter, type DeadLetterStore } from '../store/dead-letter.js';
import type { StoredItem } from '../store/item-reader.js';
import { HEAD_ENTRY, LedgerAttr } from '../store/ledger-attributes.js';
import { readProduct } from '../store/product-reads.js';
import type { StoreContext } from '../store/store-context.js';
import type { ExpiredOrderLine } from './expired-entries.js';

export const ExpiryOutcome = {
  /** A create of its product summed it: the line is in the stock (or went with a later delete). */
  COUNTED: 'COUNTED',
  /** No create counted it: the line is a dead letter now, replayable once the product exists. */
  DEAD_LETTERED: 'DEAD_LETTERED',
} as const;
export type ExpiryOutcome = (typeof ExpiryOutcome)[keyof typeof ExpiryOutcome];

/**
 * Bumps the head's version and returns the head as it is after the bump. A create attempt that read the
 * version before now fails its condition and sums the ledger again, without the removed entry: every
 * create that can still count the line has committed, and its token is in what this returns.
 */
const closeCreatesInFlight = async (context: StoreContext, productId: number): Promise<StoredItem> => {
  const { Attributes } = await context.client.send(
    new UpdateItemCommand({
      TableName: context.ledgerTableName,
      Key: { [LedgerAttr.PRODUCT_ID]: numberValue(productId), [LedgerAttr.ENTRY]: stringValue(HEAD_ENTRY) },
      UpdateExpression: 'ADD #version :one',
      ExpressionAttributeNames: { '#version': LedgerAttr.VERSION },
      ExpressionAttributeValues: { ':one': numberValue(1) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return Attributes ?? {};
};

/**
 * Whether a create counted the line. A head with `counted_creates` was written by creates that leave their
 * token: the line counted iff the token it was marked with is there. A head without it has seen no such
 * create: the product never arrived, or arrived through a version that left no token, which counted every
 * line still in the ledger then (the best that can be said of those; see docs/design.md §5).
 */
const countedByCreate = async (
  context: StoreContext,
  line: ExpiredOrderLine,
  head: StoredItem,
): Promise<boolean> => {
  const tokens = head[LedgerAttr.COUNTED_CREATES]?.SS;
  if (tokens !== undefined) return line.countedBy !== undefined && tokens.includes(line.countedBy);
  const { stored } = await readProduct(context, line.productId);
  return stored.exists || (stored.deletedAt !== undefined && stored.deletedAt > line.position);
};

/**
 * An order line recorded while its product was absent has expired. If a create counted it, nothing is
 * left to do; if not (the product never arrived, or its create came after TTL had removed the entry), the
 * line must not vanish with its entry: it becomes an UNKNOWN_PRODUCT dead letter with the record as Kafka
 * delivered it, the only letter this line ever gets. The same stream record handled again decides the same
 * and writes the same letter key (the store appends the failure to a letter still there).
 */
export const settleExpiredOrderLine = async (
  context: StoreContext,
  deadLetters: DeadLetterStore,
  line: ExpiredOrderLine,
): Promise<ExpiryOutcome> => {
  const head = await closeCreatesInFlight(context, line.productId);
  if (await countedByCreate(context, line, head)) return ExpiryOutcome.COUNTED;
  await deadLetters.put(
    buildDeadLetter(
      line.record,
      {
        code: ErrorCode.UNKNOWN_PRODUCT,
        message: `No create of product ${line.productId} counted this order line before its ledger entry expired; replay once the product exists`,
      },
      context.now(),
    ),
  );
  return ExpiryOutcome.DEAD_LETTERED;
};
