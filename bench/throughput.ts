import { isDeepStrictEqual } from 'node:util';
import { createDynamoDbClient } from '../lambda/store/clients.js';
import type { EmbeddedAws } from '../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../scripts/local/lambda-context.js';
import { startLocalService } from '../scripts/local/local-service.js';
import { type CallCounts, instrumentClient, writeCalls } from './instrument.js';
import { applyNaively } from './naive-consumer.js';
import { scanSeedColumns, seedProducts } from './tables.js';
import type { Workload } from './workload.js';

export interface ConsumerRun {
  readonly ms: number;
  readonly calls: CallCounts;
  readonly writes: number;
}

export interface ThroughputFigures {
  readonly latencyMs: number;
  readonly records: number;
  readonly naive: ConsumerRun;
  readonly handler: ConsumerRun;
  readonly tablesEqual: boolean;
  readonly deadLetters: number;
  /** Σ over batches of distinct products: the coalescing limit, in writes. */
  readonly limitWrites: number;
  /** Σ over batches of distinct (product, partition) pairs: the accepted floor, in writes. */
  readonly floorWrites: number;
}

/**
 * Powertools writes a JSON line per log and per metrics document; they are still produced (their cost is
 * part of the handler's) but not printed over the bench's figures.
 */
const withoutJsonLogs = async <T>(work: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('{"')
      ? true
      : write(chunk, ...rest)) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write as typeof process.stdout.write;
  }
};

const runNaive = async (
  aws: EmbeddedAws,
  workload: Workload,
  latencyMs: number,
  table: string,
): Promise<ConsumerRun> => {
  await aws.createTable(table);
  await seedProducts(aws.dynamoDb, table, workload.initialProducts, workload.initialPosition);
  const client = createDynamoDbClient(
    { region: aws.region, dynamoDbEndpoint: aws.dynamoDbEndpoint, s3Endpoint: aws.s3Endpoint },
    { credentials: aws.credentials },
  );
  const calls = instrumentClient(client, latencyMs);
  const started = performance.now();
  for (const batch of workload.batches) await applyNaively(client, table, batch.event);
  const ms = performance.now() - started;
  client.destroy();
  return { ms, calls, writes: writeCalls(calls) };
};

const runHandler = async (
  aws: EmbeddedAws,
  workload: Workload,
  latencyMs: number,
  table: string,
): Promise<ConsumerRun & { deadLetters: number }> => {
  let calls: CallCounts = new Map();
  const service = await startLocalService({
    aws,
    env: { DYNAMODB_TABLE: table, DLQ_S3_BUCKET: `${table}-dlq` },
    configureClients: ({ dynamoDb }) => {
      calls = instrumentClient(dynamoDb, latencyMs);
    },
  });
  await seedProducts(aws.dynamoDb, table, workload.initialProducts, workload.initialPosition);
  let deadLetters = 0;
  const started = performance.now();
  await withoutJsonLogs(async () => {
    for (const batch of workload.batches) {
      const summary = await service.invoke(batch.event, createLambdaContext(900_000));
      deadLetters += summary.deadLetterKeys.length;
    }
  });
  const ms = performance.now() - started;
  await service.stop();
  return { ms, calls, writes: writeCalls(calls), deadLetters };
};

/** The naive loop and the real handler on the same workload, each on its own fresh table, same latency. */
export const compareThroughput = async (
  aws: EmbeddedAws,
  workload: Workload,
  latencyMs: number,
): Promise<ThroughputFigures> => {
  const naiveTable = `bench-naive-${latencyMs}ms`;
  const handlerTable = `bench-handler-${latencyMs}ms`;
  const naive = await runNaive(aws, workload, latencyMs, naiveTable);
  const { deadLetters, ...handler } = await runHandler(aws, workload, latencyMs, handlerTable);
  const [naiveRows, handlerRows] = await Promise.all([
    scanSeedColumns(aws.dynamoDb, naiveTable),
    scanSeedColumns(aws.dynamoDb, handlerTable),
  ]);
  return {
    latencyMs,
    records: workload.records,
    naive,
    handler,
    tablesEqual:
      naiveRows.length === workload.initialProducts.length && isDeepStrictEqual(naiveRows, handlerRows),
    deadLetters,
    limitWrites: workload.batches.reduce((sum, batch) => sum + batch.distinctProducts, 0),
    floorWrites: workload.batches.reduce((sum, batch) => sum + batch.distinctProductPartitions, 0),
  };
};
