import pg from 'pg';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { createShopTables } from '../../scripts/local/embedded-postgres.js';
import {
  adoptSnapshot,
  beginSlotCreation,
  type InitialSnapshot,
  type SlotCreation,
  waitUntilSlotWaitsFor,
} from './initial-snapshot.js';
import { lsnFromText, readSlot, type StreamedTransaction } from './pgoutput.js';
import { ShopWorkload, type WorkloadFigures } from './shop-workload.js';

/**
 * Debezium's default publication.name (publication.autocreate.mode=all_tables). Slots are per cluster, so
 * each database gets its own slot name (Debezium's default is `debezium`); it is dropped at the end.
 */
const PUBLICATION = 'dbz_publication';

export interface SourcePlan {
  readonly beforeSnapshot: number;
  readonly streamed: number;
  readonly tail: number;
  readonly workers: number;
  /**
   * `last`: the long transaction commits after all the streamed workload (it began before all of it).
   * `first`: it is the first transaction streamed, so it has no lastCommitLsn and change LSNs below the
   * snapshot's: only the snapshot tier then says that it comes after the snapshot rows.
   */
  readonly longCommits: 'first' | 'last';
  /** What the shop does besides its random workload (shop-scenarios.ts). */
  readonly scenario?: ShopScenario;
}

export interface ShopScenario {
  readonly name: string;
  /** On the empty tables, before anything is written (e.g. REPLICA IDENTITY). */
  prepare?(client: pg.ClientBase): Promise<void>;
  /** After the random workload, before the slot is read: its transactions are the stream's last. */
  run(shop: ShopWorkload): Promise<void>;
}

export interface SourceRun {
  readonly snapshot: InitialSnapshot;
  /** The slot's committed transactions, in commit order. */
  readonly transactions: readonly StreamedTransaction[];
  readonly figures: WorkloadFigures;
  /** The transaction that began (and wrote) before the slot was consistent and committed after it. */
  readonly longXid: number;
  /** The first transaction streamed: it updates a snapshot row and carries no lastCommitLsn. */
  readonly firstStreamedXid: number;
  /** The WAL position where the scenario began: its changes are at or after it. */
  readonly scenarioLsn: bigint;
}

interface OpenTransaction {
  readonly client: pg.PoolClient;
  xid(): Promise<string>;
  commit(): Promise<void>;
}

const openTransaction = async (pool: pg.Pool, opened: pg.PoolClient[]): Promise<OpenTransaction> => {
  const client = await pool.connect();
  opened.push(client);
  await client.query('BEGIN');
  return {
    client,
    xid: async () =>
      (await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]?.xid ?? '',
    commit: async () => {
      await client.query('COMMIT');
    },
  };
};

/**
 * Creates the slot with writers around it, as it happens on a live database. PostgreSQL's snapshot builder
 * (snapbuild.c) makes the slot consistent only once every transaction that was running at the start of
 * its FULL_SNAPSHOT phase has ended, and decodes in full only the transactions that began after that
 * point. So a transaction streamed with change LSNs below the consistent point must begin after the FULL
 * point and commit after the slot: `before` (running at the start) holds the builder in its first phase;
 * once it commits, `during` (begun meanwhile) holds it in FULL_SNAPSHOT, where `long` begins and writes;
 * `during` commits, the slot becomes consistent and returns, and `long` stays open. Watching what the
 * walsender waits for (pg_locks) tells which phase it is in. `before` and `during` end in the snapshot.
 */
const createSlotAroundWriters = async (
  url: string,
  pool: pg.Pool,
  shop: ShopWorkload,
  control: pg.ClientBase,
  opened: pg.PoolClient[],
  reserved: number,
  slotName: string,
) => {
  const [first, second] = shop.liveProducts();
  if (first === undefined || second === undefined) throw new Error('the shop has too few products');
  const before = await openTransaction(pool, opened);
  await shop.order(before.client, [first]);
  await shop.edit(before.client, second, 'price');
  const slot = await beginSlotCreation(url, slotName);
  // A slot that fails, or is consistent too early, ends the choreography with its own error.
  const waitsFor = async (xid: string) =>
    Promise.race([
      waitUntilSlotWaitsFor(control, slot.walsenderPid, xid),
      slot.created.then(() => {
        throw new Error(`the slot was consistent before transaction ${xid} ended`);
      }),
    ]);
  try {
    await waitsFor(await before.xid());
    const during = await openTransaction(pool, opened);
    const created = await shop.create(during.client);
    await before.commit();
    shop.recordCommit('order');
    await waitsFor(await during.xid());
    const long = await openTransaction(pool, opened);
    const fresh = await shop.create(long.client);
    await shop.count(long.client, reserved, true);
    await shop.order(long.client, [reserved, fresh]);
    await during.commit();
    shop.recordCommit('create');
    shop.release(created);
    const creation: SlotCreation = await slot.created;
    return { slot, creation, long, fresh };
  } catch (error) {
    await slot.close();
    throw error;
  }
};

