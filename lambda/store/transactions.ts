import { createHash } from 'node:crypto';
import {
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { StoreContext } from './store-context.js';

/** DynamoDB's limit on actions per TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Why each action of a cancelled transaction failed, in the order they were sent ('None' when it did not). */
export type CancellationCodes = readonly string[];

/**
 * The same transaction sent again within ten minutes (the SDK's own retry after a lost response, or a
 * redelivered batch) takes effect once: the token is derived from the transaction's content.
 */
const requestToken = (items: readonly TransactWriteItem[]): string =>
  createHash('sha256').update(JSON.stringify(items)).digest('base64url').slice(0, 36);

/**
 * Sends one transaction. Returns undefined when it committed, or the cancellation codes when a condition
 * failed or it collided with another transaction: the caller re-reads and re-plans. Anything else throws.
 */
export const transactWrite = async (
  context: StoreContext,
  items: readonly TransactWriteItem[],
): Promise<CancellationCodes | undefined> => {
  try {
    await context.client.send(
      new TransactWriteItemsCommand({ TransactItems: [...items], ClientRequestToken: requestToken(items) }),
    );
    return undefined;
  } catch (error) {
    if (
      !(error instanceof TransactionCanceledException) &&
      (error as Error)?.name !== 'TransactionCanceledException'
    ) {
      throw error;
    }
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    if (reasons.some((reason) => reason.Code === 'ValidationError')) {
      throw Object.assign(new Error(`Transaction refused: ${(error as Error).message}`), {
        name: 'ValidationException',
        cause: error,
      });
    }
    return items.map((_, index) => reasons[index]?.Code ?? 'None');
  }
};

export const isConditionFailure = (code: string | undefined): boolean => code === 'ConditionalCheckFailed';
