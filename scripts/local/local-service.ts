import { type AttributeValue, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { type Config, loadConfig } from '../../lambda/config.js';
import { createHandler, type InvocationSummary } from '../../lambda/create-handler.js';
import { createDynamoDbClient, createS3Client } from '../../lambda/store/clients.js';
import { createDeadLetterStore, type DeadLetter } from '../../lambda/store/dead-letter.js';
import { createInventoryStore } from '../../lambda/store/inventory-store.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { createLogger, createMetrics } from '../../lambda/telemetry/powertools.js';
import { type EmbeddedAws, startEmbeddedAws } from './embedded-aws.js';
import { createLambdaContext } from './lambda-context.js';

export type InventoryItem = Readonly<Record<string, unknown>>;

/** The real handler wired to embedded DynamoDB and S3, plus ways to look at what it did. */
export interface LocalService {
  readonly aws: EmbeddedAws;
  readonly config: Config;
  invoke(event: unknown, context?: Context): Promise<InvocationSummary>;
  scanInventory(): Promise<InventoryItem[]>;
  listDeadLetters(): Promise<Array<{ key: string; letter: DeadLetter }>>;
  stop(): Promise<void>;
}

const plainValue = (value: AttributeValue): unknown => {
  if (value.N !== undefined) return Number(value.N);
  if (value.S !== undefined) return value.S;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.SS !== undefined) return [...value.SS];
  if (value.M !== undefined) return plainItem(value.M);
  if (value.L !== undefined) return value.L.map(plainValue);
  return value;
};

/** DynamoDB attribute values → plain JSON, for printing and for comparing with a model. */
export const plainItem = (item: Readonly<Record<string, AttributeValue>>): InventoryItem =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plainValue(value)]));

export interface LocalServiceOptions {
  /** Environment overrides (DYNAMODB_TABLE, DLQ_S3_BUCKET, LOW_STOCK_THRESHOLD, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse running embedded services instead of starting new ones; `stop` then leaves them running. */
  readonly aws?: EmbeddedAws;
  /** Hook to add SDK middleware (fault injection, latency) to the handler's own clients. */
  readonly configureClients?: (clients: { dynamoDb: DynamoDBClient; s3: S3Client }) => void;
}

export const startLocalService = async (options: LocalServiceOptions = {}): Promise<LocalService> => {
  const ownsAws = options.aws === undefined;
  const aws = options.aws ?? (await startEmbeddedAws());
  const overrides = options.env ?? {};
  const config = loadConfig({
    DYNAMODB_TABLE: 'inventory-realtime',
    DLQ_S3_BUCKET: 'inventory-dlq-local',
    ...aws.env,
    ...overrides,
  });
  await aws.createTable(config.tableName);
  await aws.createLedgerTable(config.ledgerTableName);
  await aws.createBucket(config.deadLetterBucket);
  const dynamoDb = createDynamoDbClient(config, { credentials: aws.credentials });
  const s3 = createS3Client(config, { credentials: aws.credentials });
  options.configureClients?.({ dynamoDb, s3 });
  const handler = createHandler({
    config,
    logger: createLogger(),
    metrics: createMetrics(),
    store: createInventoryStore(storeContextFrom(dynamoDb, config)),
    deadLetters: createDeadLetterStore(s3, config.deadLetterBucket),
  });
  return {
    aws,
    config,
    invoke: (event, context) => handler(event, context ?? createLambdaContext()),
    async scanInventory() {
      const items: InventoryItem[] = [];
      for await (const page of paginateScan({ client: aws.dynamoDb }, { TableName: config.tableName })) {
        items.push(...(page.Items ?? []).map(plainItem));
      }
      return items.sort((a, b) => Number(a.product_id) - Number(b.product_id));
    },
    async listDeadLetters() {
      const letters: Array<{ key: string; letter: DeadLetter }> = [];
      for await (const page of paginateListObjectsV2(
        { client: aws.s3 },
        { Bucket: config.deadLetterBucket },
      )) {
        for (const { Key } of page.Contents ?? []) {
          if (Key === undefined) continue;
          const object = await aws.s3.send(new GetObjectCommand({ Bucket: config.deadLetterBucket, Key }));
          letters.push({ key: Key, letter: JSON.parse((await object.Body?.transformToString()) ?? 'null') });
        }
      }
      return letters;
    },
    async stop() {
      dynamoDb.destroy();
      s3.destroy();
      if (ownsAws) await aws.stop();
    },
  };
};
