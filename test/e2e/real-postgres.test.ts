import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalPostgres, startEmbeddedPostgres } from '../../scripts/local/embedded-postgres.js';
import { type InventoryItem, startLocalService } from '../../scripts/local/local-service.js';
import { PRODUCTS_TOPIC } from '../support/debezium.js';
import { seededRandom } from '../support/fault-injection.js';
import { itemShapeProblems } from '../support/item-shape.js';
import { deliverThroughMappings } from '../support/mapping-simulator.js';
import type { ShopTable } from './debezium-columns.js';
import { expectedInventory, readSourceState, replayProducts } from './expected-inventory.js';
import { buildTopicLogs, partitionOfKey } from './kafka-topics.js';
import { type StreamedTransaction, UNCHANGED_TOAST } from './pgoutput.js';
import {
  keyChange,
  type NextKey,
  orderLineEdits,
  type Scenario,
  truncateAndRefill,
} from './shop-scenarios.js';
import { runShop } from './source-run.js';
import {
  type ConverterForm,
  type DebeziumChange,
  type HeaderConverter,
  KEY_CHANGE_HEADER,
  snapshotChanges,
  streamedChanges,
} from './wal-to-debezium.js';

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
  /** What the shop does after its random workload; the connector re-sends all of it after a restart. */
  readonly scenario?: Scenario;
  readonly headerConverter?: HeaderConverter;
  /** The partition of the first key change's new key is consumed before the rest of its topic. */
  readonly newKeyPartitionLeads?: boolean;
}

const PARTITIONS: Readonly<Record<ShopTable, number>> = { products: 3, order_items: 4 };

/**
 * A key change's new key in (or out of) the old key's products partition. In one partition the old key's
 * earlier changes are always consumed before the new key's create; in another the new key's create may come
 * first (KEY_CHANGE_ACROSS_PARTITIONS).
 */
const keyInPartitionOf =
  (form: ConverterForm, same: boolean): NextKey =>
  (id, hop) => {
    const home = partitionOfKey('products', id, form, PARTITIONS);
    for (let candidate = id + hop * 1_000_000; ; candidate += 1) {
      if ((partitionOfKey('products', candidate, form, PARTITIONS) === home) === same) return candidate;
    }
  };

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
  {
    model: 'orders',
    forms: { products: 'plain', order_items: 'schemas' },
    productsShare: 0.3,
    longCommits: 'first',
    scenario: orderLineEdits,
  },
  {
    model: 'ledger',
    forms: { products: 'schemas', order_items: 'plain' },
    productsShare: 0.5,
    longCommits: 'last',
    scenario: orderLineEdits,
  },
  {
    model: 'orders',
    forms: { products: 'schemas', order_items: 'schemas' },
    productsShare: 0.5,
    longCommits: 'last',
    scenario: truncateAndRefill,
  },
  {
    model: 'ledger',
    forms: { products: 'plain', order_items: 'schemas' },
    productsShare: 0.4,
    longCommits: 'first',
    scenario: truncateAndRefill,
  },
];

/**
 * The new keys in other partitions than the old ones, and the first new key's partition consumed before the
 * rest of the topic (its poller ahead): its create is applied before the old key's create and description
 * edit. The new key waits for the old key's delete (lambda/store/key-change-writes.ts), which hands it the
 * description the old key had at the change.
 */
/**
 * A key change with both keys in one products partition (the old key's changes always consumed first). Seeds
 * 20260111, 7 and 99 once lost the new key's description here (the create folded with a later edit of the new
 * key dropped its link to the old key): fixed, and checked on those seeds.
 */
const KEY_CHANGE_CASES: readonly Case[] = [
  {
    model: 'orders',
    forms: { products: 'schemas', order_items: 'plain' },
    productsShare: 0.4,
    longCommits: 'last',
    scenario: keyChange('key change', keyInPartitionOf('schemas', true)),
    headerConverter: 'schemas',
  },
  {
    model: 'products',
    forms: { products: 'plain', order_items: 'plain' },
    productsShare: 0.6,
    longCommits: 'first',
    scenario: keyChange('key change', keyInPartitionOf('plain', true)),
    headerConverter: 'simple',
  },
];

