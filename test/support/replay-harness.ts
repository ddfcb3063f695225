import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectsCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { CliIo } from '../../scripts/cli/run-cli.js';
import type { LocalService } from '../../scripts/local/local-service.js';
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

/** Every object key in the service's dead-letter bucket, replayed/ included, sorted. */
export const bucketKeys = async (service: LocalService): Promise<string[]> => {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2(
    { client: service.aws.s3 },
    { Bucket: service.config.deadLetterBucket },
  )) {
    for (const { Key } of page.Contents ?? []) if (Key !== undefined) keys.push(Key);
  }
  return keys.sort();
};

/** Empties the table and the bucket between tests that share one service. */
export const resetStorage = async (service: LocalService): Promise<void> => {
  for (const item of await service.scanInventory()) {
    await service.aws.dynamoDb.send(
      new DeleteItemCommand({
        TableName: service.config.tableName,
        Key: { product_id: { N: String(item.product_id) } },
      }),
    );
  }
  const keys = await bucketKeys(service);
  if (keys.length > 0) {
    await service.aws.s3.send(
      new DeleteObjectsCommand({
        Bucket: service.config.deadLetterBucket,
        Delete: { Objects: keys.map((Key) => ({ Key })) },
      }),
    );
  }
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
