import { DEFAULTS } from '../../lambda/config.js';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { Endpoint, parseEndpoint } from '../cli/aws-connection.js';
import { UsageError } from '../cli/errors.js';
import { parseCommandLine } from '../cli/parse-command-line.js';
import { parseStockModel, STOCK_MODEL_HELP } from '../cli/stock-model-option.js';
import type { ToolDefinition } from '../cli/tool.js';
import { parsePostgresUrl } from './database.js';
import {
  DEFAULT_SIGNAL_DATA_SIZE,
  DEFAULT_SIGNAL_TABLE,
  MIN_SIGNAL_DATA_SIZE,
  SignalFormat,
} from './repair-sql.js';

export const DEFAULT_PAGE_SIZE = 1000;
const MAX_PAGE_SIZE = 10_000;
export const DEFAULT_MAX_LISTED = 1000;

export const HELP = `Usage: npm run reconcile -- --postgres <connection-url> [options]

Compares the inventory table with the shop database and lists every product that differs: missing from the
table, in the table but not in the database, or with a different name, description, price or stock, each
with the table's and the database's value. Reads only: SELECTs in READ ONLY transactions on PostgreSQL,
BatchGetItem and Scan on DynamoDB. Both sides are read in pages (a million products are never held in
memory): products rows in id order, each page's items fetched by key, then the table's keys scanned and
looked up in the database. Point it at a read replica (docs/operations.md, "Reconcile").

What is checked, per stock model:
  every model    exactly: presence both ways; name; description (SQL NULL = no attribute); price as the exact
                 decimal string with the column's scale ("89.00")
  products       exactly: stock_quantity = products.stock_quantity
  ledger         exactly: stock_quantity = products.stock_quantity − SUM(order_items.quantity); source_stock
                 (the count last applied) = products.stock_quantity, when the item has it
  orders         exactly: source_stock = products.stock_quantity, when the item has it; stock_quantity =
                 products.stock_quantity for a product without order lines.
                 Within bounds only: products.stock_quantity − SUM(order_items.quantity) ≤ stock_quantity ≤
                 products.stock_quantity. The stock is the last count less the order lines committed after
                 it; which lines those are is commit order, which the rows alone do not show. A stock inside
                 the bounds is counted as "bounded", neither a difference nor agreeing.
  never          last_updated, cdc_timestamp, cdc_position, stock_position (commit-time bookkeeping). A change
                 committed while reconcile reads may show as a difference until the pipeline applies it:
                 run again before repairing.

Options:
  --postgres <url>         the shop database, postgres://user@host:5432/shop (required); prefer PGPASSWORD
                           or ~/.pgpass to a password in the URL; ?sslmode=… as libpq
${STOCK_MODEL_HELP}
  --table <name>           table (default DYNAMODB_TABLE, else ${DEFAULTS.tableName})
  --endpoint local|aws|embedded
                           aws (default): standard credential chain; local: AWS_ENDPOINT_URL_DYNAMODB /
                           AWS_ENDPOINT_URL_S3 if set, else the running \`npm run local\` (exit 1 without one);
                           a missing table or bucket is exit 1, nothing is created; embedded: an empty
                           DynamoDB Local + s3rver for this run only
  --json                   one JSON document on stdout: products that differ, counts, model, what was checked
  --page-size <n>          products rows per database page and keys per Scan page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})
  --rate <n>               read at most n table items per second (default: no limit) to spare a provisioned table
  --max-listed <n>         list at most n differing products (default ${DEFAULT_MAX_LISTED}); all are counted
  -h, --help               show this help

Repair through the pipeline:
  --repair-sql             print the SQL (on stdout; the report goes to stderr) that asks Debezium for an
                           incremental snapshot of public.products limited to the products that differ, so
                           that the connector sends those rows again and the function applies them by its
                           own ordering rules. Run it on the primary. Items without a products row, stocks off
                           by order lines, and (orders, ledger) rows that would become a new count while order
                           lines exist, or a ledger move that misses the exact stock, are not sent: listed as
                           comments with how to repair them; the comments say what each row does to the stock.
  --signal-table <name>    the connector's signalling table (default ${DEFAULT_SIGNAL_TABLE}); it needs
                           signal.data.collection=<name> on the connector (docs/operations.md, "Reconcile")
  --signal-data-size <n>   size of the signalling table's data column (default ${DEFAULT_SIGNAL_DATA_SIZE}): longer id lists
                           are split into several signals
  --legacy-signal          Debezium 2.0 to 2.3: "additional-condition" (one string) instead of 2.4's
                           "additional-conditions" list
  --delete-missing         remove for good the items that have no products row (the delete was lost), as the
                           function removes a deleted product: item and ledger-head delete position in one
                           transaction, at the database's WAL position read after the comparison, so no older
                           change brings them back. Writes: needs the function's DynamoDB delete actions.

Output: a table of the differences (product_id, difference, table value, database value), a summary and
what was checked; progress on stderr when it is a terminal or the run takes more than 2 s.

Example: npm run reconcile -- --postgres postgres://reader@replica:5432/shop --json
`;

