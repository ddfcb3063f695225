import pg from 'pg';
import { CALL_TIMEOUT_VARIABLE, DEFAULT_CALL_TIMEOUT_SECONDS } from '../cli/call-timeout.js';
import { CliError, ExitCode, UsageError } from '../cli/errors.js';
import type { DatabaseProduct } from './compare.js';

/** The source tables (SOURCE_SCHEMA.md), schema-qualified so that no search_path changes what is read. */
export const PRODUCTS_TABLE = 'public.products';
const ORDER_ITEMS_TABLE = 'public.order_items';

/** The shop database, read only, in key order. */
export interface ProductsDatabase {
  /** host:port/database, never the user or password. */
  readonly description: string;
  /** The planner's row estimate for products (pg_class.reltuples), for progress; undefined if never analysed. */
  estimateProducts(): Promise<number | undefined>;
  /** Up to `limit` rows with id above `after` (from the first without it), in id order. */
  productsAfter(after: number | undefined, limit: number, withOrdered: boolean): Promise<DatabaseProduct[]>;
  /** Which of `ids` are products rows. */
  existingIds(ids: readonly number[]): Promise<Set<number>>;
  /**
   * The database's WAL position now: the insert position on a primary, the replayed position on a replica.
   * Every change committed before the call has a lower position (`--delete-missing`).
   */
  currentLsn(): Promise<bigint>;
  /** products.stock_quantity of those of `ids` that are rows (cutover's source_stock). */
  stockQuantities(ids: readonly number[]): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** `--postgres` must be a postgres:// or postgresql:// URL; anything else is a usage error. */
export const parsePostgresUrl = (raw: string): URL => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new UsageError(`--postgres must be a URL like postgres://user@host:5432/shop, got '${raw}'`, {
      cause,
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`--postgres must be a postgres:// or postgresql:// URL, got '${url.protocol}//…'`);
  }
  return url;
};

/** Where the URL points, for messages: host:port/database, without credentials. */
export const describePostgresUrl = (url: URL): string => {
  const host = url.searchParams.get('host') ?? (url.hostname === '' ? 'localhost' : url.hostname);
  const port = url.port === '' ? (url.searchParams.get('port') ?? '5432') : url.port;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return `${host}:${port}${database === '' ? '' : `/${database}`}`;
};

/** A connection error's most telling part: the code (ECONNREFUSED, 28P01) and Postgres' message. */
const reason = (error: unknown, timeoutMs: number): string => {
  if (!(error instanceof Error)) return String(error);
  if (/timeout/i.test(error.message) && (error as { code?: unknown }).code === undefined) {
    return `no answer within ${timeoutMs / 1000} s (${CALL_TIMEOUT_VARIABLE})`;
  }
  const code = (error as { code?: unknown }).code;
  const message = error.message.trim();
  if (typeof code === 'string' && code !== '') {
    return message === '' || message.includes(code) ? code : `${message} (${code})`;
  }
  return message === '' ? error.name : message;
};

const failure = (message: string, cause: unknown): CliError =>
  new CliError(message, ExitCode.FAILURE, { cause });

const LEDGER_PAGE = `
  WITH page AS (
    SELECT id, name, description, price, stock_quantity FROM ${PRODUCTS_TABLE}
    WHERE id > $1::bigint ORDER BY id LIMIT $2
  )
  SELECT page.id, page.name, page.description, page.price::text AS price, page.stock_quantity,
         COALESCE(ordered.quantity, 0)::text AS ordered
  FROM page
  LEFT JOIN (
    SELECT product_id, SUM(quantity) AS quantity FROM ${ORDER_ITEMS_TABLE}
    WHERE product_id IN (SELECT id FROM page) GROUP BY product_id
  ) ordered ON ordered.product_id = page.id
  ORDER BY page.id`;

