import { isDeepStrictEqual } from 'node:util';
import { type Config, loadConfig } from '../lambda/config.js';
import type { KafkaEvent } from '../lambda/decode/kafka-event.js';
import { StockModel } from '../lambda/inventory/stock-model.js';
import { createDynamoDbClient } from '../lambda/store/clients.js';
import { storeContextFrom } from '../lambda/store/store-context-factory.js';
import type { EmbeddedAws } from '../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../scripts/local/lambda-context.js';
import { startLocalService } from '../scripts/local/local-service.js';
import { type ClientProbe, instrumentClient, totalCalls, writeCalls } from './instrument.js';
import { applyNaively } from './naive-consumer.js';
import { type BenchProgress, silentProgress } from './progress.js';
import { scanLedgerEntries, scanSeedColumns, seedProducts } from './tables.js';
import { DEFAULT_WORKLOAD, generateWorkload, type Workload, type WorkloadOptions } from './workload.js';

export interface ConsumerRun {
  readonly ms: number;
  readonly probe: ClientProbe;
  readonly calls: number;
  readonly writes: number;
  readonly tableName: string;
  readonly ledgerTableName: string;
}

export interface HandlerRun extends ConsumerRun {
  readonly deadLetters: number;
}

export interface ThroughputFigures {
  readonly latencyMs: number;
  readonly records: number;
  readonly naive: ConsumerRun;
  readonly handler: HandlerRun;
  /** Both consumers left the same seed columns in every item and the same order lines in the ledger. */
  readonly tablesEqual: boolean;
  readonly deadLetters: number;
  /** Σ over batches of the coalesced writes (see WorkloadBatch.coalescedWrites): the limit, in writes. */
  readonly limitWrites: number;
}

/** The stock model both consumers apply (the service's default). */
const STOCK_MODEL = StockModel.ORDERS;

const configFor = (aws: EmbeddedAws, table: string): Config =>
  loadConfig({ ...aws.env, DYNAMODB_TABLE: table, DLQ_S3_BUCKET: `${table}-dlq`, STOCK_MODEL });

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
  progress: BenchProgress = silentProgress,
): Promise<ConsumerRun> => {
  const config = configFor(aws, table);
  await aws.createTable(config.tableName);
  await aws.createLedgerTable(config.ledgerTableName);
  await seedProducts(aws.dynamoDb, config.tableName, workload.initialProducts, workload.initialPosition);
  const client = createDynamoDbClient(config, { credentials: aws.credentials });
  const probe = instrumentClient(client, latencyMs);
  const context = storeContextFrom(client, config);
  const started = performance.now();
  for (const batch of workload.batches) {
    await applyNaively(context, config, batch.event as unknown as KafkaEvent);
    progress.advance(batch.records.length);
  }
  const ms = performance.now() - started;
  client.destroy();
  return {
    ms,
    probe,
    calls: totalCalls(probe.calls),
    writes: writeCalls(probe.calls),
    tableName: config.tableName,
    ledgerTableName: config.ledgerTableName,
  };
};

/** The real handler (startLocalService), one invocation per batch in order, with latency on its client. */
export const runHandler = async (
  aws: EmbeddedAws,
  workload: Workload,
  latencyMs: number,
  table: string,
  progress: BenchProgress = silentProgress,
): Promise<HandlerRun> => {
  let probe: ClientProbe | undefined;
  const service = await startLocalService({
    aws,
    env: { DYNAMODB_TABLE: table, DLQ_S3_BUCKET: `${table}-dlq`, STOCK_MODEL },
    configureClients: ({ dynamoDb }) => {
      probe = instrumentClient(dynamoDb, latencyMs);
    },
  });
  const { config } = service;
  await seedProducts(aws.dynamoDb, config.tableName, workload.initialProducts, workload.initialPosition);
  let deadLetters = 0;
  const started = performance.now();
  await withoutJsonLogs(async () => {
    for (const batch of workload.batches) {
      const summary = await service.invoke(batch.event, createLambdaContext(900_000));
      deadLetters += summary.deadLetterKeys.length;
      progress.advance(batch.records.length);
    }
  });
  const ms = performance.now() - started;
  await service.stop();
  if (probe === undefined) throw new Error('the local service did not hand over its DynamoDB client');
  return {
    ms,
    probe,
    calls: totalCalls(probe.calls),
    writes: writeCalls(probe.calls),
    tableName: config.tableName,
    ledgerTableName: config.ledgerTableName,
    deadLetters,
  };
};

/** The naive loop and the real handler on the same workload, each on its own fresh tables, same latency. */
export const compareThroughput = async (
  aws: EmbeddedAws,
  workload: Workload,
  latencyMs: number,
  label = `${latencyMs}ms`,
  progress: BenchProgress = silentProgress,
): Promise<ThroughputFigures> => {
  progress.phase(`naive per-record loop @${latencyMs} ms/call`, workload.records);
  const naive = await runNaive(aws, workload, latencyMs, `bench-naive-${label}`, progress);
  progress.phase(`handler @${latencyMs} ms/call`, workload.records);
  const handler = await runHandler(aws, workload, latencyMs, `bench-handler-${label}`, progress);
  const [naiveRows, handlerRows, naiveLines, handlerLines] = await Promise.all([
    scanSeedColumns(aws.dynamoDb, naive.tableName),
    scanSeedColumns(aws.dynamoDb, handler.tableName),
    scanLedgerEntries(aws.dynamoDb, naive.ledgerTableName),
    scanLedgerEntries(aws.dynamoDb, handler.ledgerTableName),
  ]);
  const orderItems = workload.batches
    .filter((batch) => batch.topic.endsWith('order_items'))
    .reduce((sum, batch) => sum + batch.records.length, 0);
  return {
    latencyMs,
    records: workload.records,
    naive,
    handler,
    tablesEqual:
      naiveRows.length === workload.initialProducts.length &&
      isDeepStrictEqual(naiveRows, handlerRows) &&
      naiveLines.length === orderItems &&
      isDeepStrictEqual(naiveLines, handlerLines),
    deadLetters: handler.deadLetters,
    limitWrites: workload.batches.reduce((sum, batch) => sum + batch.coalescedWrites, 0),
  };
};

/** A small workload of the same mix over the same products, for timing the engine alone. */
const CALIBRATION: Partial<WorkloadOptions> = { orderItems: 600, productEvents: 30, orderBatchSize: 600 };

/**
 * The engine's own mean time per call (DynamoDB Local's work plus the SDK and loopback HTTP around it):
 * the naive loop, whose calls are strictly sequential, on a small workload of the same mix without injected
 * latency; the second of two passes, so that the JVM has compiled its hot paths.
 */
export const measureEngineCallMs = async (
  aws: EmbeddedAws,
  options: WorkloadOptions,
  progress: BenchProgress = silentProgress,
): Promise<number> => {
  const sample = generateWorkload({
    ...DEFAULT_WORKLOAD,
    ...options,
    ...CALIBRATION,
    seed: options.seed + 1,
  });
  let meanMs = Number.NaN;
  for (const pass of [1, 2]) {
    progress.phase(`calibrating the engine, pass ${pass} of 2`, sample.records);
    const run = await runNaive(aws, sample, 0, `bench-calibration-${pass}`, progress);
    meanMs = run.probe.serviceMs / run.calls;
  }
  return meanMs;
};