export const RECONCILE_TOOL: ToolDefinition = {
  name: 'reconcile',
  command: 'npm run reconcile',
  help: HELP,
  found: 'the table and the database differ (read the report)',
};

export interface ReconcileOptions {
  readonly postgres: URL;
  readonly stockModel: StockModel | undefined;
  readonly tableName: string | undefined;
  readonly endpoint: Endpoint;
  readonly json: boolean;
  readonly pageSize: number;
  readonly rate: number | undefined;
  readonly maxListed: number;
  readonly repairSql: boolean;
  readonly signalTable: string;
  readonly signalDataSize: number;
  readonly signalFormat: SignalFormat;
  readonly deleteMissing: boolean;
}

const positiveInteger = (raw: string | undefined, option: string, fallback: number, max?: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${option} must be a positive integer, got '${raw}'`);
  }
  if (max !== undefined && value > max) throw new UsageError(`${option} must be at most ${max}, got ${raw}`);
  return value;
};

/** schema.table or table, plain SQL identifiers only: the name is written into the printed SQL as is. */
const SIGNAL_TABLE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

const signalDataSize = (raw: string | undefined): number => {
  const size = positiveInteger(raw, '--signal-data-size', DEFAULT_SIGNAL_DATA_SIZE);
  if (size < MIN_SIGNAL_DATA_SIZE) {
    throw new UsageError(`--signal-data-size must be at least ${MIN_SIGNAL_DATA_SIZE}, got ${size}`);
  }
  return size;
};

/** The command line → validated options; every mistake is a UsageError naming the option. */
export const parseReconcileArgs = (argv: readonly string[]): ReconcileOptions => {
  const { values } = parseCommandLine(argv, {
    postgres: { type: 'string' },
    'stock-model': { type: 'string' },
    table: { type: 'string' },
    endpoint: { type: 'string' },
    json: { type: 'boolean' },
    'page-size': { type: 'string' },
    rate: { type: 'string' },
    'max-listed': { type: 'string' },
    'repair-sql': { type: 'boolean' },
    'delete-missing': { type: 'boolean' },
    'signal-table': { type: 'string' },
    'signal-data-size': { type: 'string' },
    'legacy-signal': { type: 'boolean' },
  });
  if (values.postgres === undefined) {
    throw new UsageError(
      '--postgres <connection-url> is required (the shop database, ideally a read replica)',
    );
  }
  const repairSql = values['repair-sql'] === true;
  for (const option of ['signal-table', 'signal-data-size', 'legacy-signal'] as const) {
    if (!repairSql && values[option] !== undefined) throw new UsageError(`--${option} needs --repair-sql`);
  }
  const signalTable = values['signal-table'] ?? DEFAULT_SIGNAL_TABLE;
  if (!SIGNAL_TABLE.test(signalTable)) {
    throw new UsageError(
      `--signal-table must be a table name like public.debezium_signal, got '${signalTable}'`,
    );
  }
  const rate = values.rate === undefined ? undefined : positiveInteger(values.rate, '--rate', 0);
  return {
    postgres: parsePostgresUrl(values.postgres),
    stockModel: parseStockModel(values['stock-model']),
    tableName: values.table,
    endpoint: parseEndpoint(values.endpoint, Endpoint.AWS),
    json: values.json === true,
    pageSize: positiveInteger(values['page-size'], '--page-size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    rate,
    maxListed: positiveInteger(values['max-listed'], '--max-listed', DEFAULT_MAX_LISTED),
    repairSql,
    signalTable,
    signalDataSize: signalDataSize(values['signal-data-size']),
    signalFormat: values['legacy-signal'] === true ? SignalFormat.LEGACY : SignalFormat.CURRENT,
    deleteMissing: values['delete-missing'] === true,
  };
};