const PRODUCTS_PAGE = `
  SELECT id, name, description, price::text AS price, stock_quantity, '0' AS ordered
  FROM ${PRODUCTS_TABLE} WHERE id > $1::bigint ORDER BY id LIMIT $2`;

/** Below every SERIAL or BIGSERIAL id: the first page needs no special query. */
const BEFORE_ALL_IDS = '-9223372036854775808';

interface ProductRow {
  id: number | string;
  name: string;
  description: string | null;
  price: string;
  stock_quantity: number | string;
  ordered: string;
}

const toProduct = (row: ProductRow): DatabaseProduct => ({
  id: Number(row.id),
  name: row.name,
  description: row.description,
  price: row.price,
  stockQuantity: Number(row.stock_quantity),
  ordered: Number(row.ordered),
});

/**
 * Connects read only: the session's transactions default to READ ONLY, so even a mistaken statement could
 * not write. Every page is one short statement of its own (no long transaction): safe on a hot standby,
 * where a long snapshot is cancelled by replication conflicts, and it holds back no vacuum on a primary.
 * A failure (unreachable, authentication, missing table, no SELECT permission) is one line and exit code 1.
 * Every step has the tool's call timeout (INVENTORY_CALL_TIMEOUT_SECONDS): the connection and its start-up
 * exchange, and each statement, on the server (statement_timeout) and in the client (query_timeout, for a
 * server that stops answering at all).
 */
export const openDatabase = async (
  url: URL,
  options: { timeoutMs?: number; applicationName?: string } = {},
): Promise<ProductsDatabase> => {
  const where = describePostgresUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_SECONDS * 1000;
  const client = new pg.Client({
    connectionString: url.href,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: options.applicationName ?? 'inventory-cdc reconcile',
  });
  // A connection lost between queries is reported by the next query; without a listener it would crash.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  } catch (error) {
    await client.end().catch(() => {});
    throw failure(`cannot connect to PostgreSQL at ${where}: ${reason(error, timeoutMs)}`, error);
  }
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> => {
    try {
      return (await client.query<R>(text, values)).rows;
    } catch (error) {
      throw failure(`PostgreSQL at ${where}: ${reason(error, timeoutMs)}`, error);
    }
  };
  const database: ProductsDatabase = {
    description: where,
    async estimateProducts() {
      const rows = await query<{ estimate: string | null }>(
        'SELECT reltuples::bigint::text AS estimate FROM pg_class WHERE oid = to_regclass($1)',
        [PRODUCTS_TABLE],
      );
      const estimate = Number(rows[0]?.estimate ?? -1);
      return estimate >= 0 ? estimate : undefined;
    },
    async productsAfter(after, limit, withOrdered) {
      const rows = await query<ProductRow>(withOrdered ? LEDGER_PAGE : PRODUCTS_PAGE, [
        after === undefined ? BEFORE_ALL_IDS : String(after),
        limit,
      ]);
      return rows.map(toProduct);
    },
    async existingIds(ids) {
      if (ids.length === 0) return new Set();
      const rows = await query<{ id: number | string }>(
        `SELECT id FROM ${PRODUCTS_TABLE} WHERE id = ANY($1::bigint[])`,
        [ids.map(String)],
      );
      return new Set(rows.map((row) => Number(row.id)));
    },
    async currentLsn() {
      const rows = await query<{ lsn: string }>(
        `SELECT ((CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)
                 - '0/0'::pg_lsn)::text AS lsn`,
        [],
      );
      return BigInt(rows[0]?.lsn ?? '0');
    },
    async stockQuantities(ids) {
      if (ids.length === 0) return new Map();
      const rows = await query<{ id: number | string; stock_quantity: number | string }>(
        `SELECT id, stock_quantity FROM ${PRODUCTS_TABLE} WHERE id = ANY($1::bigint[])`,
        [ids.map(String)],
      );
      return new Map(rows.map((row) => [Number(row.id), Number(row.stock_quantity)]));
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
  return database;
};
