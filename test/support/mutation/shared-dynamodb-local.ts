import { DeleteTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import type { DynamoDbLocal, DynamoDbLocalOptions } from '../../../scripts/local/dynamodb-local.js';
import { startDynamoDbLocal as startOwnDynamoDbLocal } from '../../../scripts/local/dynamodb-local.js';

// Everything else embedded-aws.ts takes from the real module, whatever it grows to.
export * from '../../../scripts/local/dynamodb-local.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** DynamoDB Local started once per Stryker worker by ./global-setup.ts; absent outside `npm run mutate`. */
    mutationDynamoDbEndpoint: string | undefined;
  }
}

/** Drops every table, so a file starts on an empty database whatever an earlier, aborted run left behind. */
const dropAllTables = async (endpoint: string): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (;;) {
      const { TableNames = [] } = await client.send(new ListTablesCommand({}));
      if (TableNames.length === 0) return;
      await Promise.all(TableNames.map((name) => client.send(new DeleteTableCommand({ TableName: name }))));
    }
  } finally {
    client.destroy();
  }
};

/**
 * Stands in for scripts/local/dynamodb-local.ts under vitest.mutate.config.ts. Stryker reruns a test file
 * once per mutant, and each integration file starts its own JVM (seconds of CPU) in `beforeAll`; here they
 * all share the worker's one DynamoDB Local and get it empty. Files run one at a time there
 * (`fileParallelism: false`), so emptying it cannot pull tables from under another file.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const endpoint = inject('mutationDynamoDbEndpoint');
  if (endpoint === undefined || options.dbPath !== undefined) return startOwnDynamoDbLocal(options);
  await dropAllTables(endpoint);
  // The worker's JVM outlives every file: it does not end while a file uses it.
  return { endpoint, pid: 0, exited: new Promise<void>(() => {}), stop: () => dropAllTables(endpoint) };
};
