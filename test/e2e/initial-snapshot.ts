import pg from 'pg';
import { lsnFromText, type TextRow } from './pgoutput.js';

/**
 * The initial snapshot the way Debezium's Postgres connector takes it with a new slot
 * (PostgresSnapshotChangeEventSource, snapshot.mode=initial): the slot is created on a replication
 * connection with EXPORT_SNAPSHOT, which returns the consistent point and the name of a snapshot of exactly
 * the transactions committed before it; another connection adopts that snapshot
 * (snapshotTransactionIsolationLevelStatement: `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
 * SET TRANSACTION SNAPSHOT '<name>'`) and reads every row. The exported snapshot lives only while the
 * replication connection runs no other command, so that connection stays open until the reads are done.
 */

export interface SlotCreation {
  /** `consistent_point`: the snapshot's LSN (getTransactionStartLsn → slotCreatedInfo.startLsn()). */
  readonly consistentPoint: bigint;
  readonly snapshotName: string;
}

export interface PendingSlot {
  /** The walsender's backend pid, to watch what it waits for while it builds the snapshot. */
  readonly walsenderPid: number;
  readonly created: Promise<SlotCreation>;
  close(): Promise<void>;
}

export interface InitialSnapshot {
  readonly lsn: bigint;
  /** The snapshot transaction's own xid (updateOffsetForSnapshot → PostgresConnection.currentTransactionId). */
  readonly txId: number;
  /** CURRENT_TIMESTAMP of the snapshot transaction, µs since 1970 (getSnapshotSourceTimestamp). */
  readonly tsUs: bigint;
  /** Tables in the connector's order (the captured TableIds sorted: order_items before products). */
  readonly tables: ReadonlyArray<{ readonly table: string; readonly rows: readonly TextRow[] }>;
}

/** Every column as PostgreSQL's text output, as pgoutput sends it, so both sources convert alike. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** Sends CREATE_REPLICATION_SLOT; it returns only once the slot is consistent (all older writers ended). */
export const beginSlotCreation = async (url: string, slot: string): Promise<PendingSlot> => {
  // The replication option is in node-postgres' ConnectionParameters but not in @types/pg's ClientConfig.
  const config: pg.ClientConfig & { replication: 'database' } = {
    connectionString: url,
    replication: 'database',
  };
  const client = new pg.Client(config);
  await client.connect();
  try {
    const pid = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const created = client
      .query<{ consistent_point: string; snapshot_name: string }>(
        `CREATE_REPLICATION_SLOT ${client.escapeIdentifier(slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`,
      )
      .then(({ rows: [row] }) => {
        if (row === undefined) throw new Error('CREATE_REPLICATION_SLOT returned no row');
        return { consistentPoint: lsnFromText(row.consistent_point), snapshotName: row.snapshot_name };
      });
    created.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= client.end();
      return closing;
    };
    return { walsenderPid: Number(pid.rows[0]?.pid), created, close };
  } catch (error) {
    await client.end();
    throw error;
  }
};

/**
 * Waits until the walsender building the slot's snapshot waits for transaction `xid` to end
 * (SnapBuildWaitSnapshot takes a lock on each xid of the xl_running_xacts record it is waiting out).
 */
export const waitUntilSlotWaitsFor = async (
  client: pg.ClientBase,
  walsenderPid: number,
  xid: string,
): Promise<void> => {
  for (let attempt = 0; attempt < 1_000; attempt += 1) {
    const { rowCount } = await client.query(
      `SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype = 'transactionid' AND NOT granted
         AND transactionid::text = $2`,
      [walsenderPid, xid],
    );
    if (rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the walsender never waited for transaction ${xid}`);
};

export interface SnapshotReader {
  /** Reads every row of the tables, then commits; the snapshot must have been adopted already. */
  read(tables: readonly string[]): Promise<InitialSnapshot>;
}

/** Opens the snapshot transaction at once (while the slot's exported snapshot is valid); reads later. */
export const adoptSnapshot = async (url: string, creation: SlotCreation): Promise<SnapshotReader> => {
  const client = new pg.Client({ connectionString: url, types: TEXT_TYPES });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await client.query(`SET TRANSACTION SNAPSHOT '${creation.snapshotName}'`);
    const { rows } = await client.query<{ xid: string; ts_us: string }>(
      `SELECT pg_current_xact_id()::text AS xid, (extract(epoch FROM now()) * 1000000)::bigint AS ts_us`,
    );
    const [head] = rows;
    if (head === undefined) throw new Error('no snapshot transaction id');
    return {
      async read(tables) {
        try {
          const read = [];
          for (const table of [...tables].sort()) {
            const result = await client.query<Record<string, string | null>>(
              `SELECT * FROM public.${client.escapeIdentifier(table)}`,
            );
            read.push({ table, rows: result.rows });
          }
          await client.query('COMMIT');
          return {
            lsn: creation.consistentPoint,
            txId: Number(head.xid),
            tsUs: BigInt(head.ts_us),
            tables: read,
          };
        } finally {
          await client.end();
        }
      },
    };
  } catch (error) {
    await client.end();
    throw error;
  }
};
