import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../lambda/config.js';
import { INVENTORY_KEY_SCHEMA } from '../../lambda/store/attributes.js';
import { LEDGER_KEY_SCHEMA } from '../../lambda/store/ledger-attributes.js';
import { CliError, ExitCode } from './errors.js';

const ignoreAlreadyThere = async (
  create: () => Promise<unknown>,
  names: readonly string[],
): Promise<void> => {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof Error && names.includes(error.name))) throw error;
  }
};

/**
 * Creates the tables and bucket the function expects when missing: only where asked to (npm run local,
 * invoke, an embedded stack started for one run), never as a side effect of reading.
 */
export const ensureLocalResources = async (config: Config, dynamoDb: DynamoDBClient, s3: S3Client) => {
  for (const [TableName, schema] of [
    [config.tableName, INVENTORY_KEY_SCHEMA],
    [config.ledgerTableName, LEDGER_KEY_SCHEMA],
  ] as const) {
    await ignoreAlreadyThere(
      () => dynamoDb.send(new CreateTableCommand({ TableName, ...schema, BillingMode: 'PAY_PER_REQUEST' })),
      ['ResourceInUseException'],
    );
    // A new table is CREATING for a while on a real or long-lived endpoint: use it only once it is ACTIVE.
    await waitUntilTableExists(
      { client: dynamoDb, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
      { TableName },
    );
  }
  await ignoreAlreadyThere(
    () => s3.send(new CreateBucketCommand({ Bucket: config.deadLetterBucket })),
    ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'],
  );
};

/** A table or bucket a tool was pointed at does not exist on the local endpoint. */
export class MissingLocalResourceError extends CliError {
  readonly code = 'MISSING_LOCAL_RESOURCE';

  constructor(message: string) {
    super(message, ExitCode.FAILURE);
  }
}

const isNotFound = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ResourceNotFoundException' ||
    error.name === 'NotFound' ||
    error.name === 'NoSuchBucket' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

const exists = async (check: () => Promise<unknown>): Promise<boolean> => {
  try {
    await check();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
};

/**
 * Checks that what the tool reads or writes is there, and creates nothing: the inventory table always; the
 * ledger table and dead-letter bucket when the tool runs the function (replay, redrive).
 */
export const requireLocalResources = async (
  config: Config,
  dynamoDb: DynamoDBClient,
  s3: S3Client,
  options: { readonly runsFunction: boolean; readonly where: { dynamoDb: string; s3: string } },
): Promise<void> => {
  const tables = options.runsFunction ? [config.tableName, config.ledgerTableName] : [config.tableName];
  for (const TableName of tables) {
    if (!(await exists(() => dynamoDb.send(new DescribeTableCommand({ TableName }))))) {
      throw new MissingLocalResourceError(
        `table ${TableName} does not exist at ${options.where.dynamoDb} (check --table or DYNAMODB_TABLE; nothing was created)`,
      );
    }
  }
  const Bucket = config.deadLetterBucket;
  if (options.runsFunction && !(await exists(() => s3.send(new HeadBucketCommand({ Bucket }))))) {
    throw new MissingLocalResourceError(
      `bucket ${Bucket} does not exist at ${options.where.s3} (check --bucket or DLQ_S3_BUCKET; nothing was created)`,
    );
  }
};
