import pg from 'pg';
import type { CliIo } from '../../../scripts/cli/run-cli.js';
import { SHOP_DDL, startEmbeddedPostgres } from '../../../scripts/local/embedded-postgres.js';

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

/**
 * scripts/local/embedded-postgres.ts's server (the one place that knows how to run PostgreSQL here, as root
 * from any checkout included) with database `shop` and its two tables. `stop` stops it and removes its folder.
 */
export const startTestPostgres = async (): Promise<TestPostgres> => {
  const server = await startEmbeddedPostgres();
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE shop').finally(() => admin.end());
    const client = async () => {
      const connected = new pg.Client({ connectionString: server.urlOf('shop') });
      await connected.connect();
      return connected;
    };
    const setup = await client();
    await setup.query(SHOP_DDL).finally(() => setup.end());
    return { port: server.port, url: server.urlOf('shop'), urlOf: server.urlOf, client, stop: server.stop };
  } catch (error) {
    await server.stop();
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
