import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalPostgres, startEmbeddedPostgres } from '../../scripts/local/embedded-postgres.js';
import { type InventoryItem, startLocalService } from '../../scripts/local/local-service.js';
import { seededRandom } from '../support/fault-injection.js';
import { itemShapeProblems } from '../support/item-shape.js';
import { deliverThroughMappings } from '../support/mapping-simulator.js';
import type { ShopTable } from './debezium-columns.js';
import { expectedInventory, readSourceState, replayProducts } from './expected-inventory.js';
import { buildTopicLogs } from './kafka-topics.js';
import { type StreamedTransaction, UNCHANGED_TOAST } from './pgoutput.js';
import { runShop } from './source-run.js';
import { type ConverterForm, snapshotChanges, streamedChanges } from './wal-to-debezium.js';

/**
 * End to end on a real PostgreSQL: a shop's concurrent transactions, the initial snapshot and the slot's
 * stream read the way Debezium's Postgres connector reads them, turned into the connector's Kafka records,
 * delivered through two simulated event source mappings (lag, multi-partition batches, lost commits,
 * overlapping invocations) plus a connector restart's re-emission, into the real handler on DynamoDB Local.
 * The table must end equal to what SQL and the WAL say, under each stock model. E2E_SCALE multiplies the
 * workload (`npm run e2e`).
 */
const SCALE = Math.max(1, Number(process.env.E2E_SCALE ?? 1));
const SEED = Number(process.env.E2E_SEED ?? 20_260_111);

interface Case {
  readonly model: StockModel;
  readonly forms: Readonly<Record<ShopTable, ConverterForm>>;
  readonly productsShare: number;
  readonly longCommits: 'first' | 'last';
}

/**
 * Each converter form on each topic at least once; the products mapping behind, ahead and even; the long
 * transaction committing after everything streamed, or first (then it has no lastCommitLsn at all).
 */
const CASES: readonly Case[] = [
  {
    model: 'orders',
    forms: { products: 'schemas', order_items: 'plain' },
    productsShare: 0.3,
    longCommits: 'first',
  },
  {
    model: 'orders',
    forms: { products: 'plain', order_items: 'plain' },
    productsShare: 0.6,
    longCommits: 'last',
  },
  {
    model: 'products',
    forms: { products: 'plain', order_items: 'schemas' },
    productsShare: 0.7,
    longCommits: 'first',
  },
  {
    model: 'ledger',
    forms: { products: 'schemas', order_items: 'schemas' },
    productsShare: 0.5,
    longCommits: 'last',
  },
];

const PARTITIONS: Readonly<Record<ShopTable, number>> = { products: 3, order_items: 4 };

const contractShape = (item: InventoryItem) => ({
  product_id: item.product_id,
  name: item.name,
  price: item.price,
  stock_quantity: item.stock_quantity,
  ...(item.description === undefined ? {} : { description: item.description }),
});

const figures: Record<string, unknown>[] = [];

/** Streamed transactions that wrote before the previous one committed: their changes have lower LSNs. */
const interleavedTransactions = (transactions: readonly StreamedTransaction[]): number =>
  transactions.filter((transaction, index) => {
    const previous = transactions[index - 1];
    const first = transaction.changes[0];
    return previous !== undefined && first !== undefined && first.lsn < previous.commitLsn;
  }).length;

