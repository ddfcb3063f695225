import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { StockModel } from '../lambda/inventory/stock-model.js';
import { MetricName } from '../lambda/telemetry/metric-names.js';
import type { EmbeddedAws } from '../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../scripts/local/lambda-context.js';
import { startLocalService } from '../scripts/local/local-service.js';
import { kafkaRecord, mskEvent, ORDER_ITEMS_TOPIC, orderItemEnvelopeAt } from '../test/support/debezium.js';
import { seededRandom } from '../test/support/fault-injection.js';
import { type ClientProbe, instrumentClient } from './instrument.js';
import { type BenchProgress, silentProgress } from './progress.js';
import { withoutJsonLogs } from './quiet-logs.js';
import { scanLedgerEntries, seedProducts } from './tables.js';
import { type ConflictEmulation, emulateTransactionConflicts } from './transaction-conflicts.js';
import { INITIAL_STOCK, SNAPSHOT_POSITION, sourceAt } from './workload.js';

export interface HotProductOptions {
  /** Concurrent invocations, one per order_items partition. */
  readonly partitions: number;
  /** Order lines of the hot product in each invocation's batch. */
  readonly lines: number;
  readonly latencyMs: number;
}

export interface HotProductFigures extends HotProductOptions {
  /** Invocations that failed (thrown) and were delivered again; deliveries = partitions + failed. */
  readonly failedInvocations: number;
  readonly ms: number;
  readonly conflicts: ConflictEmulation;
  /** DynamoDbWriteAttempts / DynamoDbWrites over the invocations that succeeded, as the handler reports them. */
  readonly reportedAttempts: number;
  readonly reportedWrites: number;
  readonly calls: number;
  readonly expectedStock: number;
  readonly finalStock: number | undefined;
  readonly entries: number;
  readonly exact: boolean;
}

const HOT_PRODUCT = 1;
/** The stack's function timeout (infra/stack-config.ts timeoutSeconds): the invocation's call deadline. */
const TIMEOUT_MS = 120_000;
/** A case that keeps failing is reported, not retried forever. */
const MAX_DELIVERIES = 20;

/** One batch per partition, each `lines` order lines of the hot product, positions interleaved across them. */
const hotBatches = (options: HotProductOptions) => {
  const random = seededRandom(options.partitions * 1_000 + options.lines);
  let quantity = 0;
  const events = Array.from({ length: options.partitions }, (_, partition) => {
    const records = Array.from({ length: options.lines }, (_, offset) => {
      const index = offset * options.partitions + partition;
      const row = {
        id: index + 1,
        order_id: 800_000 + index,
        product_id: HOT_PRODUCT,
        quantity: 1 + Math.floor(random() * 3),
      };
      quantity += row.quantity;
      return kafkaRecord(
        ORDER_ITEMS_TOPIC,
        partition,
        offset,
        orderItemEnvelopeAt('c', row, sourceAt(index)),
        {
          id: row.id,
        },
      );
    });
    return mskEvent(records);
  });
  return { events, quantity };
};

/**
 * N partitions × L order lines of ONE product, all N invocations in flight at once against one table, with
 * real DynamoDB's transaction conflicts emulated (transaction-conflicts.ts); an invocation that fails is
 * delivered again (as the mapping would) until it succeeds. Every invocation's lines are one transaction of
 * L entries and one `ADD` on the same item, so they contend for that item.
 */
export const runHotProduct = async (
  aws: EmbeddedAws,
  options: HotProductOptions,
  progress: BenchProgress = silentProgress,
): Promise<HotProductFigures> => {
  const table = `bench-hot-${options.partitions}x${options.lines}`;
  let probe: ClientProbe | undefined;
  let conflicts: ConflictEmulation | undefined;
  const service = await startLocalService({
    aws,
    env: { DYNAMODB_TABLE: table, DLQ_S3_BUCKET: `${table}-dlq`, STOCK_MODEL: StockModel.ORDERS },
    configureClients: ({ dynamoDb }) => {
      probe = instrumentClient(dynamoDb, 0);
      conflicts = emulateTransactionConflicts(dynamoDb, options.latencyMs);
    },
  });
  if (probe === undefined || conflicts === undefined)
    throw new Error('the local service did not hand over its client');
  const { config } = service;
  await seedProducts(
    aws.dynamoDb,
    config.tableName,
    [
      {
        id: HOT_PRODUCT,
        name: 'Hot product',
        description: null,
        price: '9.99',
        stock_quantity: INITIAL_STOCK,
      },
    ],
    SNAPSHOT_POSITION,
  );
  const { events, quantity } = hotBatches(options);
  let failedInvocations = 0;
  let reportedAttempts = 0;
  let reportedWrites = 0;
  const started = performance.now();
  await withoutJsonLogs(() =>
    Promise.all(
      events.map(async (event) => {
        for (let delivery = 1; delivery <= MAX_DELIVERIES; delivery++) {
          try {
            const summary = await service.invoke(event, createLambdaContext(TIMEOUT_MS));
            reportedAttempts += summary.counts[MetricName.WRITE_ATTEMPTS];
            reportedWrites += summary.counts[MetricName.DYNAMODB_WRITES];
            progress.advance(options.lines);
            return;
          } catch {
            failedInvocations += 1;
          }
        }
      }),
    ),
  );
  const ms = performance.now() - started;
  const { Item } = await aws.dynamoDb.send(
    new GetItemCommand({
      TableName: config.tableName,
      Key: { product_id: { N: String(HOT_PRODUCT) } },
      ConsistentRead: true,
    }),
  );
  const entries = (await scanLedgerEntries(aws.dynamoDb, config.ledgerTableName)).length;
  await service.stop();
  const finalStock = Item?.stock_quantity?.N === undefined ? undefined : Number(Item.stock_quantity.N);
  const expectedStock = INITIAL_STOCK - quantity;
  return {
    ...options,
    failedInvocations,
    ms,
    conflicts,
    reportedAttempts,
    reportedWrites,
    calls: [...probe.calls.values()].reduce((sum, count) => sum + count, 0),
    expectedStock,
    finalStock,
    entries,
    exact: finalStock === expectedStock && entries === options.partitions * options.lines,
  };
};