/** The shop's whole history against one database, and what Debezium would read of it. */
export const runShop = async (
  url: string,
  model: StockModel,
  random: () => number,
  scale: SourcePlan,
): Promise<SourceRun> => {
  const pool = new pg.Pool({ connectionString: url, max: scale.workers + 4 });
  const control = new pg.Client({ connectionString: url });
  const opened: pg.PoolClient[] = [];
  await control.connect();
  try {
    await createShopTables(control);
    await scale.scenario?.prepare?.(control);
    await control.query(`CREATE PUBLICATION ${PUBLICATION} FOR ALL TABLES`);
    const shop = new ShopWorkload(pool, model, random);

    // Before the slot: what the snapshot will read.
    await shop.runConcurrently(scale.beforeSnapshot, scale.workers);
    const reserved = shop.reserve();
    await shop.transaction('describe', async (client) => {
      await client.query('UPDATE products SET description = $2 WHERE id = $1', [
        reserved,
        shop.largeDescription(),
      ]);
    });

    const { rows } = await control.query<{ name: string }>('SELECT current_database() AS name');
    const slotName = `debezium_${rows[0]?.name}`;
    const { slot, creation, long, fresh } = await createSlotAroundWriters(
      url,
      pool,
      shop,
      control,
      opened,
      reserved,
      slotName,
    );
    let firstStreamedXid = '';
    // The long transaction writes again and commits. Committing first it leaves the reserved product
    // alone after the consistent point (and keeps it from the workload), so nothing later repairs its
    // changes below that point if they were taken as older than the snapshot's row.
    const finishLong = async () => {
      if (scale.longCommits === 'last') await shop.edit(long.client, reserved, 'price');
      await shop.edit(long.client, fresh, 'describe');
      const xid = await long.xid();
      await long.commit();
      shop.recordCommit('long');
      if (scale.longCommits === 'last') shop.release(reserved);
      shop.release(fresh);
      return xid;
    };
    try {
      const reader = await adoptSnapshot(url, creation);
      // The first streamed transaction changes rows the snapshot reads; it has no lastCommitLsn.
      if (scale.longCommits === 'first') firstStreamedXid = await finishLong();
      else {
        await shop.transaction('count', async (client) => {
          await shop.count(client, shop.liveProducts()[0] as number, true);
          const { rows } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
          firstStreamedXid = rows[0]?.xid ?? '';
        });
      }
      await shop.orderRacingStockTake();
      // The shop goes on while the snapshot is read, as Debezium reads it on a live database.
      const snapshotRead = reader.read(['products', 'order_items']);
      await Promise.all([snapshotRead, shop.runConcurrently(scale.streamed, scale.workers)]);
      const snapshot = await snapshotRead;
      await slot.close();
      if (scale.longCommits === 'last') await finishLong();
      await shop.runConcurrently(scale.tail, scale.workers);
      await shop.deleteAndRecreate();
      const wal = await control.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      const scenarioLsn = lsnFromText(wal.rows[0]?.lsn ?? '0/0');
      await scale.scenario?.run(shop);

      const transactions = await readSlot(control, slotName, PUBLICATION);
      await control.query('SELECT pg_drop_replication_slot($1)', [slotName]);
      return {
        snapshot,
        transactions,
        figures: shop.figures,
        longXid: longXidOf(transactions, fresh),
        firstStreamedXid: Number(firstStreamedXid),
        scenarioLsn,
      };
    } finally {
      await slot.close().catch(() => undefined);
    }
  } finally {
    for (const client of opened) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    await control.end();
    await pool.end();
  }
};

/** The long transaction is the one that created product `fresh`. */
const longXidOf = (transactions: readonly StreamedTransaction[], fresh: number): number => {
  const found = transactions.find((transaction) =>
    transaction.changes.some(
      (change) => change.table === 'products' && change.op === 'c' && Number(change.row.id) === fresh,
    ),
  );
  if (found === undefined) throw new Error(`no streamed transaction created product ${fresh}`);
  return found.xid;
};
