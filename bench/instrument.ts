import type {
  AttributeValue,
  ConsumedCapacity,
  DynamoDBClient,
  TransactWriteItem,
} from '@aws-sdk/client-dynamodb';

/** DynamoDB calls issued through one client, by command name. */
export type CallCounts = Map<string, number>;

export const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'UpdateItemCommand',
  'PutItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** One item a successful write call touched. */
export interface WriteAction {
  readonly table: string;
  /** The item's key, as itemKeyOf writes it. */
  readonly key: string;
  readonly kind: 'put' | 'update' | 'delete' | 'check';
  /** Part of a TransactWriteItems: DynamoDB performs two underlying writes (prepare, commit). */
  readonly transactional: boolean;
  /** The probe's tag when the call was sent: which topic's invocation wrote it. */
  readonly tag: string;
}

/** Both tables' keys: `product_id` (inventory) and `product_id` + `entry` (ledger). */
export const itemKeyOf = (item: Readonly<Record<string, AttributeValue>>): string =>
  `${item.product_id?.N ?? ''}\u0000${item.entry?.S ?? ''}`;

/** What one client did, as seen from the SDK: calls, time spent in them, write capacity. */
export interface ClientProbe {
  readonly calls: CallCounts;
  /** Write calls that failed (conditional check failed, transaction cancelled): they return no capacity. */
  failedWrites: number;
  /**
   * Σ over calls of the time from sending to the answer, without the injected latency: serialization,
   * loopback HTTP and DynamoDB Local's own work. Per call on a sequential client, the engine's cost.
   */
  serviceMs: number;
  /** WCU by table name, as DynamoDB Local returned them in ConsumedCapacity (ReturnConsumedCapacity TOTAL). */
  readonly reportedCapacity: Map<string, number>;
  /** Successful write calls whose answer carried ConsumedCapacity. */
  capacityReports: number;
  /** Every item each successful write call touched, in order. */
  readonly writeLog: WriteAction[];
  /** Set by the runner before each invocation (its topic); copied onto every WriteAction. */
  tag: string;
}

export const writeCalls = (calls: CallCounts): number =>
  [...calls].reduce((sum, [command, count]) => sum + (WRITE_COMMANDS.has(command) ? count : 0), 0);

export const totalCalls = (calls: CallCounts): number =>
  [...calls.values()].reduce((sum, count) => sum + count, 0);

export const reportedCapacity = (probe: ClientProbe): number =>
  [...probe.reportedCapacity.values()].reduce((sum, units) => sum + units, 0);

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

interface WriteInput {
  readonly TableName?: string;
  readonly Item?: Record<string, AttributeValue>;
  readonly Key?: Record<string, AttributeValue>;
  readonly TransactItems?: readonly TransactWriteItem[];
  readonly RequestItems?: Record<
    string,
    ReadonlyArray<{
      PutRequest?: { Item?: Record<string, AttributeValue> };
      DeleteRequest?: { Key?: Record<string, AttributeValue> };
    }>
  >;
}

const actionsOf = (command: string, input: WriteInput, tag: string): WriteAction[] => {
  const one = (
    table: string | undefined,
    item: Record<string, AttributeValue> | undefined,
    kind: WriteAction['kind'],
    transactional: boolean,
  ): WriteAction => ({ table: table ?? '?', key: itemKeyOf(item ?? {}), kind, transactional, tag });
  if (command === 'TransactWriteItemsCommand') {
    return (input.TransactItems ?? []).map((action) => {
      if (action.Put) return one(action.Put.TableName, action.Put.Item, 'put', true);
      if (action.Update) return one(action.Update.TableName, action.Update.Key, 'update', true);
      if (action.Delete) return one(action.Delete.TableName, action.Delete.Key, 'delete', true);
      return one(action.ConditionCheck?.TableName, action.ConditionCheck?.Key, 'check', true);
    });
  }
  if (command === 'BatchWriteItemCommand') {
    return Object.entries(input.RequestItems ?? {}).flatMap(([table, requests]) =>
      requests.map((request) =>
        request.PutRequest
          ? one(table, request.PutRequest.Item, 'put', false)
          : one(table, request.DeleteRequest?.Key, 'delete', false),
      ),
    );
  }
  if (command === 'PutItemCommand') return [one(input.TableName, input.Item, 'put', false)];
  return [one(input.TableName, input.Key, command === 'DeleteItemCommand' ? 'delete' : 'update', false)];
};

const capacities = (value: unknown): readonly ConsumedCapacity[] => {
  if (Array.isArray(value)) return value as ConsumedCapacity[];
  return value === undefined || value === null ? [] : [value as ConsumedCapacity];
};

/**
 * Adds `latencyMs` to every call (the network round trip that DynamoDB Local on loopback does not have),
 * counts calls by command and times them; runs at `initialize`, once per call, outside the SDK's retries.
 * Every write command asks for ReturnConsumedCapacity TOTAL, and a `finalizeRequest` middleware (inside the
 * retries, after deserialization) adds up the CapacityUnits each successful write returns, per table, and
 * logs the items it touched (footprint.ts prices them by DynamoDB's documented rules).
 */
export const instrumentClient = (client: DynamoDBClient, latencyMs: number): ClientProbe => {
  const probe: ClientProbe = {
    calls: new Map(),
    failedWrites: 0,
    serviceMs: 0,
    reportedCapacity: new Map(),
    capacityReports: 0,
    writeLog: [],
    tag: '',
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      probe.calls.set(command, (probe.calls.get(command) ?? 0) + 1);
      const isWrite = WRITE_COMMANDS.has(command);
      if (isWrite) (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      if (latencyMs > 0) await sleep(latencyMs);
      const started = performance.now();
      try {
        return await next(args);
      } catch (error) {
        if (isWrite) probe.failedWrites += 1;
        throw error;
      } finally {
        probe.serviceMs += performance.now() - started;
      }
    },
    { step: 'initialize', name: 'benchLatency' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const tag = probe.tag;
      const result = await next(args);
      const command = String(context.commandName);
      if (WRITE_COMMANDS.has(command)) {
        probe.writeLog.push(...actionsOf(command, args.input as WriteInput, tag));
        const reported = capacities((result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        if (reported.length > 0) probe.capacityReports += 1;
        for (const { TableName, CapacityUnits } of reported) {
          const table = TableName ?? '?';
          probe.reportedCapacity.set(table, (probe.reportedCapacity.get(table) ?? 0) + (CapacityUnits ?? 0));
        }
      }
      return result;
    },
    { step: 'finalizeRequest', name: 'benchConsumedCapacity' },
  );
  return probe;
};
