import {
  type AttributeValue,
  type DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { itemKeyOf } from './instrument.js';

/** What the emulation did: transactions sent, cancelled as conflicting, committed; plain writes refused. */
export interface ConflictEmulation {
  readonly transactions: { sent: number; cancelled: number; committed: number };
  refusedWrites: number;
  /** Σ over committed transactions of the time they held their items (DynamoDB Local's answer time). */
  heldMs: number;
}

const PLAIN_WRITES: ReadonlySet<string> = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
]);

interface CallInput {
  readonly TableName?: string;
  readonly Key?: Record<string, AttributeValue>;
  readonly Item?: Record<string, AttributeValue>;
  readonly TransactItems?: readonly TransactWriteItem[];
}

const actionKey = (action: TransactWriteItem): string => {
  const part = action.Put ?? action.Update ?? action.Delete ?? action.ConditionCheck;
  const key = action.Put
    ? action.Put.Item
    : (part as { Key?: Record<string, AttributeValue> } | undefined)?.Key;
  return `${part?.TableName ?? '?'}\u0000${itemKeyOf(key ?? {})}`;
};

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Real DynamoDB's transaction conflicts, which DynamoDB Local does not have (it runs transactions one after
 * the other instead). DynamoDB cancels a TransactWriteItems that touches an item another transaction holds
 * at that moment (`TransactionCanceledException`, reason `TransactionConflict` for that item, `None` for the
 * rest) and refuses a PutItem, UpdateItem or DeleteItem of such an item (`TransactionConflictException`);
 * reads are not refused. Here every transaction holds all its items from the moment it arrives until
 * DynamoDB Local has answered it, and one that arrives while another holds one of its items is cancelled
 * without reaching DynamoDB Local. The injected latency is split around that: half before arrival (the
 * request on its way), half after the answer. A middleware at `initialize`, outside the SDK's retries, as
 * the service's own conflicts are (the SDK does not retry a cancelled transaction).
 */
export const emulateTransactionConflicts = (client: DynamoDBClient, latencyMs: number): ConflictEmulation => {
  const emulation: ConflictEmulation = {
    transactions: { sent: 0, cancelled: 0, committed: 0 },
    refusedWrites: 0,
    heldMs: 0,
  };
  const held = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as CallInput;
      await sleep(latencyMs / 2);
      try {
        if (command === 'TransactWriteItemsCommand') {
          emulation.transactions.sent += 1;
          const keys = (input.TransactItems ?? []).map(actionKey);
          if (keys.some((key) => held.has(key))) {
            emulation.transactions.cancelled += 1;
            throw new TransactionCanceledException({
              message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
              $metadata: { httpStatusCode: 400 },
              CancellationReasons: keys.map((key) =>
                held.has(key)
                  ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
                  : { Code: 'None' },
              ),
            });
          }
          for (const key of keys) held.add(key);
          const holding = performance.now();
          try {
            const result = await next(args);
            emulation.transactions.committed += 1;
            emulation.heldMs += performance.now() - holding;
            return result;
          } finally {
            for (const key of keys) held.delete(key);
          }
        }
        if (PLAIN_WRITES.has(command)) {
          const key = `${input.TableName ?? '?'}\u0000${itemKeyOf(input.Key ?? input.Item ?? {})}`;
          if (held.has(key)) {
            emulation.refusedWrites += 1;
            throw new TransactionConflictException({
              message: 'Transaction is ongoing for the item',
              $metadata: { httpStatusCode: 400 },
            });
          }
        }
        return await next(args);
      } finally {
        await sleep(latencyMs / 2);
      }
    },
    { step: 'initialize', name: 'benchTransactionConflicts' },
  );
  return emulation;
};
