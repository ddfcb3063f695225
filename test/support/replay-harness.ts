import { BatchWriteItemCommand, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { KafkaRecord } from '../../lambda/decode/kafka-event.js';
import { ErrorCode } from '../../lambda/errors.js';
import { buildDeadLetter, createDeadLetterStore, type DeadLetter } from '../../lambda/store/dead-letter.js';
import { LedgerAttr } from '../../lambda/store/ledger-attributes.js';
import type { CliIo } from '../../scripts/cli/run-cli.js';
import { type InventoryItem, type LocalService, plainItem } from '../../scripts/local/local-service.js';
import { REPLAYED_PREFIX } from '../../scripts/replay/letter-key.js';
import { type ReplayRun, replayDeadLetters } from '../../scripts/replay/replay.js';
import type { ReplaySummary } from '../../scripts/replay/report.js';

/** A CliIo that keeps what a tool prints, for assertions. */
export const recordingIo = (isTty = false): CliIo & { out: string[]; err: string[]; text(): string } => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    isTty,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    text: () => out.join(''),
  };
};

/** Every object key in a bucket, replayed/ included, sorted. */
export const keysOf = async (s3: S3Client, bucket: string): Promise<string[]> => {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const { Key } of page.Contents ?? []) if (Key !== undefined) keys.push(Key);
  }
  return keys.sort();
};

/** Every object key in the service's dead-letter bucket, replayed/ included, sorted. */
export const bucketKeys = (service: LocalService): Promise<string[]> =>
  keysOf(service.aws.s3, service.config.deadLetterBucket);

const scanAll = async (client: DynamoDBClient, table: string): Promise<InventoryItem[]> => {
  const items: InventoryItem[] = [];
  for await (const page of paginateScan({ client }, { TableName: table, ConsistentRead: true })) {
    items.push(...(page.Items ?? []).map(plainItem));
  }
  return items;
};

/** The ledger table's items (heads `H` and order-line entries `O<position>#<id>`), by product then entry. */
export const scanLedger = async (service: LocalService): Promise<InventoryItem[]> =>
  (await scanAll(service.aws.dynamoDb, service.config.ledgerTableName)).sort(
    (a, b) =>
      Number(a[LedgerAttr.PRODUCT_ID]) - Number(b[LedgerAttr.PRODUCT_ID]) ||
      String(a[LedgerAttr.ENTRY]).localeCompare(String(b[LedgerAttr.ENTRY])),
  );

/** The order-line ids the ledger holds for each product (from the entries' `#<id>` suffix). */
export const ledgerOrderLines = async (service: LocalService): Promise<Record<number, number[]>> => {
  const lines: Record<number, number[]> = {};
  for (const entry of await scanLedger(service)) {
    const name = String(entry[LedgerAttr.ENTRY]);
    if (!name.startsWith('O')) continue;
    const productId = Number(entry[LedgerAttr.PRODUCT_ID]);
    lines[productId] = [...(lines[productId] ?? []), Number(name.slice(name.lastIndexOf('#') + 1))].sort(
      (a, b) => a - b,
    );
  }
  return lines;
};

const deleteAll = async (client: DynamoDBClient, table: string, keyNames: readonly string[]) => {
  const items = await scanAll(client, table);
  for (let start = 0; start < items.length; start += 25) {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [table]: items.slice(start, start + 25).map((item) => ({
            DeleteRequest: {
              Key: Object.fromEntries(
                keyNames.map((name) => {
                  const value = item[name];
                  return [name, typeof value === 'number' ? { N: String(value) } : { S: String(value) }];
                }),
              ),
            },
          })),
        },
      }),
    );
  }
};

/** Empties the inventory table, the ledger table and the bucket between tests that share one service. */
export const resetStorage = async (service: LocalService): Promise<void> => {
  const { dynamoDb, s3 } = service.aws;
  await deleteAll(dynamoDb, service.config.tableName, ['product_id']);
  await deleteAll(dynamoDb, service.config.ledgerTableName, [LedgerAttr.PRODUCT_ID, LedgerAttr.ENTRY]);
  const keys = await bucketKeys(service);
  if (keys.length > 0) {
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: service.config.deadLetterBucket,
        Delete: { Objects: keys.map((Key) => ({ Key })) },
      }),
    );
  }
};

/**
 * The letter an older version wrote for an order line whose product was not in the table when it arrived:
 * the same DeadLetter shape, with the message of those versions (they dead-lettered at once, no lag bound).
 */
export const olderVersionLetter = (record: KafkaRecord, productId: number, at: Date): DeadLetter =>
  buildDeadLetter(
    record,
    {
      code: ErrorCode.UNKNOWN_PRODUCT,
      message: `Product ${productId} is not in the inventory table; replay once it exists`,
    },
    at,
    {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/shop-cdc/0f1e2d3c-test',
    },
  );

/** Writes letters as the function's own dead-letter store writes them (same key, same body); their keys. */
export const putLetters = async (
  s3: S3Client,
  bucket: string,
  letters: readonly DeadLetter[],
): Promise<string[]> => {
  const store = createDeadLetterStore(s3, bucket);
  const keys: string[] = [];
  for (const letter of letters) keys.push(await store.put(letter));
  return keys;
};

/** Copies every letter under replayed/ back to its original key, as if an old copy of the bucket came back. */
export const putReplayedLettersBack = async (s3: S3Client, bucket: string): Promise<number> => {
  let copied = 0;
  for (const key of await keysOf(s3, bucket)) {
    if (!key.startsWith(REPLAYED_PREFIX)) continue;
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key.slice(REPLAYED_PREFIX.length),
        CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
    copied += 1;
  }
  return copied;
};

const ALL: ReplayRun = { filters: {}, dryRun: false, deleteReplayed: false };

/** Runs replay against the service's own table and bucket, as `npm run replay -- --endpoint local` would. */
export const replay = (
  service: LocalService,
  run: Partial<ReplayRun> = {},
  io: CliIo = recordingIo(),
): Promise<ReplaySummary> =>
  replayDeadLetters(
    { ...ALL, ...run },
    { config: service.config, dynamoDb: service.aws.dynamoDb, s3: service.aws.s3, io },
  );