describe('a real PostgreSQL through Debezium and Kafka into the table', () => {
  let postgres: LocalPostgres;
  let aws: EmbeddedAws;

  beforeAll(async () => {
    const [db, embedded] = await Promise.allSettled([
      startEmbeddedPostgres({ settings: { deadlock_timeout: '20ms' } }),
      startEmbeddedAws(),
    ]);
    if (db.status === 'fulfilled') postgres = db.value;
    if (embedded.status === 'fulfilled') aws = embedded.value;
    if (db.status === 'rejected') throw db.reason;
    if (embedded.status === 'rejected') throw embedded.reason;
  });

  afterAll(async () => {
    await Promise.all([postgres?.stop(), aws?.stop()]);
    const total = (name: string) => figures.reduce((sum, row) => sum + Number(row[name] ?? 0), 0);
    const summary = ['transactions', 'streamedChanges', 'records', 'invocations', 'duplicates', 'ms'].map(
      (name) => `${name} ${total(name)}`,
    );
    console.info(
      [
        `e2e on a real PostgreSQL (E2E_SCALE=${SCALE}, E2E_SEED=${SEED})`,
        ...figures.map((row) => JSON.stringify(row)),
        `total: ${summary.join(', ')}`,
      ].join('\n'),
    );
  });

  it.each(CASES)(
    'STOCK_MODEL=$model, long transaction committing $longCommits: the table equals SQL and the WAL',
    async ({ model, forms, productsShare, longCommits }) => {
      // Prepare
      const started = Date.now();
      const name = `${model}_${longCommits}`;
      const random = seededRandom(SEED + name.length);
      const database = `shop_${name}`;
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const url = postgres.urlOf(database);
      const run = await runShop(url, model, random, {
        beforeSnapshot: 12 * SCALE,
        streamed: 24 * SCALE,
        tail: 6 * SCALE,
        workers: 4,
        longCommits,
      });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const state = await readSourceState(client).finally(() => client.end());
      const snapshot = snapshotChanges(run.snapshot);
      const streamed = streamedChanges(run.transactions);
      const topics = buildTopicLogs(snapshot, streamed, {
        forms,
        partitions: PARTITIONS,
        reemitLast: 5 * SCALE,
      });
      const service = await startLocalService({
        aws,
        env: {
          DYNAMODB_TABLE: `e2e-${name}`,
          DLQ_S3_BUCKET: `e2e-${model}-${longCommits}-dlq`,
          STOCK_MODEL: model,
        },
      });

      // Act
      const delivery = await deliverThroughMappings(topics.logs, {
        random,
        invoke: service.invoke,
        injectors: [],
        faultRate: 0,
        maxBatch: 8,
        lostCommitRate: 0.2,
        timeoutRate: 0,
        overlapRate: 0.15,
        productsShare,
        concurrentRate: 0.3,
      });
      const items = await service.scanInventory();
      const letters = await service.listDeadLetters();
      await service.stop();

      // Assess: first that the source side is what the case claims to exercise...
      const replayed = [...replayProducts(snapshot, streamed)].map(([id, row]) => ({
        id,
        name: row.name,
        description: row.description,
        price: row.price,
        stock_quantity: row.stock_quantity,
      }));
      expect(replayed.sort((a, b) => a.id - b.id)).toEqual(state.products);
      const long = run.transactions.find((transaction) => transaction.xid === run.longXid);
      expect(long?.changes.some((change) => change.lsn < run.snapshot.lsn)).toBe(true);
      expect(snapshot.some((change) => change.table === 'products' && change.op === 'r')).toBe(true);
      expect(run.transactions[0]?.xid).toBe(run.firstStreamedXid);
      expect(streamed[0]?.source.lastCommitLsn).toBeNull();
      const toastMarkers = streamed.filter((change) => change.after?.description === UNCHANGED_TOAST).length;
      expect(toastMarkers).toBeGreaterThan(0);
      expect(streamed.some((change) => change.table === 'products' && change.op === 'd')).toBe(true);
      // ...then that the table is what the database says.
      expect(items.flatMap(itemShapeProblems)).toEqual([]);
      expect(items.map(contractShape)).toEqual(expectedInventory(model, state, snapshot, streamed));
      expect(letters.map(({ key, letter }) => `${key}: ${letter.error.code}`)).toEqual([]);

      figures.push({
        model,
        longCommits,
        forms: `products ${forms.products}, order_items ${forms.order_items}`,
        transactions: run.figures.committed,
        aborted: run.figures.aborted,
        interleaved: interleavedTransactions(run.transactions),
        snapshotRows: snapshot.length,
        streamedChanges: streamed.length,
        toastMarkers,
        records: topics.records,
        invocations: delivery.invocations,
        duplicates: delivery.redeliveredRecords + topics.reemitted,
        redelivered: delivery.redeliveredRecords,
        reemitted: topics.reemitted,
        multiPartitionBatches: delivery.multiPartitionBatches,
        overlapping: delivery.overlappingInvocations,
        products: items.length,
        ms: Date.now() - started,
      });
    },
    60_000 * SCALE,
  );
});
