import { DEFAULTS } from '../../lambda/config.js';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { Endpoint, parseEndpoint } from '../cli/aws-connection.js';
import { UsageError } from '../cli/errors.js';
import { parseCommandLine } from '../cli/parse-command-line.js';
import { parseStockModel, STOCK_MODEL_HELP } from '../cli/stock-model-option.js';
import type { ToolDefinition } from '../cli/tool.js';
import { parsePostgresUrl } from '../reconcile/database.js';
import { type CutoverPosition, parseCutoverPosition } from './source-position.js';

export const DEFAULT_PAGE_SIZE = 500;
const MAX_PAGE_SIZE = 10_000;
export const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;

export const HELP = `Usage: npm run cutover -- --position <P> [options]

Step 4 of the cutover from the Python inventory-service (docs/cutover.md): marks every item the Python
service wrote as reflecting every change up to the source position P, so that when the mappings start, the
changes at or before P that Kafka or Debezium delivers again are skipped and every change after P applies
once. A paginated Scan of the table; for each item without cdc_position, one conditional UpdateItem (only if
the item still exists and still has no cdc_position) setting:
  cdc_position     P's position key, as the function builds it (lambda/inventory/position.ts)
  stock_position   the first position after P: order lines from P on are already in the item's stock
  source_stock     under orders and ledger: products.stock_quantity of the item's row, read from PostgreSQL
Items that have cdc_position are left as they are, so running it again is harmless. Run it after the Python
service has drained and stopped and before the mappings are deployed; no count (restock, stock-take) may
change between P and this run under orders and ledger.

Options:
  --position <P>           required: source.sequence of the last change the Python service applied, as
                           Debezium writes it, '["<lastCommitLsn>","<lsn>"]', or the pair '<lastCommitLsn>,<lsn>';
                           LSNs in decimal or as PostgreSQL prints them (0/16B3748)
${STOCK_MODEL_HELP}
  --postgres <url>         the shop database (required under orders and ledger, to read source_stock),
                           postgres://user@host:5432/shop; read only; prefer PGPASSWORD to a password in the URL
  --table <name>           table (default DYNAMODB_TABLE, else ${DEFAULTS.tableName})
  --endpoint local|aws|embedded
                           aws (default): standard credential chain; local: AWS_ENDPOINT_URL_DYNAMODB /
                           AWS_ENDPOINT_URL_S3 if set, else the running \`npm run local\` (exit 1 without one);
                           a missing table or bucket is exit 1, nothing is created; embedded: an empty
                           DynamoDB Local + s3rver for this run only
  --dry-run                scan and read the database, write nothing: the summary says what would be stamped
  --json                   one JSON document on stdout instead of the text summary
  --page-size <n>          items per Scan page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})
  --concurrency <n>        conditional writes in flight (default ${DEFAULT_CONCURRENCY}, at most ${MAX_CONCURRENCY})
  --recheck-after <s>      wait this long after stamping, then read the stamped items again: a stamp erased or
                           an item changed means something still writes (exit 3; default 10, 0 to 3600)
  -h, --help               show this help
  SOURCE_EPOCH             the function's epoch (default 0): the keys carry it, so it must be the deployed value

Output: progress on stderr; on stdout the keys written and the counts: scanned, stamped, already stamped,
missing in PG (orders/ledger: items without a products row, left unstamped and listed: check them with
npm run reconcile).

Example: npm run cutover -- --position '["24023128","24023176"]' --stock-model orders --postgres <url> --dry-run
`;

export const CUTOVER_TOOL: ToolDefinition = {
  name: 'cutover',
  command: 'npm run cutover',
  help: HELP,
  failure: 'so does a missing table',
};

export interface CutoverOptions {
  readonly position: CutoverPosition;
  readonly stockModel: StockModel | undefined;
  readonly postgres: URL | undefined;
  readonly tableName: string | undefined;
  readonly endpoint: Endpoint;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly recheckAfterSeconds: number;
}

const positiveInteger = (raw: string | undefined, option: string, fallback: number, max: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${option} must be a positive integer, got '${raw}'`);
  }
  if (value > max) throw new UsageError(`${option} must be at most ${max}, got ${raw}`);
  return value;
};

const DEFAULT_RECHECK_AFTER_SECONDS = 10;
const MAX_RECHECK_AFTER_SECONDS = 3600;

const recheckAfter = (raw: string | undefined): number => {
  if (raw === undefined) return DEFAULT_RECHECK_AFTER_SECONDS;
  if (raw === '0') return 0;
  return positiveInteger(raw, '--recheck-after', DEFAULT_RECHECK_AFTER_SECONDS, MAX_RECHECK_AFTER_SECONDS);
};

/** The command line → validated options; every mistake is a UsageError naming the option. */
export const parseCutoverArgs = (argv: readonly string[]): CutoverOptions => {
  const { values } = parseCommandLine(argv, {
    position: { type: 'string' },
    'stock-model': { type: 'string' },
    postgres: { type: 'string' },
    table: { type: 'string' },
    endpoint: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    'page-size': { type: 'string' },
    concurrency: { type: 'string' },
    'recheck-after': { type: 'string' },
  });
  if (values.position === undefined) {
    throw new UsageError(
      '--position <P> is required: source.sequence of the last change the Python service applied',
    );
  }
  if (values.table !== undefined && values.table.trim() === '') throw new UsageError('--table is empty');
  return {
    position: parseCutoverPosition(values.position),
    stockModel: parseStockModel(values['stock-model']),
    postgres: values.postgres === undefined ? undefined : parsePostgresUrl(values.postgres),
    tableName: values.table,
    endpoint: parseEndpoint(values.endpoint, Endpoint.AWS),
    dryRun: values['dry-run'] === true,
    json: values.json === true,
    pageSize: positiveInteger(values['page-size'], '--page-size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    concurrency: positiveInteger(values.concurrency, '--concurrency', DEFAULT_CONCURRENCY, MAX_CONCURRENCY),
    recheckAfterSeconds: recheckAfter(values['recheck-after']),
  };
};