const KEY_CHANGE_ACROSS_PARTITIONS: Case = {
  model: 'orders',
  forms: { products: 'plain', order_items: 'plain' },
  productsShare: 0.5,
  longCommits: 'last',
  scenario: keyChange('key change across partitions', keyInPartitionOf('plain', false)),
  headerConverter: 'simple',
  newKeyPartitionLeads: true,
};

const contractShape = (item: InventoryItem) => ({
  product_id: item.product_id,
  name: item.name,
  price: item.price,
  stock_quantity: item.stock_quantity,
  ...(item.description === undefined ? {} : { description: item.description }),
});

const figures: Record<string, unknown>[] = [];

/** The products partition of the first key change's new key (its create carries `__debezium.oldkey`). */
const leadingNewKey = (changes: readonly DebeziumChange[], form: ConverterForm): string[] => {
  const create = changes.find((change) => change.keyHeader?.name === KEY_CHANGE_HEADER.oldKey);
  if (create?.id == null) throw new Error('the scenario changed no key');
  return [`${PRODUCTS_TOPIC}-${partitionOfKey('products', create.id, form, PARTITIONS)}`];
};

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

  const runCase = async ({
    model,
    forms,
    productsShare,
    longCommits,
    scenario,
    headerConverter,
    newKeyPartitionLeads,
  }: Case): Promise<void> => {
    // Prepare
    const started = Date.now();
    const tag = scenario === undefined ? '' : `_${scenario.name.replace(/\W+/g, '_')}`;
    const name = `${model}_${longCommits}${tag}`;
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
      ...(scenario === undefined ? {} : { scenario }),
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const state = await readSourceState(client).finally(() => client.end());
    const snapshot = snapshotChanges(run.snapshot);
    const streamed = streamedChanges(run.transactions);
    const scenarioChanges = streamed.filter((change) => change.source.lsn >= run.scenarioLsn);
    const topics = buildTopicLogs(snapshot, streamed, {
      forms,
      partitions: PARTITIONS,
      // A restart after the scenario re-sends all of it: each of its changes at a new offset, after the rest.
      reemitLast: scenario === undefined ? 5 * SCALE : scenarioChanges.length,
      ...(headerConverter === undefined ? {} : { headerConverter }),
    });
    const service = await startLocalService({
      aws,
      env: {
        DYNAMODB_TABLE: `e2e-${name}`,
        DLQ_S3_BUCKET: `e2e-${name.replaceAll('_', '-')}-dlq`,
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
      leadingPartitions: newKeyPartitionLeads ? leadingNewKey(scenarioChanges, forms.products) : [],
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
    const claims = scenario?.claims(scenarioChanges) ?? {};
    expect(Object.entries(claims).filter(([, holds]) => !holds)).toEqual([]);
    // ...then that the table is what the database says.
    expect(items.flatMap(itemShapeProblems)).toEqual([]);
    expect(items.map(contractShape)).toEqual(expectedInventory(model, state, snapshot, streamed));
    expect(letters.map(({ key, letter }) => `${key}: ${letter.error.code}`)).toEqual([]);

    figures.push({
      model,
      longCommits,
      scenario: scenario?.name,
      scenarioChanges: scenarioChanges.length,
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
  };

  const titledOf = (cases: readonly Case[]) =>
    cases.map((c) => ({
      ...c,
      title: `STOCK_MODEL=${c.model}, long transaction committing ${c.longCommits}${c.scenario === undefined ? '' : `, then ${c.scenario.name}`}`,
    }));
  it.each(titledOf(CASES))('$title: the table equals SQL and the WAL', runCase, 60_000 * SCALE);

  it.each(titledOf(KEY_CHANGE_CASES))('$title: the table equals SQL and the WAL', runCase, 60_000 * SCALE);

  // Was a handler gap: the delete of the old key now hands its description to a new key that waits for it.
  it(
    'STOCK_MODEL=orders, a key change whose new key is consumed before the old key: the new key keeps the description',
    () => runCase(KEY_CHANGE_ACROSS_PARTITIONS),
    60_000 * SCALE,
  );
});
