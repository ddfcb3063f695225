import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB cancels a transaction that touches an item another transaction holds at that moment
 * (`TransactionConflict`), and refuses a plain write to such an item (`TransactionConflictException`).
 * DynamoDB Local serialises transactions instead, so tests put the real service's behaviour back: a seeded
 * share of the writes fail as real DynamoDB would fail them under contention, before reaching the table.
 */
export interface ConflictInjector {
  /** Probability that a write is refused as conflicting, in [0, 1). */
  rate: number;
  readonly injected: { transactions: number; updates: number };
}

type Next = (args: unknown) => Promise<unknown>;
interface MiddlewareStack {
  add(
    middleware: (next: Next, context: { commandName?: string }) => Next,
    options: { step: 'initialize'; name: string },
  ): void;
}

let injectors = 0;

export const injectTransactionConflicts = (
  client: DynamoDBClient,
  rate: number,
  random: () => number,
): ConflictInjector => {
  const injector: ConflictInjector = { rate, injected: { transactions: 0, updates: 0 } };
  (client.middlewareStack as unknown as MiddlewareStack).add(
    (next, context) => async (args) => {
      const name = context.commandName;
      if (random() >= injector.rate) return next(args);
      if (name === 'TransactWriteItemsCommand') {
        injector.injected.transactions += 1;
        const items = (args as { input: { TransactItems: unknown[] } }).input.TransactItems;
        const held = Math.floor(random() * items.length);
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
          $metadata: {},
          CancellationReasons: items.map((_, index) =>
            index === held
              ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
              : { Code: 'None' },
          ),
        });
      }
      if (name === 'UpdateItemCommand') {
        injector.injected.updates += 1;
        throw new TransactionConflictException({
          message: 'Transaction is ongoing for the item',
          $metadata: {},
        });
      }
      return next(args);
    },
    { step: 'initialize', name: `injectTransactionConflicts${++injectors}` },
  );
  return injector;
};
