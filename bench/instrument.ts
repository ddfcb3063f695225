import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** DynamoDB calls issued through one client, by command name. */
export type CallCounts = Map<string, number>;

export const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'UpdateItemCommand',
  'PutItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

export const writeCalls = (calls: CallCounts): number =>
  [...calls].reduce((sum, [command, count]) => sum + (WRITE_COMMANDS.has(command) ? count : 0), 0);

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Adds `latencyMs` to every call (the network round trip that dynalite on loopback does not have) and
 * counts calls by command. Runs at `initialize`, once per call, outside the SDK's retries.
 */
export const instrumentClient = (client: DynamoDBClient, latencyMs: number): CallCounts => {
  const calls: CallCounts = new Map();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      calls.set(command, (calls.get(command) ?? 0) + 1);
      if (latencyMs > 0) await sleep(latencyMs);
      return next(args);
    },
    { step: 'initialize', name: 'benchLatency' },
  );
  return calls;
};
