import { isDeepStrictEqual } from 'node:util';
import { type Config, loadConfig } from '../lambda/config.js';
import { StockModel } from '../lambda/inventory/stock-model.js';
import { createDynamoDbClient } from '../lambda/store/clients.js';
import { MetricName } from '../lambda/telemetry/metric-names.js';
import type { EmbeddedAws } from '../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../scripts/local/lambda-context.js';
import { startLocalService } from '../scripts/local/local-service.js';
import { type ClientProbe, instrumentClient, totalCalls, writeCalls } from './instrument.js';
import { type BenchProgress, silentProgress } from './progress.js';
import { applyLikeThePythonService } from './python-loop.js';
import { withoutJsonLogs } from './quiet-logs.js';
import { scanLedgerEntries, scanSeedColumns, seedProducts } from './tables.js';
import { DEFAULT_WORKLOAD, generateWorkload, type Workload, type WorkloadOptions } from './workload.js';

export interface ConsumerRun {
  readonly ms: number;
  /** process.cpuUsage (user + system) of the bench process around the consumer's own work, in µs. */
  readonly cpuMicros: number;
  readonly probe: ClientProbe;
  readonly calls: number;
  readonly writes: number;
  /** Write attempts and committed writes, as the consumer counts them (the handler: its metrics). */
  readonly attempts: number;
  readonly commits: number;
  readonly tableName: string;
  /** The handler's ledger; the Python loop has none. */
  readonly ledgerTableName?: string;
}

export interface HandlerRun extends ConsumerRun {
  readonly deadLetters: number;
}

/** Whether both tables hold what they must; see compareConsumers. */
export interface TableCheck {
  /** name, description and price of every product: the same in both tables. */
  readonly columnsEqual: boolean;
  /** Products no products change touched, and of those, how many hold the same stock in both tables. */
  readonly orderOnly: number;
  readonly orderOnlyEqual: number;
  /** Products whose stock equals the serial commit-order application (workload.expectedStocks). */
  readonly handlerExact: number;
  readonly loopExact: number;
  readonly products: number;
  /** Order-line entries in the handler's ledger, against the workload's order lines. */
  readonly ledgerEntries: number;
  readonly ok: boolean;
}

export interface ThroughputFigures {
  readonly latencyMs: number;
  readonly records: number;
  readonly orderLines: number;
  readonly loop: ConsumerRun;
  readonly handler: HandlerRun;
  readonly tables: TableCheck;
  readonly deadLetters: number;
  /** Σ over batches of the coalesced writes (see WorkloadBatch.coalescedWrites): the limit, in writes. */
  readonly limitWrites: number;
}

/** The stock model the handler applies (the service's default and the Python service's model). */
const STOCK_MODEL = StockModel.ORDERS;

const configFor = (aws: EmbeddedAws, table: string): Config =>
  loadConfig({ ...aws.env, DYNAMODB_TABLE: table, DLQ_S3_BUCKET: `${table}-dlq`, STOCK_MODEL });

const cpuMicrosOf = (usage: NodeJS.CpuUsage): number => usage.user + usage.system;

