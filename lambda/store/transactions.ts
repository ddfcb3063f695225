import {
  type AttributeValue,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { StoreContext } from './store-context.js';

/** DynamoDB's limit on actions per TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * Why one action of a cancelled transaction failed ('None' when it did not), with the item as it was when
 * the action asked for it (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`): a refused condition then
 * tells the writer what it needs to re-plan without a second read.
 */
export interface Cancellation {
  readonly code: string;
  readonly item?: Readonly<Record<string, AttributeValue>>;
}

/**
 * Sends one transaction. Returns undefined when it committed, or the cancellation reasons when a condition
 * failed or it collided with another transaction: the caller re-reads and re-plans. Anything else throws.
 * No ClientRequestToken: a transaction the SDK sends again after a lost response fails its own conditions
 * (the entries exist, the item moved on), and the re-read shows it applied; a token would instead make
 * DynamoDB answer "done" for ten minutes even after the data it wrote was removed.
 */
export const transactWrite = async (
  context: StoreContext,
  items: readonly TransactWriteItem[],
): Promise<readonly Cancellation[] | undefined> => {
  try {
    await context.client.send(new TransactWriteItemsCommand({ TransactItems: [...items] }));
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
    return items.map((_, index) => {
      const reason = reasons[index];
      return { code: reason?.Code ?? 'None', ...(reason?.Item === undefined ? {} : { item: reason.Item }) };
    });
  }
};

export const isConditionFailure = (code: string | undefined): boolean => code === 'ConditionalCheckFailed';