/** The Python service's loop (python-loop.ts) over every batch in order, on its own table of Python items. */
export const runPythonLoop = async (
  aws: EmbeddedAws,
  workload: Workload,
  latencyMs: number,
  table: string,
  progress: BenchProgress = silentProgress,
): Promise<ConsumerRun> => {
  const config = configFor(aws, table);
  await aws.createTable(config.tableName);
  await seedProducts(aws.dynamoDb, config.tableName, workload.initialProducts, undefined);
  const client = createDynamoDbClient(config, { credentials: aws.credentials });
  const probe = instrumentClient(client, latencyMs);
  const target = {
    client,
    tableName: config.tableName,
    productsTopic: config.productsTopic,
    orderItemsTopic: config.orderItemsTopic,
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const batch of workload.batches) {
    probe.tag = batch.topic;
    await applyLikeThePythonService(target, batch.event);
    progress.advance(batch.records.length);
  }
  const ms = performance.now() - started;
  const cpuMicros = cpuMicrosOf(process.cpuUsage(cpu));
  client.destroy();
  const writes = writeCalls(probe.calls);
  return {
    ms,
    cpuMicros,
    probe,
    calls: totalCalls(probe.calls),
    writes,
    attempts: writes,
    commits: writes - probe.failedWrites,
    tableName: config.tableName,
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
  if (probe === undefined) throw new Error('the local service did not hand over its DynamoDB client');
  const { config } = service;
  await seedProducts(aws.dynamoDb, config.tableName, workload.initialProducts, workload.initialPosition);
  let deadLetters = 0;
  let attempts = 0;
  let commits = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await withoutJsonLogs(async () => {
    for (const batch of workload.batches) {
      (probe as ClientProbe).tag = batch.topic;
      const summary = await service.invoke(batch.event, createLambdaContext(900_000));
      deadLetters += summary.deadLetterKeys.length;
      attempts += summary.counts[MetricName.WRITE_ATTEMPTS];
      commits += summary.counts[MetricName.DYNAMODB_WRITES];
      progress.advance(batch.records.length);
    }
  });
  const ms = performance.now() - started;
  const cpuMicros = cpuMicrosOf(process.cpuUsage(cpu));
  await service.stop();
  return {
    ms,
    cpuMicros,
    probe,
    calls: totalCalls(probe.calls),
    writes: writeCalls(probe.calls),
    attempts,
    commits,
    tableName: config.tableName,
    ledgerTableName: config.ledgerTableName,
    deadLetters,
  };
};

type Row = Record<string, unknown>;
const columns = ({ product_id, name, description, price }: Row) => ({ product_id, name, description, price });

/**
 * What must hold after both ran on the same workload. The handler's stock equals the serial commit-order
 * application for every product. The loop's equals the handler's for products no products change touched
 * (order lines only: `ADD`s commute); elsewhere the loop is wrong by design (its `PutItem` writes the row's
 * stock_quantity back and it applies the two topics in delivery order), and how often is reported, not
 * failed. Names, descriptions and prices are the last products change's in both.
 */
export const checkTables = (
  workload: Workload,
  loopRows: readonly Row[],
  handlerRows: readonly Row[],
  ledgerEntries: number,
): TableCheck => {
  const loopStock = new Map(loopRows.map((row) => [Number(row.product_id), row.stock_quantity]));
  const handlerStock = new Map(handlerRows.map((row) => [Number(row.product_id), row.stock_quantity]));
  const exact = (stocks: Map<number, unknown>) =>
    [...workload.expectedStocks].filter(([id, stock]) => stocks.get(id) === stock).length;
  const orderOnlyEqual = [...workload.orderOnlyProducts].filter(
    (id) => loopStock.get(id) !== undefined && loopStock.get(id) === handlerStock.get(id),
  ).length;
  const columnsEqual =
    loopRows.length === workload.initialProducts.length &&
    isDeepStrictEqual(loopRows.map(columns), handlerRows.map(columns));
  const handlerExact = exact(handlerStock);
  const products = workload.expectedStocks.size;
  return {
    columnsEqual,
    orderOnly: workload.orderOnlyProducts.size,
    orderOnlyEqual,
    handlerExact,
    loopExact: exact(loopStock),
    products,
    ledgerEntries,
    ok:
      columnsEqual &&
      orderOnlyEqual === workload.orderOnlyProducts.size &&
      handlerExact === products &&
      ledgerEntries === workload.orderLines,
  };
};

/** The Python loop and the real handler on the same workload, each on its own fresh tables, same latency. */
export const compareConsumers = async (
  aws: EmbeddedAws,
  workload: Workload,
  latencyMs: number,
  label: string,
  progress: BenchProgress = silentProgress,
): Promise<ThroughputFigures> => {
  progress.phase(`Python loop @${latencyMs} ms/call, ${label}`, workload.records);
  const loop = await runPythonLoop(aws, workload, latencyMs, `bench-loop-${label}`, progress);
  progress.phase(`handler @${latencyMs} ms/call, ${label}`, workload.records);
  const handler = await runHandler(aws, workload, latencyMs, `bench-handler-${label}`, progress);
  const [loopRows, handlerRows, lines] = await Promise.all([
    scanSeedColumns(aws.dynamoDb, loop.tableName),
    scanSeedColumns(aws.dynamoDb, handler.tableName),
    scanLedgerEntries(aws.dynamoDb, handler.ledgerTableName as string),
  ]);
  return {
    latencyMs,
    records: workload.records,
    orderLines: workload.orderLines,
    loop,
    handler,
    tables: checkTables(workload, loopRows, handlerRows, lines.length),
    deadLetters: handler.deadLetters,
    limitWrites: workload.batches.reduce((sum, batch) => sum + batch.coalescedWrites, 0),
  };
};

/** A small workload of the same mix over the same products, for timing the engine alone. */
const CALIBRATION: Partial<WorkloadOptions> = { orderItems: 600, productEvents: 30, orderBatchSize: 600 };

/**
 * The engine's own mean time per call (DynamoDB Local's work plus the SDK and loopback HTTP around it):
 * the Python loop, whose calls are strictly sequential, on a small workload of the same mix without injected
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
    const run = await runPythonLoop(aws, sample, 0, `bench-calibration-${pass}`, progress);
    meanMs = run.probe.serviceMs / run.calls;
  }
  return meanMs;
};
